import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseWith } from '../../bench/fixtures.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { exportCommand, importCommand, migrateCommand } from '../../src/store/commands.js';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import { testDatabase } from '../helpers/postgres.js';

let dir: string;
let db: Awaited<ReturnType<typeof testDatabase>>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudlink-export-'));
  db = await testDatabase();
});
afterAll(async () => {
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

const KEY = Buffer.alloc(32, 5).toString('base64');

describe('moving a store between lowdb and PostgreSQL', () => {
  it('round-trips losslessly: lowdb → export → PostgreSQL → export → lowdb, byte for byte', async () => {
    // A lowdb store with every kind of record.
    const file = join(dir, 'cloudlink.json');
    const store = new LowdbStore(file);
    await store.init();
    const seed = databaseWith(300);
    await store.mutate((d) => {
      d.accounts.push(...seed.accounts);
      d.audit.push({ id: 'a1', at: '2026-12-01T00:00:00.000Z', actor: { id: 'U1', via: 'slack', name: 'Ada' }, operation: 'rename_account', target: { type: 'account', id: seed.accounts[0]!.id, name: 'x' }, outcome: 'ok', details: { from: 'a', to: 'b' } });
      d.viewers.push({ id: 'slack-home:U1', surface: 'slack-home', userId: 'U1', state: { offset: 50, search: 'prod' }, seenAt: '2026-12-01T00:00:00.000Z' });
    });
    const lowdb = loadConfig({ CLOUDLINK_STORE_PATH: file, CLOUDLINK_ENCRYPTION_KEY: KEY });
    const pg = loadConfig({ CLOUDLINK_DATABASE_URL: db.url, CLOUDLINK_ENCRYPTION_KEY: KEY });

    const first = join(dir, 'first.json');
    expect(await exportCommand(lowdb, silentLogger, ['--file', first])).toMatch(/Exported 300 accounts/);
    expect(await migrateCommand(pg, silentLogger)).toMatch(/^Applied \d+ migrations to .*001_records\.sql/);
    expect(await importCommand(pg, silentLogger, ['--file', first])).toMatch(/Imported 300 accounts/);
    // Not twice by accident.
    await expect(importCommand(pg, silentLogger, ['--file', first])).rejects.toThrow(/is not empty \(300 accounts.*--replace/);

    const second = join(dir, 'second.json');
    await exportCommand(pg, silentLogger, ['--file', second]);
    expect(await readFile(second, 'utf8')).toBe(await readFile(first, 'utf8'));

    const back = join(dir, 'back.json');
    const backConfig = loadConfig({ CLOUDLINK_STORE_PATH: back, CLOUDLINK_ENCRYPTION_KEY: KEY });
    await importCommand(backConfig, silentLogger, ['--file', second]);
    const third = join(dir, 'third.json');
    await exportCommand(backConfig, silentLogger, ['--file', third]);
    expect(await readFile(third, 'utf8')).toBe(await readFile(first, 'utf8'));
  });

  it('refuses a file that is not an export, changing nothing', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"accounts": [{"id": 1}]}');
    const pg = loadConfig({ CLOUDLINK_DATABASE_URL: db.url, CLOUDLINK_ENCRYPTION_KEY: KEY });
    await expect(importCommand(pg, silentLogger, ['--file', bad, '--replace'])).rejects.toThrow(/does not match cloudlink's schema/);
  });

  it('never replaces a store with a JSON file that is not an export (it would read as an empty store)', async () => {
    const path = join(dir, 'kept.json');
    const lowdb = loadConfig({ CLOUDLINK_STORE_PATH: path, CLOUDLINK_ENCRYPTION_KEY: KEY });
    const store = new LowdbStore(path);
    await store.init();
    await store.mutate((d) => void d.accounts.push(...databaseWith(3).accounts));
    const before = await readFile(path, 'utf8');
    for (const [text, why] of [['{"x":1}', /it has no accounts list/], ['{"accounts":"zzz"}', /its accounts is not a list/], ['{"schemaVersion":3,"accounts":[],"audit":{}}', /its audit is not a list/]] as const) {
      const bad = join(dir, 'not-an-export.json');
      await writeFile(bad, text);
      await expect(importCommand(lowdb, silentLogger, ['--file', bad, '--replace'])).rejects.toThrow(why);
      await expect(importCommand(lowdb, silentLogger, ['--file', bad, '--replace'])).rejects.toThrow(/is not a cloudlink export.*Nothing was imported/);
    }
    expect(await readFile(path, 'utf8')).toBe(before);
  });
});
