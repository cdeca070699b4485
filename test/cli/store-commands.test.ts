import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { exportCommand, importCommand, migrateCommand } from '../../src/store/commands.js';
import { runCli } from '../helpers/cli.js';
import { testDatabase } from '../helpers/postgres.js';

const KEY = Buffer.alloc(32, 9).toString('base64');
let dir: string;
let db: Awaited<ReturnType<typeof testDatabase>>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudlink-storecmd-'));
  db = await testDatabase();
});
afterAll(async () => {
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

/** Awaits `p`, which must fail with a ConfigError (a message for a person, not a stack); returns it. */
async function rejects(p: Promise<unknown>): Promise<ConfigError> {
  const e = await p.then(
    () => {
      throw new Error('expected a ConfigError, but it succeeded');
    },
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ConfigError);
  return e as ConfigError;
}

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: dir, env: { CLOUDLINK_STORE_PATH: join(dir, 'cli', 'cloudlink.json'), ...env } });

describe('migrate, export and import take only their own flags', () => {
  const lowdb = () => loadConfig({ CLOUDLINK_STORE_PATH: join(dir, 'flags', 'cloudlink.json'), CLOUDLINK_ENCRYPTION_KEY: KEY });

  it('refuse an unknown option or a stray argument with their usage, before touching the store', async () => {
    for (const [run, usage] of [
      [() => migrateCommand(lowdb(), silentLogger, ['--dry-run']), /Unknown option --dry-run\.\n\nUsage: cloudlink migrate/],
      [() => exportCommand(lowdb(), silentLogger, ['--out', 'x.json']), /Unknown option --out\.\n\nUsage: cloudlink export \[--file <path>\]/],
      [() => importCommand(lowdb(), silentLogger, ['--file', 'x.json', '--force']), /Unknown option --force\.\n\nUsage: cloudlink import --file <export.json> \[--replace\]/],
      [() => importCommand(lowdb(), silentLogger, ['x.json']), /Unexpected argument "x.json"\.\n\nUsage: cloudlink import/],
      [() => exportCommand(lowdb(), silentLogger, ['--file']), /--file needs a value\.\n\nUsage: cloudlink export/],
      [() => importCommand(lowdb(), silentLogger, ['--replace=yes', '--file', 'x.json']), /--replace takes no value/],
      [() => importCommand(lowdb(), silentLogger, []), /import needs the export to load: --file <export.json>/],
    ] as const) {
      expect((await rejects(run())).message).toMatch(usage);
    }
  });

  it('print their usage for --help, on stdout, and exit 0', async () => {
    for (const [command, usage] of [
      ['migrate', /^Usage: cloudlink migrate\n/],
      ['export', /^Usage: cloudlink export \[--file <path>\]\n/],
      ['import', /^Usage: cloudlink import --file <export.json> \[--replace\]\n/],
    ] as const) {
      const r = await cli([command, '--help']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(usage);
      expect(r.stderr).toBe('');
    }
    const bad = await cli(['export', '--everything']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/Unknown option --everything\.\n\nUsage: cloudlink export/);
  });

  it('say a missing import file was not found, and what to do, not ENOENT', async () => {
    const missing = join(dir, 'no-such-export.json');
    const message = (await rejects(importCommand(lowdb(), silentLogger, ['--file', missing]))).message;
    expect(message).toMatch(/no-such-export\.json was not found .*Check the path, or make an export first with `cloudlink export --file <path>`\. Nothing was imported\./);
    expect(message).not.toMatch(/ENOENT|no such file/);
    await migrateCommand(lowdb(), silentLogger);
    const { LowdbStore } = await import('../../src/store/lowdb-store.js');
    await new LowdbStore(join(dir, 'flags', 'cloudlink.json')).init();
    const folder = (await rejects(exportCommand(lowdb(), silentLogger, ['--file', join(dir, 'no-folder', 'x.json')]))).message;
    expect(folder).toMatch(/Cannot write .*x\.json: its folder .*no-folder does not exist\. Create it, or give another --file\./);
    expect((await rejects(importCommand(lowdb(), silentLogger, ['--file', dir]))).message).toMatch(/is a folder: give the export file to import/);
  });
});

describe('a backup or a migration of a store that is not there', () => {
  it('is refused, creating nothing (an empty backup restored with --replace would wipe the real store)', async () => {
    const { existsSync } = await import('node:fs');
    const nowhere = loadConfig({ CLOUDLINK_STORE_PATH: join(dir, 'not-here', 'cloudlink.json'), CLOUDLINK_ENCRYPTION_KEY: KEY });
    expect((await rejects(exportCommand(nowhere, silentLogger, ['--file', join(dir, 'backup.json')]))).message).toMatch(/^No cloudlink store at .*not-here\/cloudlink\.json \(CLOUDLINK_STORE_PATH\)\. Run it from the folder where cloudlink runs, or set CLOUDLINK_STORE_PATH/);
    expect(await migrateCommand(nowhere, silentLogger)).toMatch(/not-here\/cloudlink\.json is a lowdb file: it migrates itself when read; nothing to do \(there is none there yet/);
    expect(existsSync(join(dir, 'not-here'))).toBe(false);
    expect(existsSync(join(dir, 'backup.json'))).toBe(false);
  });
});

describe('migrate says what it did', () => {
  it('names the migrations it applied, then that the database is up to date', async () => {
    const config = loadConfig({ CLOUDLINK_DATABASE_URL: db.url, CLOUDLINK_ENCRYPTION_KEY: KEY });
    const first = await migrateCommand(config, silentLogger);
    expect(first).toMatch(/^Applied \d+ migrations? to postgresql:\/\/.*: 001_records\.sql, .*\. It is up to date \(\d+ applied in all\)\.$/);
    const again = await migrateCommand(config, silentLogger);
    expect(again).toMatch(/is already up to date: all \d+ migrations were applied before\. Nothing to do\./);
    expect(Number(/all (\d+) migrations/.exec(again)![1])).toBe(Number(/\((\d+) applied in all\)/.exec(first)![1]));
    const lowdb = await migrateCommand(loadConfig({ CLOUDLINK_STORE_PATH: join(dir, 'm', 'cloudlink.json') }), silentLogger);
    expect(lowdb).toMatch(/is a lowdb file: it migrates itself when read; nothing to do/);
  });
});
