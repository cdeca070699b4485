import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeEngine } from '../src/compose.js';
import { ConfigError, loadConfig } from '../src/config.js';
import type { Database } from '../src/engine/domain/records.js';
import { SecretBox } from '../src/engine/secrets.js';
import { silentLogger, type Logger } from '../src/log.js';
import { LowdbStore } from '../src/store/lowdb-store.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { runCli } from './helpers/cli.js';
import { testDatabase } from './helpers/postgres.js';

/**
 * The key a process starts with is checked against the sealed values its store already holds: one
 * that opens none of them is refused, a missing one is not replaced by a new key file (that is what
 * split a store between two keys), and one that opens only some starts with one warning.
 */

const K1 = Buffer.alloc(32, 0x11).toString('base64');
const K2 = Buffer.alloc(32, 0x22).toString('base64');
const id = (k: string) => new SecretBox(Buffer.from(k, 'base64')).keyId;

let dir: string;
let db: Awaited<ReturnType<typeof testDatabase>>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudlink-compose-'));
  db = await testDatabase();
});
afterAll(async () => {
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

const cli = (args: string[], env: Record<string, string>) => runCli(args, { cwd: dir, env: { CLOUDLINK_CLI_ACTOR: 'tester', ...env } });

const webhook = (name: string, box: SecretBox): Database['webhooks'][number] => ({
  id: `wh-${name}`,
  name,
  url: `https://${name}.example.com/`,
  events: [],
  secret: box.seal(`whsec_${name}`),
  createdBy: { id: 'U1', via: 'slack' },
  createdAt: '2026-01-01T00:00:00.000Z',
});

/** An open Entra setup whose certificate's private key is sealed by `box`. */
const openSetup = (box: SecretBox) =>
  ({
    id: 'setup-1',
    status: 'open',
    provider: 'entra',
    createdBy: { id: 'U1', via: 'slack' },
    createdAt: '2026-01-01T00:00:00.000Z',
    expiresAt: '2099-01-01T00:00:00.000Z',
    microsoft: { tenantId: '00000000-0000-0000-0000-000000000001', clientId: '00000000-0000-0000-0000-000000000002', certificate: { pem: 'PEM', thumbprint: 'AB', notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2028-01-01T00:00:00.000Z', encryptedKey: box.seal('PRIVATE KEY') } },
  }) as unknown as Database['setups'][number];

function recordingLog(): Logger & { lines: { level: string; msg: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => void lines.push({ level, msg, ...(fields ? { fields } : {}) });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

async function refusal(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => new Error('expected a ConfigError, but it started'),
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ConfigError);
  return (e as Error).message;
}

describe('a store sealed with one key, and a process that has another or none (through the CLI)', () => {
  it('refuses to start without the key instead of creating a new key file beside the store, then works with the right key', async () => {
    const store = join(dir, 'cl9', 's.json');
    const keyFile = join(dir, 'cl9', 's.key');
    const first = await cli(['create-webhook', '--name', 'A', '--url', 'https://a.example.com'], { CLOUDLINK_STORE_PATH: store, CLOUDLINK_ENCRYPTION_KEY: K1 });
    expect(first.code, first.stderr).toBe(0);
    const before = await readFile(store, 'utf8');

    const second = await cli(['create-webhook', '--name', 'B', '--url', 'https://b.example.com'], { CLOUDLINK_STORE_PATH: store });
    expect(second.code).toBe(1);
    expect(second.stdout).toBe('');
    expect(second.stderr.trim()).toBe(
      `The store ${store} holds 1 sealed value (1 webhook signing secret), sealed with key id ${id(K1)}, but this process has no encryption key: CLOUDLINK_ENCRYPTION_KEY is not set and there is no key file at ${keyFile}. cloudlink did not start and created no new key (secrets sealed with a new one would split the store between two keys). Set CLOUDLINK_ENCRYPTION_KEY to the key the store was sealed with (key id ${id(K1)}), or, if it was a key file, put that file back at ${keyFile}. If that key is lost for good, start once with CLOUDLINK_ACCEPT_UNREADABLE_SECRETS=true: cloudlink then uses this key, and those values stay unreadable until you renew the certificates and re-create the webhooks.`,
    );
    // No key file was created, and B was not sealed under one.
    expect(existsSync(keyFile)).toBe(false);
    expect(await readdir(join(dir, 'cl9'))).toEqual(['s.json']);
    expect(await readFile(store, 'utf8')).toBe(before);

    // Another key: refused too, naming both key ids and where this one came from; never the key itself.
    const wrong = await cli(['create-webhook', '--name', 'B', '--url', 'https://b.example.com'], { CLOUDLINK_STORE_PATH: store, CLOUDLINK_ENCRYPTION_KEY: K2 });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`sealed with key id ${id(K1)}; none was sealed with this process's key (key id ${id(K2)}, from CLOUDLINK_ENCRYPTION_KEY), so cloudlink could open none of them and did not start. Set CLOUDLINK_ENCRYPTION_KEY to the key the store was sealed with (key id ${id(K1)}), or, if it was a key file, put that file back at ${keyFile} and unset CLOUDLINK_ENCRYPTION_KEY.`);
    for (const r of [second, wrong]) expect(r.stderr).not.toMatch(new RegExp(`${K1.slice(0, 12)}|${K2.slice(0, 12)}`));
    expect(await readFile(store, 'utf8')).toBe(before);

    // The key it was sealed with: B goes in, under the same key as A.
    const right = await cli(['create-webhook', '--name', 'B', '--url', 'https://b.example.com'], { CLOUDLINK_STORE_PATH: store, CLOUDLINK_ENCRYPTION_KEY: K1 });
    expect(right.code, right.stderr).toBe(0);
    const hooks = (JSON.parse(await readFile(store, 'utf8')) as Database).webhooks;
    expect(hooks.map((w) => [w.name, w.secret.keyId])).toEqual([['A', id(K1)], ['B', id(K1)]]);
  });

  it('a store with no sealed values yet still gets its key file at the first start (a fresh machine)', async () => {
    const store = join(dir, 'fresh', 's.json');
    const r = await cli(['create-webhook', '--name', 'A', '--url', 'https://a.example.com'], { CLOUDLINK_STORE_PATH: store });
    expect(r.code, r.stderr).toBe(0);
    const key = Buffer.from((await readFile(join(dir, 'fresh', 's.key'), 'utf8')).trim(), 'base64');
    expect((JSON.parse(await readFile(store, 'utf8')) as Database).webhooks[0]!.secret.keyId).toBe(new SecretBox(key).keyId);
    // And the next run, with the key file, starts.
    expect((await cli(['list-webhooks'], { CLOUDLINK_STORE_PATH: store })).code).toBe(0);
  });
});

describe('composeEngine checks the key against the store', () => {
  it('refuses a key file that opens none of the lowdb store sealed values, naming the key file', async () => {
    const file = join(dir, 'keyfile', 'cloudlink.json');
    const keyFile = join(dir, 'keyfile', 'cloudlink.key');
    const store = new LowdbStore(file);
    await store.init();
    await store.mutate((d) => void d.webhooks.push(webhook('a', new SecretBox(Buffer.from(K1, 'base64')))));
    await writeFile(keyFile, `${K2}\n`, { mode: 0o600 });
    const message = await refusal(composeEngine(loadConfig({ CLOUDLINK_STORE_PATH: file }), { log: silentLogger }));
    expect(message).toBe(
      `The store ${file} holds 1 sealed value (1 webhook signing secret), sealed with key id ${id(K1)}; none was sealed with this process's key (key id ${id(K2)}, from the key file ${keyFile}), so cloudlink could open none of them and did not start. Set CLOUDLINK_ENCRYPTION_KEY to the key the store was sealed with (key id ${id(K1)}), or, if it was a key file, put that file back at ${keyFile}. If that key is lost for good, start once with CLOUDLINK_ACCEPT_UNREADABLE_SECRETS=true: cloudlink then uses this key, and those values stay unreadable until you renew the certificates and re-create the webhooks.`,
    );
    expect(await readFile(keyFile, 'utf8')).toBe(`${K2}\n`);

    // That key lost for good: said so on purpose, it starts with this key, and says what stays unreadable.
    const log = recordingLog();
    const accepted = await composeEngine(loadConfig({ CLOUDLINK_STORE_PATH: file, CLOUDLINK_ACCEPT_UNREADABLE_SECRETS: 'true' }), { log });
    await accepted.store.close?.();
    expect(log.lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([
      `The store ${file} holds 1 sealed value (1 webhook signing secret), sealed with key id ${id(K1)}, which this process's key cannot open; started anyway (CLOUDLINK_ACCEPT_UNREADABLE_SECRETS): renew those certificates and re-create those webhooks.`,
    ]);
  });

  it('starts when only some sealed values match, with one warning saying how many of which kinds cannot be opened (key ids only); such a webhook fails naming its secret, not a certificate', async () => {
    const file = join(dir, 'partial', 'cloudlink.json');
    const one = new SecretBox(Buffer.from(K1, 'base64'));
    const two = new SecretBox(Buffer.from(K2, 'base64'));
    const store = new LowdbStore(file);
    await store.init();
    await store.mutate((d) => {
      d.webhooks.push(webhook('good', one), webhook('lost', two));
      d.setups.push(openSetup(two));
      d.outbox.push({
        id: 'o1',
        createdAt: '2026-01-01T00:00:00.000Z',
        recipient: { channel: 'webhook', id: 'wh-lost', name: 'lost' },
        notification: { kind: 'webhook_event', event: { specversion: '1.0', id: 'e1', source: 'cloudlink', type: 'cloudlink.account.renamed', subject: 'acc-1', time: '2026-01-01T00:00:00.000Z', datacontenttype: 'application/json', data: {} } },
        status: 'pending',
        attempts: 0,
      });
    });
    const log = recordingLog();
    const c = await composeEngine(loadConfig({ CLOUDLINK_STORE_PATH: file, CLOUDLINK_ENCRYPTION_KEY: K1, CLOUDLINK_LOG_LEVEL: 'debug' }), { log, deliver: true, webhooks: true });
    try {
      const warnings = log.lines.filter((l) => l.level === 'warn');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.msg).toBe(
        `2 sealed values of 3 in the store ${file} (1 certificate private key of an open setup, 1 webhook signing secret) were sealed with another key (key id ${id(K2)}) than this process's (key id ${id(K1)}, from CLOUDLINK_ENCRYPTION_KEY) and cannot be opened: restore that key to use them, or replace them (renew the certificates, re-create the webhooks).`,
      );
      expect(warnings[0]!.fields).toEqual({ store: file, keyId: id(K1) });
      expect(JSON.stringify(log.lines)).not.toMatch(new RegExp(`${K1.slice(0, 12)}|${K2.slice(0, 12)}`));
      expect(existsSync(join(dir, 'partial', 'cloudlink.key'))).toBe(false);

      await c.engine.jobs.outbox.deliver();
      const item = (await c.store.read()).outbox.find((o) => o.id === 'o1')!;
      expect(item.lastError).toBe(`This webhook's signing secret was sealed with another encryption key (key id ${id(K2)}; cloudlink has ${id(K1)}). Restore that key, or re-create the webhook to give it a new secret.`);
      expect(item.lastError).not.toMatch(/certificate/);
    } finally {
      c.engine.jobs.watcher.stop();
      c.engine.jobs.outbox.stop();
    }
  });

  it('no warning when every sealed value matches', async () => {
    const file = join(dir, 'all', 'cloudlink.json');
    await mkdir(join(dir, 'all'));
    const store = new LowdbStore(file);
    await store.init();
    await store.mutate((d) => void d.webhooks.push(webhook('a', new SecretBox(Buffer.from(K1, 'base64')))));
    const log = recordingLog();
    await composeEngine(loadConfig({ CLOUDLINK_STORE_PATH: file, CLOUDLINK_ENCRYPTION_KEY: K1 }), { log });
    expect(log.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('refuses on PostgreSQL too: CLOUDLINK_ENCRYPTION_KEY that opens none of the database sealed values', async () => {
    const store = new PostgresStore(db.url);
    await store.init();
    await store.mutate((d) => void d.webhooks.push(webhook('pg', new SecretBox(Buffer.from(K1, 'base64')))));
    await store.close();
    const message = await refusal(composeEngine(loadConfig({ CLOUDLINK_DATABASE_URL: db.url, CLOUDLINK_ENCRYPTION_KEY: K2 }), { log: silentLogger }));
    expect(message).toMatch(/^The store postgres.* holds 1 sealed value \(1 webhook signing secret\), sealed with key id [0-9a-f]{12}; none was sealed with this process's key/);
    expect(message).toContain(`sealed with key id ${id(K1)}; none was sealed with this process's key (key id ${id(K2)}, from CLOUDLINK_ENCRYPTION_KEY), so cloudlink could open none of them and did not start. Set CLOUDLINK_ENCRYPTION_KEY to the key the store was sealed with (key id ${id(K1)}).`);
    const c = await composeEngine(loadConfig({ CLOUDLINK_DATABASE_URL: db.url, CLOUDLINK_ENCRYPTION_KEY: K1 }), { log: silentLogger });
    await c.store.close?.();
  });
});
