import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { testDatabase } from '../helpers/postgres.js';

/**
 * One-shot commands on both stores end by themselves once they printed: the CLI's safety net would
 * end a process that lingers only after 10 s, so a command that takes seconds left something open.
 */
const PROMPT_MS = 4000;
const KEY = Buffer.alloc(32, 7).toString('base64');

let dir: string;
let db: Awaited<ReturnType<typeof testDatabase>>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudlink-oneshot-'));
  db = await testDatabase();
});
afterAll(async () => {
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

const cli = (args: string[], env: Record<string, string>, stdin?: string, cwd = dir) => runCli(args, { cwd, home: dir, env: { CLOUDLINK_CLI_ACTOR: 'tester', ...env }, ...(stdin !== undefined ? { stdin } : {}) });

const stores = (): { name: string; env: Record<string, string> }[] => [
  { name: 'lowdb', env: { CLOUDLINK_STORE_PATH: join(dir, 'lowdb', 'cloudlink.json') } },
  { name: 'PostgreSQL', env: { CLOUDLINK_DATABASE_URL: db.url, CLOUDLINK_ENCRYPTION_KEY: KEY } },
];

describe('one-shot commands close what they opened', () => {
  it('list, change, export, import, migrate, credentials and export aws-config each exit promptly on both stores', async () => {
    for (const store of stores()) {
      const exportFile = join(dir, `${store.name}.json`);
      const runs: [string[], number][] = [
        [['migrate'], 0],
        // A command that writes creates the lowdb store; those that only read need it there (see below).
        [['create-webhook', '--name', `hook-${store.name}`, '--url', 'https://example.com/hook'], 0],
        [['list-accounts'], 0],
        [['list-webhooks', '--output', 'json'], 0],
        [['rename-account', '--account', 'nobody', '--new-name', 'x'], 1],
        [['export', '--file', exportFile], 0],
        [['import', '--file', exportFile], 1],
        [['export', 'aws-config'], 0],
        [['credentials', 'nobody'], 1],
      ];
      for (const [args, code] of runs) {
        const r = await cli(args, store.env);
        expect(r.code, `${store.name}: ${args.join(' ')}: ${r.stderr}`).toBe(code);
        expect(r.ms, `${store.name}: ${args.join(' ')} took ${r.ms} ms`).toBeLessThan(PROMPT_MS);
        expect(r.stderr, `${store.name}: ${args.join(' ')}`).not.toMatch(/still open/);
      }
    }
    // What the commands wrote is there: the change went through before the store closed.
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const { rows } = await c.query<{ n: number }>("SELECT count(*)::int AS n FROM cloudlink_records WHERE collection = 'webhooks' AND NOT deleted");
      expect(rows[0]!.n).toBe(1);
      // And no connection of those processes is left behind.
      const left = await c.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'cloudlink%'");
      expect(left.rows[0]!.n).toBe(0);
    } finally {
      await c.end();
    }
  }, 120_000);

  it('answers an operation\'s --help and refuses its unknown flags without opening the store', async () => {
    const path = join(dir, 'untouched', 'cloudlink.json');
    const help = await cli(['list-accounts', '--help'], { CLOUDLINK_STORE_PATH: path });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/cloudlink list-accounts: /);
    const bad = await cli(['list-accounts', '--colour', 'red'], { CLOUDLINK_STORE_PATH: path });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Unknown option --colour/);
    expect(existsSync(path)).toBe(false);
    // An unknown database is not even asked.
    const pgHelp = await cli(['list-accounts', '--help'], { CLOUDLINK_DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none', CLOUDLINK_ENCRYPTION_KEY: KEY });
    expect(pgHelp.code, pgHelp.stderr).toBe(0);
  });

  it('leaves the store usable after a command that failed on its input (the next one reads it)', async () => {
    await writeFile(join(dir, 'not-json.json'), '{');
    const env = { CLOUDLINK_DATABASE_URL: db.url, CLOUDLINK_ENCRYPTION_KEY: KEY };
    const bad = await cli(['import', '--file', join(dir, 'not-json.json')], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/is not a cloudlink export: it is not valid JSON/);
    const list = await cli(['list-webhooks'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/hook-PostgreSQL/);
  });
});

describe('commands that only read, run where there is no lowdb store', () => {
  it('credentials, export aws-config and read-only operations refuse, naming the path and what to do, and create nothing; a command that writes still creates it', async () => {
    const cwd = join(dir, 'elsewhere');
    await mkdir(cwd, { recursive: true });
    const expected = `No cloudlink store at ${join(cwd, 'data', 'cloudlink.json')} (CLOUDLINK_STORE_PATH, relative to ${cwd}). Run it from the folder where cloudlink runs, or set CLOUDLINK_STORE_PATH (or CLOUDLINK_DATABASE_URL / CLOUDLINK_API_URL).`;
    for (const args of [['credentials', 'some-account'], ['export', 'aws-config'], ['export', 'aws-config', '--file', join(cwd, 'aws-config')], ['list-accounts'], ['get-audit-log'], ['list-webhooks']]) {
      const r = await cli(args, {}, undefined, cwd);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.stderr.trim().split('\n').at(-1), args.join(' ')).toBe(expected);
    }
    expect(await readdir(cwd)).toEqual([]);
    // Named by an absolute path, it says just that.
    const absolute = await cli(['list-accounts'], { CLOUDLINK_STORE_PATH: join(cwd, 'x', 'cloudlink.json') }, undefined, cwd);
    expect(absolute.stderr).toContain(`No cloudlink store at ${join(cwd, 'x', 'cloudlink.json')} (CLOUDLINK_STORE_PATH). Run it from`);

    const write = await cli(['create-webhook', '--name', 'first', '--url', 'https://example.com/hook'], {}, undefined, cwd);
    expect(write.code, write.stderr).toBe(0);
    expect(existsSync(join(cwd, 'data', 'cloudlink.json'))).toBe(true);
    const list = await cli(['list-webhooks'], {}, undefined, cwd);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/first/);
  });

  it('export aws-config on PostgreSQL says the tools need the database settings (or the REST API) in their environment', async () => {
    const env = { CLOUDLINK_DATABASE_URL: db.url, CLOUDLINK_ENCRYPTION_KEY: KEY };
    const file = join(dir, 'pg-aws-config');
    const written = await cli(['export', 'aws-config', '--file', file], env);
    expect(written.code, written.stderr).toBe(0);
    const note = 'The profiles run cloudlink on PostgreSQL: the tools that use them (prowler, steampipe, the AWS CLI…) need CLOUDLINK_DATABASE_URL and CLOUDLINK_ENCRYPTION_KEY in their environment (they are not written into the file), or CLOUDLINK_API_URL and CLOUDLINK_API_TOKEN to ask the cloudlink service instead.';
    expect(written.stdout).toMatch(/^Wrote \d+ profiles? to /);
    expect(written.stdout).toContain(note);
    expect(await readFile(file, 'utf8')).not.toMatch(/CLOUDLINK_DATABASE_URL|CLOUDLINK_ENCRYPTION_KEY|postgres/);
    // To stdout, the config stays alone there and the note goes to stderr.
    const printed = await cli(['export', 'aws-config'], env);
    expect(printed.stdout).toMatch(/^# Written by cloudlink export aws-config/);
    expect(printed.stdout).not.toContain(note);
    expect(printed.stderr).toContain(note);
    // With a command of one's own, or on lowdb, there is nothing to add.
    const own = await cli(['export', 'aws-config', '--file', file, '--command', 'cloudlink'], env);
    expect(own.stdout).not.toContain(note);
  });
});
