import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeEngine, composeService, type Composed, type Service, type ServiceOptions } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import type { Engine } from '../../src/engine/engine.js';
import type { Actor, Database } from '../../src/engine/domain/records.js';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/engine/ports/store.js';
import type { Gateways } from '../../src/engine/context.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { AwsFake } from '../fakes/aws-fake.js';
import { testDatabase } from './postgres.js';
import { MicrosoftFake } from '../fakes/microsoft-fake.js';

export const admin: Actor = { id: 'U_ADMIN', name: 'Ada Admin', via: 'slack', role: 'admin' };
export const member: Actor = { id: 'U_MEMBER', name: 'Max Member', via: 'slack', role: 'member' };

export type Harness = {
  engine: Engine;
  store: Store;
  gateways: Gateways;
  aws: AwsFake;
  ms: MicrosoftFake;
  dir: string;
  storePath: string;
  env: Record<string, string>;
  /** What the store holds at rest, as text: the lowdb file, or every PostgreSQL row's data. */
  atRest(): Promise<string>;
  /** The stored data as a fresh reader sees it (not this engine's cached snapshot). */
  stored(): Promise<Database>;
  close(): Promise<void>;
};

/** Environment that points every cloud client at the local fakes; shared by in-process and spawned servers. */
export function fakeEnv(aws: AwsFake, dir: string, extra: Record<string, string> = {}, ms?: MicrosoftFake): Record<string, string> {
  return {
    ...(ms ? { CLOUDLINK_AZURE_AUTHORITY_HOST: ms.url, CLOUDLINK_ARM_ENDPOINT: ms.url, CLOUDLINK_GRAPH_ENDPOINT: ms.url } : {}),
    ...(process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS } : {}),
    CLOUDLINK_STORE_PATH: join(dir, 'cloudlink.json'),
    CLOUDLINK_AWS_ENDPOINT: aws.url,
    CLOUDLINK_AWS_REGION: 'us-east-1',
    CLOUDLINK_AWS_PROPAGATION_TIMEOUT_SECONDS: '2',
    CLOUDLINK_AWS_RETRY_BASE_MS: '50',
    CLOUDLINK_TEMPLATE_BASE_URL: 'https://cloudlink-templates.s3.amazonaws.com/v1/',
    // The operator endpoints on a free port: test files run side by side.
    CLOUDLINK_HTTP_PORT: '0',
    CLOUDLINK_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    AWS_ACCESS_KEY_ID: aws.platform.accessKeyId,
    AWS_SECRET_ACCESS_KEY: 'platform-secret-key-for-tests-only',
    ...extra,
  };
}

type HarnessOptions = { env?: Record<string, string>; now?: () => Date; log?: Logger; service?: ServiceOptions };

async function fakes(opts: HarnessOptions) {
  const aws = new AwsFake();
  await aws.start();
  const ms = new MicrosoftFake();
  await ms.start();
  const dir = await mkdtemp(join(tmpdir(), 'cloudlink-test-'));
  // CLOUDLINK_TEST_STORE=postgres runs the same tests on a PostgreSQL database of their own.
  const pgdb = process.env.CLOUDLINK_TEST_STORE === 'postgres' ? await testDatabase() : undefined;
  const env = fakeEnv(aws, dir, { ...(pgdb ? { CLOUDLINK_DATABASE_URL: pgdb.url } : {}), ...opts.env }, ms);
  // The SDK's default credential chain reads these: the same path production takes.
  process.env.AWS_ACCESS_KEY_ID = env.AWS_ACCESS_KEY_ID;
  process.env.AWS_SECRET_ACCESS_KEY = env.AWS_SECRET_ACCESS_KEY;
  return { aws, ms, dir, env, pgdb };
}

function harnessOf(c: Composed, f: Awaited<ReturnType<typeof fakes>>, stop: () => Promise<void>): Harness {
  return {
    engine: c.engine,
    store: c.store,
    gateways: c.gateways,
    ...f,
    storePath: f.env.CLOUDLINK_STORE_PATH!,
    async atRest() {
      if (!f.pgdb) return readFile(f.env.CLOUDLINK_STORE_PATH!, 'utf8');
      const client = new pg.Client({ connectionString: f.pgdb.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ data: unknown }>('SELECT data FROM cloudlink_records ORDER BY collection, id');
        return rows.map((r) => JSON.stringify(r.data)).join('\n');
      } finally {
        await client.end();
      }
    },
    async stored() {
      if (!f.pgdb) return JSON.parse(await readFile(f.env.CLOUDLINK_STORE_PATH!, 'utf8')) as Database;
      const fresh = new PostgresStore(f.pgdb.url);
      await fresh.init();
      try {
        return structuredClone(await fresh.read()) as Database;
      } finally {
        await fresh.close();
      }
    },
    async close() {
      await stop();
      c.engine.jobs.watcher.stop();
      c.engine.jobs.outbox.stop();
      await (c.store as { close?: () => Promise<void> }).close?.();
      await f.pgdb?.drop();
      await f.aws.stop();
      await f.ms.stop();
      await rm(f.dir, { recursive: true, force: true });
    },
  };
}

/** The engine as the composition root builds it, on a store file in a fresh folder, against the local fakes. */
export async function harness(opts: HarnessOptions = {}): Promise<Harness> {
  const f = await fakes(opts);
  const c = await composeEngine(loadConfig(f.env), { log: opts.log ?? silentLogger, ...(opts.now ? { now: opts.now } : {}) });
  return harnessOf(c, f, async () => undefined);
}

/** The whole service (Slack, MCP over HTTP as configured) as `npm start` builds it, jobs driven by hand. */
export async function serviceHarness(opts: HarnessOptions = {}): Promise<Harness & { service: Service }> {
  const f = await fakes(opts);
  const service = await composeService(loadConfig(f.env), { log: opts.log ?? silentLogger, jobs: false, ...(opts.now ? { now: opts.now } : {}), ...opts.service });
  return { ...harnessOf(service, f, () => service.stop()), service };
}

/** Deploys "the stack" in the fake: the role the setup's template would create. */
export function deployStack(aws: AwsFake, setup: { aws?: { roleName: string; externalId?: string; stackName: string } }, accountId: string, extra: Partial<Parameters<AwsFake['addRole']>[0]> = {}) {
  const arn = `arn:aws:iam::${accountId}:role/${setup.aws!.roleName}`;
  aws.addRole({ arn, accountId, externalId: setup.aws!.externalId!, ...extra });
  aws.stacks.push({ accountId, name: setup.aws!.stackName, status: 'CREATE_COMPLETE', outputs: { RoleArn: arn } });
  return arn;
}
