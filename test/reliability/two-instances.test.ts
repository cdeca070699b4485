import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseWith } from '../../bench/fixtures.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { AwsFake } from '../fakes/aws-fake.js';
import { fakeEnv } from '../helpers/engine.js';
import { CLI, makeClient } from '../helpers/mcp.js';
import { testDatabase } from '../helpers/postgres.js';

/**
 * Two instances of `cloudlink serve` on one PostgreSQL database, as behind a load balancer: writes
 * through both lose nothing, and background work runs once and moves when its instance dies.
 */
const TOKEN = 'tok-two-instances-0123456789';
let db: Awaited<ReturnType<typeof testDatabase>>;
let aws: AwsFake;
let dir: string;
let env: Record<string, string>;
const children: ChildProcess[] = [];

type Instance = { child: ChildProcess; mcp: string; ops: string; stderr: () => string };

function start(name: string, extra: Record<string, string> = {}): Promise<Instance> {
  const child = spawn(process.execPath, [CLI, 'serve'], { env: { PATH: process.env.PATH ?? '', HOME: dir, ...env, ...extra, CLOUDLINK_LOG_LEVEL: 'info' }, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const poll = setInterval(() => {
      const mcp = /MCP HTTP +(http:\/\/\S+\/mcp)/.exec(stderr)?.[1];
      const ops = /ops +(http:\/\/\S+?)\/healthz/.exec(stderr)?.[1];
      if (mcp && ops) {
        clearInterval(poll);
        resolve({ child, mcp, ops, stderr: () => stderr });
      } else if (child.exitCode !== null || Date.now() - t0 > 20_000) {
        clearInterval(poll);
        reject(new Error(`${name} did not start: ${stderr}`));
      }
    }, 50);
  });
}

async function client(url: string) {
  const c = makeClient();
  await c.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } }));
  return c;
}

beforeAll(async () => {
  db = await testDatabase();
  aws = new AwsFake();
  await aws.start();
  dir = await mkdtemp(join(tmpdir(), 'cloudlink-two-'));
  env = {
    ...fakeEnv(aws, dir),
    CLOUDLINK_DATABASE_URL: db.url,
    CLOUDLINK_AWS_PRINCIPAL_ARN: aws.platform.arn,
    CLOUDLINK_MCP_HTTP_PORT: '0',
    CLOUDLINK_MCP_TOKENS: `${TOKEN}=ops-bot:admin`,
    CLOUDLINK_MCP_SESSIONS_PER_TOKEN: '100',
    CLOUDLINK_HTTP_PORT: '0',
    CLOUDLINK_WATCH_INTERVAL_SECONDS: '1',
    CLOUDLINK_HEALTH_INTERVAL_MINUTES: '0',
  };
  // A store that already holds 100 accounts.
  const seed = new PostgresStore(db.url);
  await seed.init();
  await seed.mutate((d) => void d.accounts.push(...databaseWith(100).accounts));
  await seed.close();
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await aws.stop();
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('two instances on one PostgreSQL database', () => {
  it('lose nothing of 200 concurrent renames and creates split across them, and both serve the result', async () => {
    const [a, b] = await Promise.all([start('a'), start('b')]);
    const [ca, cb] = await Promise.all([client(a.mcp), client(b.mcp)]);
    const { accounts } = (await ca.callTool({ name: 'list_accounts', arguments: { limit: 1000 } })).structuredContent as { accounts: { id: string; name: string }[] };
    expect(accounts).toHaveLength(100);
    const calls = [
      ...accounts.map((acc, i) => (i % 2 ? ca : cb).callTool({ name: 'rename_account', arguments: { account: acc.id, newName: `Renamed ${i}` } })),
      ...Array.from({ length: 100 }, (_, i) => (i % 2 ? cb : ca).callTool({ name: 'start_eks_setup', arguments: { name: `Created ${i}` } })),
    ];
    const results = await Promise.all(calls);
    expect(results.filter((r) => r.isError).map((r) => JSON.stringify(r.content))).toEqual([]);

    const renamed = Array.from({ length: 100 }, (_, i) => `Renamed ${i}`).sort();
    const check = new PostgresStore(db.url);
    await check.init();
    const stored = await check.read();
    expect(stored.accounts.map((x) => x.name).sort()).toEqual(renamed);
    for (const c of [ca, cb]) {
      const list = (await c.callTool({ name: 'list_accounts', arguments: { limit: 1000 } })).structuredContent as { accounts: { name: string }[] };
      expect(list.accounts.map((x) => x.name).sort()).toEqual(renamed);
    }
    expect(stored.setups.filter((s) => s.name?.startsWith('Created '))).toHaveLength(100);
    expect(stored.audit.filter((e) => e.operation === 'rename_account')).toHaveLength(100);
    await check.close();

    // The operator endpoints of each: alive, ready, and counting what they did.
    for (const i of [a, b]) {
      expect((await fetch(`${i.ops}/healthz`)).status).toBe(200);
      const ready = await fetch(`${i.ops}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', store: { ok: true } });
      const metrics = await (await fetch(`${i.ops}/metrics`)).text();
      expect(metrics).toMatch(/cloudlink_operations_total\{operation="rename_account",front_end="mcp",outcome="ok"\} \d+/);
      expect(metrics).toMatch(/cloudlink_store_seconds_bucket/);
    }
    await ca.close();
    await cb.close();
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    const codes = await Promise.all([a, b].map((i) => new Promise((r) => i.child.on('exit', r))));
    expect(codes).toEqual([0, 0]);
  });

  it('run the background work once; when its instance is killed mid-job, the other finishes it', async () => {
    const a = await start('leader');
    await new Promise((r) => setTimeout(r, 1500));
    const b = await start('standby');
    expect(a.stderr()).toMatch(/this instance leads/);
    expect(b.stderr()).not.toMatch(/this instance leads/);

    // A setup the watcher finishes by itself; AWS answers slowly, so the leader is mid-job when it dies.
    const c = await client(b.mcp);
    const setup = (await c.callTool({ name: 'start_aws_setup', arguments: { kind: 'management', name: 'Payer', accountId: '111111111111' } })).structuredContent as { setupId: string; aws: { roleName: string; externalId: string } };
    aws.latencyMs = 1500;
    aws.addRole({ arn: `arn:aws:iam::111111111111:role/${setup.aws.roleName}`, accountId: '111111111111', externalId: setup.aws.externalId });
    const t0 = Date.now();
    while (!aws.callsOf('AssumeRole').length && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 20));
    a.child.kill('SIGKILL');
    aws.latencyMs = 0;

    let status = '';
    const t1 = Date.now();
    while (status !== 'completed' && Date.now() - t1 < 20_000) {
      await new Promise((r) => setTimeout(r, 250));
      status = ((await c.callTool({ name: 'get_setup_status', arguments: { setupId: setup.setupId } })).structuredContent as { setup: { status: string } }).setup.status;
    }
    expect(status).toBe('completed');
    expect(b.stderr()).toMatch(/this instance leads/);
    const accounts = (await c.callTool({ name: 'list_accounts', arguments: { provider: 'aws' } })).structuredContent as { accounts: { name: string }[] };
    expect(accounts.accounts.map((x) => x.name)).toContain('Payer');
    await c.close();
    b.child.kill('SIGTERM');
  }, 60_000);
});

describe('a leader that freezes without closing its connection', () => {
  it('is ended by the server after three missed heartbeats, and the other instance leads within four', async () => {
    const fast = { CLOUDLINK_LEADER_HEARTBEAT_SECONDS: '1' };
    const a = await start('leader', fast);
    await new Promise((r) => setTimeout(r, 1200));
    const b = await start('standby', fast);
    expect(a.stderr()).toMatch(/this instance leads/);
    // SIGSTOP: the process lives on and its socket stays open, as a hung process or a cut-off host's would.
    a.child.kill('SIGSTOP');
    const t0 = Date.now();
    while (!/this instance leads/.test(b.stderr()) && Date.now() - t0 < 15_000) await new Promise((r) => setTimeout(r, 100));
    const took = Date.now() - t0;
    expect(b.stderr()).toMatch(/this instance leads/);
    // The bound is 4 heartbeats; the margin is for a loaded machine. Without the server-side timeout it would never move.
    expect(took).toBeLessThan(10_000);
    const ready = (await (await fetch(`${b.ops}/readyz`)).json()) as { background: { detail: string } };
    expect(ready.background.detail).toBe('this instance leads');
    a.child.kill('SIGCONT');
    a.child.kill('SIGKILL');
    b.child.kill('SIGTERM');
  }, 60_000);
});
