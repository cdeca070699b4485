import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEngine } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Engine } from '../../src/engine/index.js';
import type { Actor } from '../../src/engine/schemas.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { AwsFake } from '../fakes/aws-fake.js';
import { MicrosoftFake } from '../fakes/microsoft-fake.js';

export const admin: Actor = { id: 'U_ADMIN', name: 'Ada Admin', via: 'slack', role: 'admin' };
export const member: Actor = { id: 'U_MEMBER', name: 'Max Member', via: 'slack', role: 'member' };

export type Harness = { engine: Engine; aws: AwsFake; ms: MicrosoftFake; dir: string; storePath: string; env: Record<string, string>; close(): Promise<void> };

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
    CLOUDLINK_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    AWS_ACCESS_KEY_ID: aws.platform.accessKeyId,
    AWS_SECRET_ACCESS_KEY: 'platform-secret-key-for-tests-only',
    ...extra,
  };
}

export async function harness(opts: { env?: Record<string, string>; now?: () => Date; log?: Logger } = {}): Promise<Harness> {
  const aws = new AwsFake();
  await aws.start();
  const ms = new MicrosoftFake();
  await ms.start();
  const dir = await mkdtemp(join(tmpdir(), 'cloudlink-test-'));
  const env = fakeEnv(aws, dir, opts.env, ms);
  // The SDK's default credential chain reads these: the same path production takes.
  process.env.AWS_ACCESS_KEY_ID = env.AWS_ACCESS_KEY_ID;
  process.env.AWS_SECRET_ACCESS_KEY = env.AWS_SECRET_ACCESS_KEY;
  const engine = await buildEngine(loadConfig(env), { log: opts.log ?? silentLogger, now: opts.now });
  return {
    engine,
    aws,
    ms,
    dir,
    storePath: env.CLOUDLINK_STORE_PATH!,
    env,
    async close() {
      engine.watcher.stop();
      await aws.stop();
      await ms.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Deploys "the stack" in the fake: the role the setup's template would create. */
export function deployStack(aws: AwsFake, setup: { aws?: { roleName: string; externalId: string; stackName: string } }, accountId: string, extra: Partial<Parameters<AwsFake['addRole']>[0]> = {}) {
  const arn = `arn:aws:iam::${accountId}:role/${setup.aws!.roleName}`;
  aws.addRole({ arn, accountId, externalId: setup.aws!.externalId, ...extra });
  aws.stacks.push({ accountId, name: setup.aws!.stackName, status: 'CREATE_COMPLETE', outputs: { RoleArn: arn } });
  return arn;
}
