import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { emptyDatabase, type Database } from '../../src/engine/domain/records.js';
import { SecretBox } from '../../src/engine/secrets.js';
import { silentLogger } from '../../src/log.js';
import { importCommand } from '../../src/store/commands.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { describeSealed, sealedValues } from '../../src/store/sealed-values.js';
import { runCli } from '../helpers/cli.js';
import { testDatabase } from '../helpers/postgres.js';

const K1 = Buffer.alloc(32, 0x31).toString('base64');
const K2 = Buffer.alloc(32, 0x32).toString('base64');
const box = (k: string) => new SecretBox(Buffer.from(k, 'base64'));
const id = (k: string) => box(k).keyId;

let dir: string;
let db: Awaited<ReturnType<typeof testDatabase>>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudlink-sealed-'));
  db = await testDatabase();
});
afterAll(async () => {
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

const cli = (args: string[], env: Record<string, string>) => runCli(args, { cwd: dir, env: { CLOUDLINK_CLI_ACTOR: 'tester', ...env } });

const webhook = (name: string, k: string): Database['webhooks'][number] => ({
  id: `wh-${name}`,
  name,
  url: `https://${name}.example.com/`,
  events: [],
  secret: box(k).seal(`whsec_${name}`),
  createdBy: { id: 'U1', via: 'slack' },
  createdAt: '2026-01-01T00:00:00.000Z',
});

/** A backup holding these webhooks, as `cloudlink export` writes it. */
async function backup(name: string, hooks: Database['webhooks']): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, JSON.stringify({ ...emptyDatabase(), webhooks: hooks }, null, 2));
  return file;
}

async function refusal(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => new Error('expected a ConfigError, but it imported'),
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ConfigError);
  return (e as Error).message;
}

describe('where a store keeps sealed values', () => {
  it('finds them in accounts (the certificate and a renewal), open setups and webhooks, not in the audit log or outbox', () => {
    const s = (k: string) => box(k).seal('x');
    const d = {
      ...emptyDatabase(),
      accounts: [{ id: 'a', entra: { certificate: { pem: 'P', encryptedKey: s(K1) }, rotation: { certificate: { pem: 'P', encryptedKey: s(K2) } } } }],
      setups: [{ id: 's', microsoft: { certificate: { pem: 'P', encryptedKey: s(K1) } } }, { id: 'done', microsoft: { certificate: { pem: 'P' } } }],
      webhooks: [{ id: 'w', secret: s(K2) }],
      audit: [{ details: s(K1) }],
      outbox: [{ notification: s(K1) }],
    } as unknown as Database;
    expect(sealedValues(d)).toEqual([
      { place: 'account', keyId: id(K1) },
      { place: 'account', keyId: id(K2) },
      { place: 'setup', keyId: id(K1) },
      { place: 'webhook', keyId: id(K2) },
    ]);
    expect(describeSealed(sealedValues(d))).toBe('2 certificate private keys, 1 certificate private key of an open setup, 1 webhook signing secret');
    expect(sealedValues(emptyDatabase())).toEqual([]);
  });
});

describe('import refuses a backup sealed with another key than the target store has (through the CLI)', () => {
  it('into a fresh store (no key file): refused, nothing created; with the source key it imports and the store opens its secrets', async () => {
    const source = join(dir, 'source', 's.json');
    const made = await cli(['create-webhook', '--name', 'A', '--url', 'https://a.example.com'], { CLOUDLINK_STORE_PATH: source, CLOUDLINK_ENCRYPTION_KEY: K1 });
    expect(made.code, made.stderr).toBe(0);
    const x = join(dir, 'x.json');
    expect((await cli(['export', '--file', x], { CLOUDLINK_STORE_PATH: source, CLOUDLINK_ENCRYPTION_KEY: K1 })).code).toBe(0);

    const target = join(dir, 'cl6', 's.json');
    const r = await cli(['import', '--file', x], { CLOUDLINK_STORE_PATH: target });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe(
      `${x} holds 1 sealed value (1 webhook signing secret), sealed with key id ${id(K1)}, and the store ${target} has no key yet (CLOUDLINK_ENCRYPTION_KEY is not set and there is no key file at ${join(dir, 'cl6', 's.key')}): it would get a new one, which opens none of them. Nothing was imported. Run the import with CLOUDLINK_ENCRYPTION_KEY set to the source store's key (key id ${id(K1)}; keep it set for this store from then on), or copy the source store's key file to ${join(dir, 'cl6', 's.key')} first.`,
    );
    // Nothing at all was written: no store file, no key file, not even the folder.
    expect(existsSync(join(dir, 'cl6'))).toBe(false);

    const ok = await cli(['import', '--file', x], { CLOUDLINK_STORE_PATH: target, CLOUDLINK_ENCRYPTION_KEY: K1 });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^Imported /);
    expect(await readdir(join(dir, 'cl6'))).toEqual(['s.json']);
    const list = await cli(['list-webhooks'], { CLOUDLINK_STORE_PATH: target, CLOUDLINK_ENCRYPTION_KEY: K1 });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/\bA\b/);
  });

  it('into a store with a key of its own: refused naming both key ids and its key file, the store and key file byte for byte unchanged; with the source key file copied beside it, it imports', async () => {
    // The source seals with a key file of its own this time.
    const source = join(dir, 'src2', 's.json');
    expect((await cli(['create-webhook', '--name', 'A', '--url', 'https://a.example.com'], { CLOUDLINK_STORE_PATH: source })).code).toBe(0);
    const sourceKey = new SecretBox(Buffer.from((await readFile(join(dir, 'src2', 's.key'), 'utf8')).trim(), 'base64')).keyId;
    const x = join(dir, 'x2.json');
    expect((await cli(['export', '--file', x], { CLOUDLINK_STORE_PATH: source })).code).toBe(0);

    const target = join(dir, 'own', 's.json');
    const targetKeyFile = join(dir, 'own', 's.key');
    expect((await cli(['create-webhook', '--name', 'C', '--url', 'https://c.example.com'], { CLOUDLINK_STORE_PATH: target })).code).toBe(0);
    const [store, key] = [await readFile(target), await readFile(targetKeyFile)];
    const targetKey = new SecretBox(Buffer.from(key.toString().trim(), 'base64')).keyId;

    const r = await cli(['import', '--file', x, '--replace'], { CLOUDLINK_STORE_PATH: target });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `${x} holds 1 sealed value (1 webhook signing secret), sealed with key id ${sourceKey}; none was sealed with the key of the store ${target} (key id ${targetKey}, from the key file ${targetKeyFile}), which could open none of them. Nothing was imported. Run the import with CLOUDLINK_ENCRYPTION_KEY set to the source store's key (key id ${sourceKey}; keep it set for this store from then on), or copy the source store's key file to ${targetKeyFile} first.`,
    );
    expect((await readFile(target)).equals(store)).toBe(true);
    expect((await readFile(targetKeyFile)).equals(key)).toBe(true);
    expect(await readdir(join(dir, 'own'))).toEqual(['s.json', 's.key']);

    await copyFile(join(dir, 'src2', 's.key'), targetKeyFile);
    const ok = await cli(['import', '--file', x, '--replace'], { CLOUDLINK_STORE_PATH: target });
    expect(ok.code, ok.stderr).toBe(0);
    const list = await cli(['list-webhooks'], { CLOUDLINK_STORE_PATH: target });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/\bA\b/);
  });
});

describe('import and the target key, in process', () => {
  it('a backup without sealed values goes into a store that does not exist yet without creating a key file', async () => {
    const target = join(dir, 'plain', 'cloudlink.json');
    const file = await backup('plain.json', []);
    expect(await importCommand(loadConfig({ CLOUDLINK_STORE_PATH: target }), silentLogger, ['--file', file])).toMatch(/^Imported /);
    expect(await readdir(join(dir, 'plain'))).toEqual(['cloudlink.json']);
  });

  it('a backup only partly sealed with the target key is imported, and the result says how many values of which kind cannot be opened', async () => {
    const target = join(dir, 'part', 'cloudlink.json');
    const file = await backup('part.json', [webhook('good', K1), webhook('lost', K2)]);
    const out = await importCommand(loadConfig({ CLOUDLINK_STORE_PATH: target, CLOUDLINK_ENCRYPTION_KEY: K1 }), silentLogger, ['--file', file]);
    expect(out).toMatch(/^Imported .* into /);
    expect(out).toContain(`1 sealed value of 2 in it (1 webhook signing secret) was sealed with another key (key id ${id(K2)}) than this store's (key id ${id(K1)}) and cannot be opened here`);
  });

  it('on PostgreSQL: CLOUDLINK_ENCRYPTION_KEY is the target key; refused, the database is left without a record', async () => {
    const file = await backup('pg.json', [webhook('a', K1)]);
    const message = await refusal(importCommand(loadConfig({ CLOUDLINK_DATABASE_URL: db.url, CLOUDLINK_ENCRYPTION_KEY: K2 }), silentLogger, ['--file', file]));
    expect(message).toContain(`sealed with key id ${id(K1)}; none was sealed with the key of the store `);
    expect(message).toContain(`(key id ${id(K2)}, from CLOUDLINK_ENCRYPTION_KEY), which could open none of them. Nothing was imported. Run the import with CLOUDLINK_ENCRYPTION_KEY set to the source store's key (key id ${id(K1)}; keep it set for this store from then on).`);
    const store = new PostgresStore(db.url);
    await store.init();
    try {
      expect((await store.read()).webhooks).toEqual([]);
    } finally {
      await store.close();
    }
    expect(await importCommand(loadConfig({ CLOUDLINK_DATABASE_URL: db.url, CLOUDLINK_ENCRYPTION_KEY: K1 }), silentLogger, ['--file', file])).toMatch(/^Imported /);
  });
});
