import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * A PostgreSQL server for the tests, never mocked: CLOUDLINK_TEST_DATABASE_URL when set, else the
 * server on 127.0.0.1:5432 when it answers, else a throwaway cluster started from the machine's own
 * binaries (initdb / pg_ctl, found through `pg_config --bindir`). Each caller gets a database of its
 * own, dropped by `drop()`.
 */
let server: Promise<string> | undefined;

async function answers(url: string) {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** A cluster of its own in a temporary folder, from the machine's PostgreSQL binaries; stopped and removed at exit or by `stop`. */
export function throwawayCluster(): { url: string; dir: string; stop(): void } {
  let bindir = '';
  try {
    bindir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
  } catch {
    /* no pg_config */
  }
  if (!bindir || !existsSync(join(bindir, 'initdb'))) {
    throw new Error('No PostgreSQL for the tests: set CLOUDLINK_TEST_DATABASE_URL, run a server on 127.0.0.1:5432, or install PostgreSQL (Debian: apt-get install postgresql) so initdb and pg_ctl are found.');
  }
  const dir = mkdtempSync(join(tmpdir(), 'cloudlink-pg-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const asUser = process.getuid?.() === 0 ? ['-u', 'postgres'] : [];
  const run = (cmd: string, args: string[]) => {
    const r = asUser.length ? spawnSync('runuser', [...asUser, '--', join(bindir, cmd), ...args], { encoding: 'utf8' }) : spawnSync(join(bindir, cmd), args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  };
  if (asUser.length) execFileSync('chown', ['postgres', dir]);
  run('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres']);
  run('pg_ctl', ['-D', join(dir, 'data'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, '-l', join(dir, 'log'), '-w', 'start']);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      run('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', 'stop']);
    } catch {
      /* already gone */
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', stop);
  return { url: `postgresql://postgres@127.0.0.1:${port}/postgres`, dir, stop };
}

/**
 * Databases left by test processes that were killed before they could drop theirs (their pid is in
 * the name): dropped, on a server on this machine only, where a pid means this machine's process.
 */
async function dropLeftovers(url: string) {
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname)) return;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'cloudlink\\_test\\_%'");
    for (const { datname } of rows) {
      const pid = Number(/^cloudlink_test_(\d+)_[0-9a-f]+$/.exec(datname)?.[1]);
      if (!pid || alive(pid)) continue;
      await c.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`).catch(() => undefined);
    }
  } finally {
    await c.end();
  }
}

function alive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function postgresServer(): Promise<string> {
  server ??= (async () => {
    if (process.env.CLOUDLINK_TEST_DATABASE_URL) return process.env.CLOUDLINK_TEST_DATABASE_URL;
    for (const url of ['postgresql://postgres@127.0.0.1:5432/postgres', 'postgresql://127.0.0.1:5432/postgres']) {
      if (await answers(url)) {
        await dropLeftovers(url).catch(() => undefined);
        return url;
      }
    }
    return throwawayCluster().url;
  })();
  return server;
}

/** A fresh database on the test server, and a way to drop it. */
export async function testDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = await postgresServer();
  const name = `cloudlink_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}
