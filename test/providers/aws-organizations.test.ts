import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloudlinkError } from '../../src/engine/errors.js';
import type { AwsSession } from '../../src/engine/ports/aws.js';
import { SdkAwsGateway, type AwsProviderConfig } from '../../src/providers/aws/sdk-gateway.js';
import { AwsFake, type FakeOrgAccount, type FakeOrganization } from '../fakes/aws-fake.js';

/**
 * The Organizations half of the AWS gateway on the real SDK against the local fake: discovery of a
 * nested tree through every page, throttling, refusals, StackSet instances, bulk member verification.
 */
const MGMT = '111111111111';
const MGMT_ROLE = `arn:aws:iam::${MGMT}:role/cloudlink-management`;
const EXTERNAL_ID = 'cl-test-external-id-0123456789abcdef';

let fake: AwsFake;
let gateway: SdkAwsGateway;

function gatewayFor(extra: Partial<AwsProviderConfig> = {}) {
  return new SdkAwsGateway({
    region: 'us-east-1',
    endpoint: fake.url,
    credentials: { accessKeyId: fake.platform.accessKeyId, secretAccessKey: 'platform-secret-key-for-tests-only' },
    maxAttempts: 3,
    requestTimeoutMs: 2_000,
    retryBaseMs: 50,
    hasCredentialSource: true,
    ...extra,
  });
}

/** A deterministic stand-in for Math.random (mulberry32), so a throttling run can be replayed. */
function seeded(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const account = (n: number, parentId: string, extra: Partial<FakeOrgAccount> = {}): FakeOrgAccount => ({
  id: String(200_000_000_000 + n),
  name: `Account ${n}`,
  email: `aws+${n}@example.com`,
  status: 'ACTIVE',
  joinedMethod: 'CREATED',
  joinedTimestamp: new Date(Date.UTC(2024, 0, 1) + n * 86_400_000).toISOString(),
  parentId,
  ...extra,
});

/** root → Workloads → Prod (45 accounts: three full-size pages) and Sandbox; accounts at every level. */
function nestedOrg(): FakeOrganization {
  const accounts: FakeOrgAccount[] = [
    { ...account(0, 'r-abcd'), id: MGMT, name: 'Management', joinedMethod: 'CREATED' },
    account(1, 'r-abcd', { status: 'SUSPENDED', joinedMethod: 'INVITED' }),
    account(2, 'ou-abcd-workload', { status: 'PENDING_CLOSURE' }),
    ...Array.from({ length: 45 }, (_, i) => account(100 + i, 'ou-abcd-prod')),
    account(3, 'ou-abcd-sandbox'),
  ];
  return {
    id: 'o-exampleorg1',
    managementAccountId: MGMT,
    rootId: 'r-abcd',
    ous: [
      { id: 'ou-abcd-workload', name: 'Workloads', parentId: 'r-abcd' },
      { id: 'ou-abcd-prod', name: 'Prod', parentId: 'ou-abcd-workload' },
      { id: 'ou-abcd-sandbox', name: 'Sandbox', parentId: 'r-abcd' },
      { id: 'ou-abcd-empty', name: 'Empty', parentId: 'ou-abcd-prod' },
    ],
    accounts,
    emptyPagesBeforeLast: 1,
  };
}

async function managementSession(): Promise<AwsSession> {
  return gateway.openSession({ roleArn: MGMT_ROLE, externalId: EXTERNAL_ID, region: 'us-east-1' });
}

async function rejection(p: Promise<unknown>): Promise<CloudlinkError> {
  const e = await p.then(
    () => {
      throw new Error('expected a CloudlinkError, but it succeeded');
    },
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(CloudlinkError);
  return e as CloudlinkError;
}

const orgCalls = () => fake.calls.filter((c) => c.service === 'organizations');

beforeEach(async () => {
  fake = new AwsFake();
  await fake.start();
  fake.addRole({ arn: MGMT_ROLE, accountId: MGMT, externalId: EXTERNAL_ID, organization: { id: 'o-exampleorg1', managementAccountId: MGMT } });
  fake.org = nestedOrg();
  gateway = gatewayFor();
});
afterEach(async () => {
  await gateway.close();
  await fake.stop();
});

describe('openSession', () => {
  it('assumes the management role with the External ID, once, and refuses a wrong one without waiting for propagation', async () => {
    await managementSession();
    expect(fake.callsOf('AssumeRole')).toHaveLength(1);
    expect(fake.callsOf('AssumeRole')[0]!.params).toMatchObject({ RoleArn: MGMT_ROLE, ExternalId: EXTERNAL_ID });

    const t0 = Date.now();
    const e = await rejection(gateway.openSession({ roleArn: MGMT_ROLE, externalId: 'cl-another-setups-id', region: 'us-east-1' }));
    expect(e.code).toBe('ASSUME_ROLE_DENIED');
    expect(fake.callsOf('AssumeRole')).toHaveLength(2);
    expect(Date.now() - t0).toBeLessThan(1_500);
  });
});

describe('discoverOrganization', () => {
  it('walks a nested tree through every page, empty pages included, and returns each account once with its direct parent', async () => {
    const session = await managementSession();
    const d = await gateway.discoverOrganization(session);

    expect(d.rootId).toBe('r-abcd');
    expect(d.nodes).toEqual([
      { id: 'r-abcd', name: 'Root', kind: 'root' },
      { id: 'ou-abcd-workload', name: 'Workloads', kind: 'ou', parentId: 'r-abcd' },
      { id: 'ou-abcd-sandbox', name: 'Sandbox', kind: 'ou', parentId: 'r-abcd' },
      { id: 'ou-abcd-prod', name: 'Prod', kind: 'ou', parentId: 'ou-abcd-workload' },
      { id: 'ou-abcd-empty', name: 'Empty', kind: 'ou', parentId: 'ou-abcd-prod' },
    ]);

    const org = fake.org!;
    expect(d.accounts).toHaveLength(org.accounts.length);
    expect(new Set(d.accounts.map((a) => a.id)).size).toBe(org.accounts.length);
    for (const want of org.accounts) {
      expect(d.accounts.find((a) => a.id === want.id)).toEqual({
        id: want.id,
        name: want.name,
        email: want.email,
        status: want.status,
        joinedMethod: want.joinedMethod,
        joinedAt: want.joinedTimestamp,
        parentId: want.parentId,
      });
    }
    expect(d.accounts.filter((a) => a.parentId === 'ou-abcd-prod')).toHaveLength(45);
    expect(d.accounts.find((a) => a.id === String(200_000_000_001))?.status).toBe('SUSPENDED');

    // Pages of at most 20, each list followed to its end: Prod's accounts are 20 + 20 + 5 plus the empty page.
    const calls = orgCalls();
    expect(calls.every((c) => c.accessKeyId !== fake.platform.accessKeyId)).toBe(true);
    expect(calls.every((c) => Number(c.params.MaxResults) === 20)).toBe(true);
    const prodAccounts = calls.filter((c) => c.action === 'ListAccountsForParent' && c.params.ParentId === 'ou-abcd-prod');
    expect(prodAccounts).toHaveLength(4);
    expect(prodAccounts.filter((c) => c.params.NextToken === undefined)).toHaveLength(1);
    for (const parent of ['r-abcd', 'ou-abcd-workload', 'ou-abcd-prod', 'ou-abcd-sandbox', 'ou-abcd-empty']) {
      expect(calls.some((c) => c.action === 'ListOrganizationalUnitsForParent' && c.params.ParentId === parent)).toBe(true);
      expect(calls.some((c) => c.action === 'ListAccountsForParent' && c.params.ParentId === parent)).toBe(true);
    }
    expect(d.calls).toBe(calls.length);
  });

  it('reads State when AWS no longer sends the retired Status', async () => {
    fake.org = { ...nestedOrg(), omitStatus: true };
    const d = await gateway.discoverOrganization(await managementSession());
    expect(d.accounts.find((a) => a.id === String(200_000_000_001))?.status).toBe('SUSPENDED');
    expect(d.accounts.find((a) => a.id === String(200_000_000_002))?.status).toBe('PENDING_CLOSURE');
  });

  it('rides out 30% throttling (TooManyRequestsException) with every account found, counting the retries', async () => {
    fake.org = { ...nestedOrg(), emptyPagesBeforeLast: 0 }; // 13 pages: the adaptive limiter slows to ~1 request/s under random throttling
    const session = await managementSession();
    fake.random = seeded(14);
    fake.throttleRate = 0.3;
    const d = await gateway.discoverOrganization(session);

    expect(d.accounts).toHaveLength(fake.org!.accounts.length);
    expect(new Set(d.accounts.map((a) => a.id)).size).toBe(fake.org!.accounts.length);
    const answered = orgCalls().length - fake.throttled; // pages actually delivered
    expect(fake.throttled).toBeGreaterThan(0);
    expect(d.calls).toBe(orgCalls().length);
    expect(d.calls).toBeGreaterThan(answered);
  }, 90_000);

  it('says CLOUD_THROTTLED when the throttling outlasts the retries', async () => {
    gateway = gatewayFor({ maxAttempts: 2, bulkMaxAttempts: 2 });
    const session = await managementSession();
    fake.throttleRate = 1;
    const e = await rejection(gateway.discoverOrganization(session));
    expect(e.code).toBe('CLOUD_THROTTLED');
    expect(e.message).toMatch(/Organizations kept throttling.*ListRoots.*after 2 attempts/);
    expect(orgCalls()).toHaveLength(2);
  });

  it('refuses a session of another account than the management account with the permissions to grant', async () => {
    const member = `arn:aws:iam::222222222222:role/cloudlink-member`;
    fake.addRole({ arn: member, accountId: '222222222222', externalId: EXTERNAL_ID, organization: { id: 'o-exampleorg1', managementAccountId: MGMT } });
    const session = await gateway.openSession({ roleArn: member, externalId: EXTERNAL_ID, region: 'us-east-1' });
    const e = await rejection(gateway.discoverOrganization(session));
    expect(e.code).toBe('PERMISSION_MISSING');
    expect(e.message).toContain('organizations:ListRoots');
    expect(e.message).toContain('organizations:ListAccountsForParent');
    expect(e.message).toMatch(/Update the management account's cloudlink stack/);
    expect(e.details).toMatchObject({ missing: 'organizations:ListRoots' });
    expect(orgCalls()).toHaveLength(1); // AccessDenied is not retried
  });

  it('names the one permission the management role lacks', async () => {
    fake.roles.get(MGMT_ROLE)!.deny = ['organizations:ListAccountsForParent'];
    const e = await rejection(gateway.discoverOrganization(await managementSession()));
    expect(e.code).toBe('PERMISSION_MISSING');
    expect(e.message).toMatch(/refused organizations:ListAccountsForParent/);
  });

  it('says when the account is not in an organization', async () => {
    fake.roles.get(MGMT_ROLE)!.organization = 'none';
    const e = await rejection(gateway.discoverOrganization(await managementSession()));
    expect(e.code).toBe('NOT_ORGANIZATION_MANAGEMENT');
    expect(e.message).toMatch(/not part of an AWS Organization/);
  });
});

describe('listStackInstances', () => {
  it('pages the StackSet instances and reads their statuses', async () => {
    fake.stackInstances = [
      { stackSetName: 'cloudlink-org', accountId: '200000000100', region: 'us-east-1', status: 'CURRENT', detailedStatus: 'SUCCEEDED', ouId: 'ou-abcd-prod' },
      { stackSetName: 'cloudlink-org', accountId: '200000000101', region: 'us-east-1', status: 'OUTDATED', detailedStatus: 'RUNNING' },
      { stackSetName: 'cloudlink-org', accountId: '200000000102', region: 'us-east-1', status: 'OUTDATED', detailedStatus: 'FAILED', statusReason: 'Account 200000000102 should have \'AWSCloudFormationStackSetExecutionRole\' role with trust relationship to Role \'AWSCloudFormationStackSetAdministrationRole\'.' },
      { stackSetName: 'cloudlink-org', accountId: '200000000001', region: 'us-east-1', status: 'INOPERABLE', detailedStatus: 'SKIPPED_SUSPENDED_ACCOUNT' },
      ...Array.from({ length: 130 }, (_, i) => ({ stackSetName: 'cloudlink-org', accountId: String(300_000_000_000 + i), region: 'us-east-1', status: 'CURRENT', detailedStatus: 'SUCCEEDED' })),
      { stackSetName: 'someone-elses', accountId: '200000000103', region: 'us-east-1', status: 'CURRENT', detailedStatus: 'SUCCEEDED' },
    ];
    const instances = await gateway.listStackInstances(await managementSession(), 'cloudlink-org', 'us-east-1');
    expect(instances).toHaveLength(134);
    expect(instances!.slice(0, 4)).toEqual([
      { accountId: '200000000100', status: 'CURRENT', detailedStatus: 'SUCCEEDED' },
      { accountId: '200000000101', status: 'OUTDATED', detailedStatus: 'RUNNING' },
      { accountId: '200000000102', status: 'OUTDATED', detailedStatus: 'FAILED', reason: expect.stringContaining('AWSCloudFormationStackSetExecutionRole') },
      { accountId: '200000000001', status: 'INOPERABLE', detailedStatus: 'SKIPPED_SUSPENDED_ACCOUNT' },
    ]);
    const calls = fake.callsOf('ListStackInstances');
    expect(calls).toHaveLength(2);
    expect(calls[0]!.params).toMatchObject({ StackSetName: 'cloudlink-org', CallAs: 'SELF' });
    expect(calls[1]!.params.NextToken).toBeTruthy();
  });

  it('returns an empty list for a StackSet without instances, null for no StackSet or no permission', async () => {
    fake.stackSets.push({ name: 'cloudlink-org', accountId: MGMT });
    const session = await managementSession();
    expect(await gateway.listStackInstances(session, 'cloudlink-org', 'us-east-1')).toEqual([]);
    expect(await gateway.listStackInstances(session, 'not-deployed-yet', 'us-east-1')).toBeNull();
    fake.roles.get(MGMT_ROLE)!.deny = ['cloudformation:ListStackInstances'];
    expect(await gateway.listStackInstances(await managementSession(), 'cloudlink-org', 'us-east-1')).toBeNull();
  });
});

describe('verifyRole for organization members', () => {
  const memberRole = (n: number) => `arn:aws:iam::${String(400_000_000_000 + n)}:role/cloudlink-member`;
  const addMember = (n: number) =>
    fake.addRole({ arn: memberRole(n), accountId: String(400_000_000_000 + n), externalId: EXTERNAL_ID, organization: { id: 'o-exampleorg1', managementAccountId: MGMT } });

  it('makes no Organizations call with skipOrganization (and DescribeOrganization without it)', async () => {
    addMember(1);
    const v = await gateway.verifyRole({ roleArn: memberRole(1), externalId: EXTERNAL_ID, region: 'us-east-1', retryForMs: 0, skipOrganization: true });
    expect(v.accountId).toBe('400000000001');
    expect(v.organization.state).toBe('unknown');
    expect(orgCalls()).toHaveLength(0);

    const full = await gateway.verifyRole({ roleArn: memberRole(1), externalId: EXTERNAL_ID, region: 'us-east-1', retryForMs: 0 });
    expect(full.organization).toEqual({ state: 'member', id: 'o-exampleorg1', managementAccountId: MGMT });
    expect(orgCalls().map((c) => c.action)).toEqual(['DescribeOrganization']);
  });

  it('loses no member to STS throttling (30%) when many are verified at once', async () => {
    const n = 8;
    for (let i = 0; i < n; i++) addMember(i);
    fake.random = seeded(7);
    fake.throttleRate = 0.3;
    const results = await Promise.allSettled(
      Array.from({ length: n }, (_, i) => gateway.verifyRole({ roleArn: memberRole(i), externalId: EXTERNAL_ID, region: 'us-east-1', retryForMs: 0, skipOrganization: true })),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(fake.throttled).toBeGreaterThan(0);
  }, 90_000);

  it('keeps the person-facing behaviour without skipOrganization: throttling beyond three attempts is reported', async () => {
    addMember(1);
    fake.throttleRate = 1;
    const e = await rejection(gateway.verifyRole({ roleArn: memberRole(1), externalId: EXTERNAL_ID, region: 'us-east-1', retryForMs: 0 }));
    expect(e.code).toBe('CLOUD_THROTTLED');
    expect(fake.callsOf('AssumeRole')).toHaveLength(3);
  });
});
