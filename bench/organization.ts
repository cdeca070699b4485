import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeEngine } from '../src/compose.js';
import { loadConfig } from '../src/config.js';
import { awsFamily } from '../src/engine/families/aws/index.js';
import { linkOrganization, resyncOrganization } from '../src/engine/families/aws/organization/operations.js';
import { completeAwsSetup } from '../src/engine/families/aws-role/operations.js';
import type { Actor } from '../src/engine/domain/records.js';
import { silentLogger } from '../src/log.js';
import { AwsFake } from '../test/fakes/aws-fake.js';

const admin: Actor = { id: 'U_BENCH', name: 'bench', via: 'slack', role: 'admin' };
const MGMT = '100000000000';

/**
 * An organization of `accounts` accounts in `ous` OUs (a quarter top-level, the rest nested) on the
 * local AWS fake, every answer delayed by `latencyMs` and `throttleRate` of them throttled: discovery,
 * every member linked (verified like a single link), then a resync of the unchanged organization.
 */
export async function organizationBench(opts: { accounts: number; ous: number; latencyMs: number; throttleRate: number }) {
  const aws = new AwsFake();
  await aws.start();
  const dir = await mkdtemp(join(tmpdir(), 'cloudlink-bench-org-'));
  process.env.AWS_ACCESS_KEY_ID = aws.platform.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = 'platform-secret-key-for-bench';
  const config = loadConfig({
    CLOUDLINK_STORE_PATH: join(dir, 'cloudlink.json'),
    CLOUDLINK_AWS_ENDPOINT: aws.url,
    CLOUDLINK_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
    CLOUDLINK_AWS_PROPAGATION_TIMEOUT_SECONDS: '0',
    CLOUDLINK_TEMPLATE_BASE_URL: 'https://templates.example/v1/',
    AWS_ACCESS_KEY_ID: aws.platform.accessKeyId,
    AWS_SECRET_ACCESS_KEY: 'platform-secret-key-for-bench',
  });
  const { engine, store } = await composeEngine(config, { log: silentLogger });
  try {
    // The management account, linked as a person would.
    const setup = await engine.run(awsFamily.start, admin, { kind: 'management' });
    const mgmtArn = `arn:aws:iam::${MGMT}:role/${setup.aws!.roleName}`;
    aws.addRole({ arn: mgmtArn, accountId: MGMT, externalId: setup.aws!.externalId!, organization: { id: 'o-bench', managementAccountId: MGMT } });
    await engine.run(completeAwsSetup, admin, { setupId: setup.setupId, name: 'Payer', roleArn: mgmtArn });

    // The organization, and the member roles its StackSet created.
    const top = Math.max(1, Math.round(opts.ous / 4));
    const ous = Array.from({ length: opts.ous }, (_, i) => ({ id: `ou-bench-${String(i).padStart(8, '0')}`, name: `OU ${i}`, parentId: i < top ? 'r-bench' : `ou-bench-${String(i % top).padStart(8, '0')}` }));
    const members = Array.from({ length: opts.accounts }, (_, i) => ({ id: String(200000000000 + i), name: `Workload ${i}`, email: `aws+${i}@example.com`, status: 'ACTIVE', joinedMethod: 'CREATED' as const, parentId: ous[i % ous.length]!.id }));
    aws.org = { id: 'o-bench', managementAccountId: MGMT, rootId: 'r-bench', ous, accounts: [{ id: MGMT, name: 'Payer', email: 'root@example.com', status: 'ACTIVE', parentId: 'r-bench' }, ...members] };
    // The organization's record and External ID first (no member roles yet): what the rollout is built from.
    const first = await engine.run(linkOrganization, admin, { managementAccount: 'Payer' });
    const externalId = (await store.read()).organizations[0]!.externalId;
    for (const m of members) aws.addRole({ arn: `arn:aws:iam::${m.id}:role/CloudlinkMember`, accountId: m.id, externalId });
    const stackSetName = first.organization.stackSetName;
    aws.stackSets.push({ name: stackSetName, accountId: MGMT });
    aws.stackInstances = members.map((m) => ({ stackSetName, accountId: m.id, region: 'us-east-1', status: 'CURRENT', detailedStatus: 'SUCCEEDED' }));

    aws.latencyMs = opts.latencyMs;
    aws.throttleRate = opts.throttleRate;
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const callsBefore = aws.calls.length;
    const t0 = performance.now();
    let discoveredAt = 0;
    const linked = await engine.run(resyncOrganization, admin, { organization: 'Payer' }, { progress: (_d, _t, message) => void (discoveredAt ||= /Verifying/.test(message) ? performance.now() : 0) });
    const total = performance.now() - t0;
    const calls = aws.calls.length - callsBefore;
    clearInterval(sampler);

    const db = await store.read();
    const ids = db.accounts.filter((a) => a.provider === 'aws' && 'aws' in a && a.aws.viaOrganization).map((a) => ('aws' in a ? a.aws.accountId : ''));
    const t1 = performance.now();
    const resync = await engine.run(resyncOrganization, admin, { organization: 'Payer' });
    const resyncMs = performance.now() - t1;
    const concurrency = config.CLOUDLINK_ORG_CONCURRENCY;
    return {
      discoveryMs: discoveredAt - t0,
      linkMs: total,
      calls,
      throttled: aws.throttled,
      floorMs: (calls * opts.latencyMs) / concurrency,
      concurrency,
      linked: linked.organization.counts.linked,
      unique: new Set(ids).size,
      peakRss: peak,
      resyncMs,
      resyncChanges: resync.changes.length,
    };
  } finally {
    engine.jobs.watcher.stop();
    await aws.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
