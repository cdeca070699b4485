import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/mcp.js';
import { testDatabase } from '../helpers/postgres.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudlink-help-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Run = { code: number | null; signal: string | null; stdout: string; stderr: string };

/** The built CLI; `onStderr` sees stderr as it comes (to signal it at the right moment). */
function spawnCli(args: string[], env: Record<string, string>, opts: { stdin?: string; onStderr?: (all: string, child: ReturnType<typeof spawn>) => void } = {}) {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, CLOUDLINK_HTTP_PORT: '0', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    opts.onStderr?.(stderr, child);
  });
  if (opts.stdin !== undefined) child.stdin!.write(opts.stdin);
  const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
  const done = new Promise<Run>((r) =>
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      r({ code, signal, stdout, stderr });
    }),
  );
  return { child, done, stdout: () => stdout, stderr: () => stderr };
}

const initialize = `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'test', version: '1' } } })}\n`;

describe('help', () => {
  it('serve --help and mcp --help print their usage on stdout and start nothing', async () => {
    const store = join(dir, 'help', 'cloudlink.json');
    for (const [command, usage] of [
      ['serve', /^Usage: cloudlink serve\n/],
      ['mcp', /^Usage: cloudlink mcp \[--read-only\] \[--require-elicitation\] \[--typed-confirmation\]\n/],
    ] as const) {
      for (const flag of ['--help', '-h']) {
        const r = await spawnCli([command, flag], { CLOUDLINK_STORE_PATH: store }).done;
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toMatch(usage);
        expect(r.stderr).toBe('');
      }
    }
    expect(existsSync(store)).toBe(false);
    // An option that is not one stays an error, on stderr.
    const bad = await spawnCli(['serve', '--port', '1'], { CLOUDLINK_STORE_PATH: store }).done;
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/Unknown option --port\.\n\nUsage: cloudlink serve/);
  });
});

describe('cloudlink mcp with a broken configuration', () => {
  it('says what is wrong and answers nothing, instead of first telling the assistant all is well', async () => {
    const r = await spawnCli(['mcp'], { CLOUDLINK_STORE_PATH: join(dir, 'mcp', 'cloudlink.json'), CLOUDLINK_MCP_TOKENS: 'short=bot' }, { stdin: initialize }).done;
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/CLOUDLINK_MCP_TOKENS: each entry must look like/);
  });

  it('still answers the opening from the build\'s record when the configuration is fine', async () => {
    const run = spawnCli(['mcp'], { CLOUDLINK_STORE_PATH: join(dir, 'mcp-ok', 'cloudlink.json'), CLOUDLINK_LOG_LEVEL: 'error' }, { stdin: initialize });
    const t0 = Date.now();
    while (!run.stdout().includes('\n') && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 10));
    run.child.kill('SIGTERM');
    await run.done;
    // The record's answer is a plain JSON-RPC line with "jsonrpc" first; the SDK's own puts "result" first.
    expect(run.stdout().split('\n')[0]).toMatch(/^\{"jsonrpc":"2\.0","id":1,"result":\{/);
  });
});

describe('the start-up summary\'s MCP stdio line', () => {
  it('names the command an assistant spawns by absolute path (not npm run, whose banner lands on stdout), and that command answers JSON-RPC from its first byte', async () => {
    const store = join(dir, 'summary', 'cloudlink.json');
    const run = spawnCli(['serve'], { CLOUDLINK_STORE_PATH: store });
    const t0 = Date.now();
    while (!/\n  MCP stdio .*\n/.test(run.stderr()) && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
    run.child.kill('SIGTERM');
    await run.done;
    const line = /\n  MCP stdio  (.*)\n/.exec(run.stderr())?.[1];
    expect(line, run.stderr()).toBe(`${process.execPath} ${CLI} mcp (what desktop assistants spawn: this command and its arguments, by absolute path)`);
    expect(line).not.toMatch(/npm/);
    // Exactly that command, from another folder, as an assistant runs it.
    const [command, ...args] = line!.replace(/ \(.*$/, '').split(' ');
    const mcp = spawn(command!, args, { cwd: tmpdir(), env: { PATH: process.env.PATH ?? '', HOME: dir, CLOUDLINK_STORE_PATH: store, CLOUDLINK_LOG_LEVEL: 'error' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    mcp.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    mcp.stdin.write(initialize);
    const t1 = Date.now();
    while (!stdout.includes('\n') && Date.now() - t1 < 20_000) await new Promise((r) => setTimeout(r, 10));
    mcp.kill('SIGTERM');
    expect(stdout).toMatch(/^\{"jsonrpc":"2\.0","id":1,"result":\{/);
  });
});

/** A TCP proxy to PostgreSQL that holds every connection until `release()`: start-up waits there. */
async function heldProxy(target: URL): Promise<{ port: number; connections: () => number; release(): void; close(): Promise<void> }> {
  const waiting: (() => void)[] = [];
  let released = false;
  let count = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    count++;
    sockets.add(client);
    client.pause();
    const go = () => {
      const up = createConnection(Number(target.port || 5432), target.hostname);
      sockets.add(up);
      client.pipe(up).pipe(client);
      client.resume();
      up.on('error', () => client.destroy());
      client.on('error', () => up.destroy());
    };
    if (released) go();
    else waiting.push(go);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => count,
    release() {
      released = true;
      for (const go of waiting.splice(0)) go();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('a signal during serve start-up', () => {
  const KEY = Buffer.alloc(32, 3).toString('base64');

  it('lowdb, at any moment of a first start: it exits promptly (0 once it heard the signal), the store and its key whole, no lock left', async () => {
    for (let delay = 0; delay <= 480; delay += 40) {
      const store = join(dir, `early-${delay}`, 'cloudlink.json');
      const run = spawnCli(['serve'], { CLOUDLINK_STORE_PATH: store });
      setTimeout(() => run.child.kill('SIGTERM'), delay);
      const t0 = Date.now();
      const r = await run.done;
      expect(Date.now() - t0, `${delay} ms`).toBeLessThan(5000);
      // Before serve() listens for signals only modules are loading (nothing written): Node's default ends it.
      if (r.signal === null) expect(r.code, `${delay} ms: ${r.stderr}`).toBe(0);
      else expect(r.signal).toBe('SIGTERM');
      if (existsSync(store)) expect(JSON.parse(await readFile(store, 'utf8')), `${delay} ms`).toMatchObject({ accounts: [] });
      const key = store.replace(/\.json$/, '.key');
      if (existsSync(key)) expect(Buffer.from((await readFile(key, 'utf8')).trim(), 'base64'), `${delay} ms`).toHaveLength(32);
      expect(existsSync(`${store}.lock`), `${delay} ms`).toBe(false);
    }
  }, 60_000);

  it('PostgreSQL: a SIGTERM while the database is being reached waits for it, then stops cleanly, leaving no connection', async () => {
    const db = await testDatabase();
    const proxy = await heldProxy(new URL(db.url));
    try {
      const url = new URL(db.url);
      url.host = `127.0.0.1:${proxy.port}`;
      const run = spawnCli(['serve'], { CLOUDLINK_STORE_PATH: join(dir, 'pg', 'cloudlink.json'), CLOUDLINK_DATABASE_URL: url.toString(), CLOUDLINK_ENCRYPTION_KEY: KEY, CLOUDLINK_LEADER_HEARTBEAT_SECONDS: '1' });
      const t0 = Date.now();
      while (proxy.connections() === 0 && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 10));
      expect(proxy.connections()).toBeGreaterThan(0);
      run.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      expect(run.child.exitCode).toBeNull();
      expect(run.stderr()).toMatch(/SIGTERM during start-up; stopping once what is starting has started/);
      proxy.release();
      const r = await run.done;
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/cloudlink is running/);
      expect(r.stderr).toMatch(/"msg":"cloudlink is stopping","signal":"SIGTERM"/);
      // Migrated whole, and nothing of that process is connected any more (the leader lock is free).
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        expect((await c.query('SELECT name FROM cloudlink_migrations ORDER BY name')).rows.map((x) => x.name)).toContain('001_records.sql');
        const left = await c.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'cloudlink%'");
        expect(left.rows[0]!.n).toBe(0);
      } finally {
        await c.end();
      }
    } finally {
      await proxy.close();
      await db.drop();
    }
  }, 40_000);

  it('gives up on a start-up that does not finish within CLOUDLINK_DRAIN_SECONDS, and a second signal stops at once', async () => {
    const db = await testDatabase();
    const proxy = await heldProxy(new URL(db.url));
    try {
      const url = new URL(db.url);
      url.host = `127.0.0.1:${proxy.port}`;
      const env = { CLOUDLINK_STORE_PATH: join(dir, 'stuck', 'cloudlink.json'), CLOUDLINK_DATABASE_URL: url.toString(), CLOUDLINK_ENCRYPTION_KEY: KEY, CLOUDLINK_DRAIN_SECONDS: '1' };
      const waitForProxy = async (n: number) => {
        const t0 = Date.now();
        while (proxy.connections() < n && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 10));
      };
      const stuck = spawnCli(['serve'], env);
      await waitForProxy(1);
      const t0 = Date.now();
      stuck.child.kill('SIGTERM');
      const r = await stuck.done;
      expect(r.code).toBe(1);
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(r.stderr).toMatch(/start-up did not finish within 1 s of SIGTERM; stopping without it/);

      const twice = spawnCli(['serve'], { ...env, CLOUDLINK_DRAIN_SECONDS: '60' });
      await waitForProxy(2);
      twice.child.kill('SIGINT');
      await new Promise((r) => setTimeout(r, 200));
      twice.child.kill('SIGINT');
      const t = await twice.done;
      expect(t.code).toBe(1);
      expect(t.stderr).toMatch(/SIGINT again; stopping now, without waiting/);
    } finally {
      await proxy.close();
      await db.drop();
    }
  }, 40_000);
});
