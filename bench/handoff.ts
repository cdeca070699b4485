import { createHmac } from 'node:crypto';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { composeService } from '../src/compose.js';
import { loadConfig } from '../src/config.js';
import type { Actor } from '../src/engine/domain/records.js';
import { silentLogger } from '../src/log.js';
import { AwsFake } from '../test/fakes/aws-fake.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { testDatabase } from '../test/helpers/postgres.js';
import { databaseWith, writeStore } from './fixtures.js';
import { median, percentile } from './stats.js';

const admin: Actor = { id: 'U_BENCH', via: 'slack', role: 'admin' };
const TOKEN = 'bench-api-token-0123456789abcdef';

/** The service as `npm start` builds it (REST API on, webhooks on, jobs driven by hand), on a lowdb store of `n` accounts, against the AWS fake. */
async function service(dir: string, n: number, aws: AwsFake, store: 'lowdb' | 'postgres' = 'lowdb') {
  const path = join(dir, `handoff-${n}-${Date.now()}.json`);
  let extra: Record<string, string> = {};
  let drop: () => Promise<void> = async () => undefined;
  if (store === 'postgres') {
    const db = await testDatabase();
    const seed = new PostgresStore(db.url);
    await seed.init();
    await seed.mutate((d) => void d.accounts.push(...databaseWith(n).accounts));
    await seed.close();
    extra = { CLOUDLINK_DATABASE_URL: db.url };
    drop = db.drop;
  } else await writeStore(path, n);
  process.env.AWS_ACCESS_KEY_ID = aws.platform.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = 'platform-secret-key-for-bench-only';
  const env = {
    CLOUDLINK_STORE_PATH: path,
    CLOUDLINK_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
    CLOUDLINK_AWS_ENDPOINT: aws.url,
    CLOUDLINK_HTTP_PORT: 'off',
    CLOUDLINK_API_TOKENS: `${TOKEN}=bench:admin`,
    CLOUDLINK_WEBHOOK_ALLOW_HTTP: 'true',
    CLOUDLINK_LOG_LEVEL: 'error',
    AWS_ACCESS_KEY_ID: aws.platform.accessKeyId,
    AWS_SECRET_ACCESS_KEY: 'platform-secret-key-for-bench-only',
    ...extra,
  };
  const s = await composeService(loadConfig(env), { log: silentLogger, jobs: false, apiPort: 0 });
  return { s, env, path, drop };
}

/**
 * Credentials vended per second over the REST API with a warm cache of assumed-role sessions: 16
 * clients at once asking for 50 accounts round-robin (after one AssumeRole each), every vend audited
 * (group-committed to the store). Then `credential_process` as the SDK runs it: a process per call.
 */
export async function vendBench(dir: string, opts: { accounts: number; requests: number; concurrency: number; cli?: string; store?: 'lowdb' | 'postgres' }) {
  const aws = new AwsFake();
  await aws.start();
  const { s, env, drop } = await service(dir, opts.accounts, aws, opts.store);
  try {
    const db = await s.store.read();
    const targets = db.accounts.slice(0, 50);
    for (const a of targets) {
      const d = (a as { aws: { roleArn: string; accountId: string; externalId: string } }).aws;
      aws.addRole({ arn: d.roleArn, accountId: d.accountId, externalId: d.externalId });
    }
    const vend = async (i: number) => {
      const res = await fetch(`${s.api!.url}/v1/get-aws-credentials`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ account: targets[i % targets.length]!.id }) });
      if (res.status !== 200) throw new Error(`vend answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    };
    for (let i = 0; i < targets.length; i++) await vend(i); // warm: one AssumeRole per account
    const assumedBefore = aws.callsOf('AssumeRole').length;
    const latencies: number[] = [];
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: opts.concurrency }, async () => {
        while (next < opts.requests) {
          const i = next++;
          const t = performance.now();
          await vend(i);
          latencies.push(performance.now() - t);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const assumedDuring = aws.callsOf('AssumeRole').length - assumedBefore;
    const audited = (await s.store.read()).audit.filter((e) => e.operation === 'get_aws_credentials').length;

    // credential_process: a new process per call (the SDK caches what it gets until near expiry).
    const spawns: number[] = [];
    const account = targets[0]!.id;
    for (let i = 0; opts.cli && i < 7; i++) {
      const t = performance.now();
      await promisify(execFile)(process.execPath, [opts.cli!, 'credentials', account], { env: { ...process.env, ...env } });
      spawns.push(performance.now() - t);
    }
    return { perSecond: opts.requests / seconds, median: median(latencies), p99: percentile(latencies, 99), assumedDuring, audited, spawnMedian: median(spawns) };
  } finally {
    await s.stop();
    await drop();
    await aws.stop();
  }
}

/**
 * One account event fanned out to 100 subscribers: the time from the rename's answer until every
 * subscriber's receiver (on 127.0.0.1, verifying each signature) has it, and the outbox has recorded
 * all 100 as delivered. Median and worst of `events` renames.
 */
export async function fanOutBench(dir: string, opts: { subscribers: number; events: number; accounts: number }) {
  const aws = new AwsFake();
  await aws.start();
  const secrets = new Map<string, string>();
  let received = 0;
  let refused = 0;
  const rx = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const ts = String(req.headers['x-cloudlink-request-timestamp']);
      const secret = secrets.get(req.url ?? '') ?? '';
      const ok = req.headers['x-cloudlink-signature'] === 'v0=' + createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex');
      if (ok) received++;
      else refused++;
      res.writeHead(ok ? 204 : 401).end();
    });
  });
  await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(rx.address() as AddressInfo).port}`;
  const { s } = await service(dir, opts.accounts, aws);
  try {
    const create = s.engine.find('create_webhook')!;
    for (let i = 0; i < opts.subscribers; i++) {
      const out = (await s.engine.run(create, admin, { name: `Subscriber ${i}`, url: `${base}/s/${i}`, events: ['cloudlink.account.renamed'] })) as { secret: string };
      secrets.set(`/s/${i}`, out.secret);
    }
    const rename = s.engine.find('rename_account')!;
    const target = (await s.store.read()).accounts[1]!.id;
    const times: number[] = [];
    for (let e = 0; e < opts.events; e++) {
      const want = received + opts.subscribers;
      const t0 = performance.now();
      await s.engine.run(rename, admin, { account: target, newName: `Renamed ${e}` });
      while (received < want) await new Promise((r) => setImmediate(r));
      await s.engine.jobs.outbox.idle();
      times.push(performance.now() - t0);
    }
    const delivered = (await s.store.read()).outbox.filter((i) => i.recipient.channel === 'webhook' && i.status === 'delivered').length;
    return { median: median(times), max: Math.max(...times), delivered, refused };
  } finally {
    await s.stop();
    rx.closeAllConnections();
    await new Promise<void>((r) => rx.close(() => r()));
    await aws.stop();
  }
}
