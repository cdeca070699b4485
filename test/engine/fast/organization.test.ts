import { describe, expect, it } from 'vitest';
import { CloudlinkError } from '../../../src/engine/errors.js';
import { awsFamily } from '../../../src/engine/families/aws/index.js';
import { linkOrganization, listOrganization, resyncOrganization, unlinkOrganization } from '../../../src/engine/families/aws/organization/operations.js';
import { completeAwsSetup } from '../../../src/engine/families/aws-role/operations.js';
import { listAccounts } from '../../../src/engine/operations/accounts.js';
import { deleteAccount } from '../../../src/engine/operations/delete-account.js';
import { admin, deployRole, member, memoryEngine } from '../../helpers/memory.js';
import { MGMT, rollOut, sampleOrganization } from '../../helpers/organization.js';

async function linkedManagement(opts: Parameters<typeof memoryEngine>[0] = {}) {
  const e = await memoryEngine(opts);
  const setup = await e.engine.run(awsFamily.start, admin, { kind: 'management' });
  await e.engine.run(completeAwsSetup, admin, { setupId: setup.setupId, name: 'Payer', roleArn: deployRole(e.aws, setup, MGMT, { organization: { state: 'member', id: 'o-abc', managementAccountId: MGMT } }) });
  sampleOrganization(e.aws);
  return e;
}

const states = async (e: Awaited<ReturnType<typeof memoryEngine>>) =>
  Object.fromEntries((await e.store.read()).organizations[0]!.members.map((m) => [m.accountId, m.state]));

describe('linking a whole organization', () => {
  it('discovers the tree, hands out the rollout, and links each member once its role appears, verified like a single link', async () => {
    const e = await linkedManagement();
    const first = await e.engine.run(linkOrganization, admin, { managementAccount: 'Payer' });
    expect(first.summary).toMatchObject({ discovered: 5, linkedNow: 0 });
    expect(first.rollout?.parameters).toMatchObject({ OrganizationalUnitIds: 'r-ab12', RoleName: 'CloudlinkMember', ExternalId: first.organization.externalId });
    expect(first.rollout?.quickCreateUrl).toMatch(/quickcreate.*aws-organization-stackset\.yaml/);
    expect(await states(e)).toEqual({ '100000000001': 'waiting_for_role', '100000000002': 'waiting_for_role', '100000000003': 'waiting_for_role', '100000000004': 'suspended' });
    expect(first.organization.ous.find((o) => o.name === 'Prod')).toMatchObject({ total: 2, counts: { waiting_for_role: 1, suspended: 1 } });

    rollOut(e.aws, first.organization.externalId!, ['100000000001', '100000000002']);
    e.aws.instances = [
      { accountId: '100000000001', status: 'CURRENT', detailedStatus: 'SUCCEEDED' },
      { accountId: '100000000002', status: 'CURRENT', detailedStatus: 'SUCCEEDED' },
      { accountId: '100000000003', status: 'INOPERABLE', detailedStatus: 'FAILED', reason: 'Role CloudlinkMember already exists' },
    ];
    const again = await e.engine.run(resyncOrganization, admin, { organization: 'Payer' });
    expect(again.summary.linkedNow).toBe(2);
    expect(await states(e)).toMatchObject({ '100000000001': 'linked', '100000000002': 'linked', '100000000003': 'role_missing' });
    const { accounts } = await e.engine.run(listAccounts, admin, { provider: 'aws' });
    expect(accounts.map((a) => a.aws!.accountId).sort()).toEqual([MGMT, '100000000001', '100000000002']);
    expect(accounts.find((a) => a.aws!.accountId === '100000000001')).toMatchObject({ status: 'connected', aws: { kind: 'linked', managementAccountName: 'Payer', roleArn: 'arn:aws:iam::100000000001:role/CloudlinkMember' } });
    const missing = (await e.engine.run(listOrganization, admin, { organization: 'Payer' })).members[0]!;
    expect(missing).toMatchObject({ accountId: '100000000003', state: 'role_missing', reason: expect.stringMatching(/already exists/), fix: expect.stringMatching(/Stack instances/) });

    // A third pass changes nothing and links nothing twice.
    const third = await e.engine.run(resyncOrganization, admin, { organization: 'Payer' });
    expect(third.changes).toEqual([]);
    expect((await e.engine.run(listAccounts, admin, { provider: 'aws' })).total).toBe(3);
    const audit = (await e.store.read()).audit.filter((x) => x.operation === 'resync_organization' && x.details.to === 'linked');
    expect(audit).toHaveLength(2);
  });

  it('refuses a member role that can be assumed without the External ID, and one whose trust does not match', async () => {
    const e = await linkedManagement();
    const { organization: o } = await e.engine.run(linkOrganization, admin, { managementAccount: 'Payer' });
    rollOut(e.aws, o.externalId!, ['100000000001']);
    e.aws.roles.get('arn:aws:iam::100000000001:role/CloudlinkMember')!.trustsWithoutExternalId = true;
    rollOut(e.aws, 'cl-another-organization', ['100000000002']);
    e.aws.instances = [{ accountId: '100000000002', status: 'CURRENT', detailedStatus: 'SUCCEEDED' }];
    await e.engine.run(resyncOrganization, admin, { organization: 'o-abc' });
    const { members } = await e.engine.run(listOrganization, admin, { organization: 'Payer' });
    expect(members.find((m) => m.accountId === '100000000001')).toMatchObject({ state: 'error', reason: expect.stringMatching(/without the External ID/) });
    expect(members.find((m) => m.accountId === '100000000002')).toMatchObject({ state: 'access_denied', fix: expect.stringMatching(/Update the stack instance/) });
    expect((await e.engine.run(listAccounts, admin, { provider: 'aws' })).total).toBe(1);
  });

  it('follows the filter: OUs included or excluded, accounts excluded by hand, moved accounts with their new OU', async () => {
    const e = await linkedManagement();
    const { organization: o } = await e.engine.run(linkOrganization, admin, { managementAccount: 'Payer', includeOus: ['ou-ab12-11111111'], excludeAccounts: ['100000000001'] });
    expect(await states(e)).toMatchObject({ '100000000001': 'excluded', '100000000002': 'waiting_for_role', '100000000003': 'excluded' });
    rollOut(e.aws, o.externalId!, ['100000000002', '100000000003']);
    await e.engine.run(resyncOrganization, admin, { organization: 'Payer' });
    expect(await states(e)).toMatchObject({ '100000000002': 'linked', '100000000003': 'excluded' });
    // 003 moves into Prod: it follows its new OU's filter and is linked.
    e.aws.org.accounts.find((a) => a.id === '100000000003')!.parentId = 'ou-ab12-22222222';
    const moved = await e.engine.run(resyncOrganization, admin, { organization: 'Payer' });
    expect(moved.changes).toEqual([expect.objectContaining({ accountId: '100000000003', from: 'excluded', to: 'linked' })]);
  });

  it('flags suspended and removed members, never deleting what is linked', async () => {
    const e = await linkedManagement();
    const { organization: o } = await e.engine.run(linkOrganization, admin, { managementAccount: 'Payer' });
    rollOut(e.aws, o.externalId!, ['100000000001', '100000000002']);
    await e.engine.run(resyncOrganization, admin, { organization: 'Payer' });
    e.aws.org.accounts = e.aws.org.accounts.filter((a) => a.id !== '100000000001');
    e.aws.org.accounts.find((a) => a.id === '100000000002')!.status = 'PENDING_CLOSURE';
    const r = await e.engine.run(resyncOrganization, admin, { organization: 'Payer' });
    expect(r.changes.map((c) => `${c.accountId}:${c.from}->${c.to}`).sort()).toEqual(['100000000001:linked->removed', '100000000002:linked->suspended']);
    expect((await e.engine.run(listAccounts, admin, { provider: 'aws' })).total).toBe(3);
    expect((await e.engine.run(listOrganization, admin, { organization: 'Payer', state: 'removed' })).members[0]).toMatchObject({ accountId: '100000000001', linkedAccount: { name: 'Account 001' }, fix: expect.stringMatching(/stays until you delete it/) });
  });

  it('tells whoever linked the organization what changed, once per pass', async () => {
    const e = await linkedManagement();
    const { organization: o } = await e.engine.run(linkOrganization, admin, { managementAccount: 'Payer' });
    rollOut(e.aws, o.externalId!, ['100000000001', '100000000002', '100000000003']);
    // Another admin (or the schedule) resyncs: the one who linked it hears; whoever ran a pass sees its result there.
    await e.engine.run(resyncOrganization, { ...admin, id: 'U_OTHER' }, { organization: 'Payer' });
    await e.engine.jobs.outbox.deliver();
    const told = e.notifier.to(admin.id).filter((n) => n.kind === 'organization_changed');
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ changes: [{ state: 'linked', count: 3 }], byState: { linked: 3, suspended: 1 } });
  });

  it('unlinks only with the management account name typed, deleting the members linked through it and keeping the management account', async () => {
    const e = await linkedManagement();
    const { organization: o } = await e.engine.run(linkOrganization, admin, { managementAccount: 'Payer' });
    rollOut(e.aws, o.externalId!, ['100000000001', '100000000002']);
    await e.engine.run(resyncOrganization, admin, { organization: 'Payer' });
    await expect(e.engine.run(deleteAccount, admin, { account: 'Payer', confirmName: 'Payer' })).rejects.toMatchObject({ code: 'HAS_LINKED_ACCOUNTS', message: expect.stringMatching(/Unlink its organization first/) });
    const subject = await e.engine.confirmation(unlinkOrganization, admin, { organization: 'Payer' });
    expect(subject.question).toMatch(/deletes 2 member accounts linked through it/);
    await expect(e.engine.run(unlinkOrganization, member, { organization: 'Payer', confirmName: 'Payer' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(e.engine.run(unlinkOrganization, admin, { organization: 'Payer', confirmName: 'payer', expectedId: subject.id })).rejects.toMatchObject({ code: 'CONFIRMATION_MISMATCH' });
    const out = await e.engine.run(unlinkOrganization, admin, { organization: 'Payer', confirmName: 'Payer', expectedId: subject.id });
    expect(out.deletedAccounts).toBe(2);
    expect((await e.engine.run(listAccounts, admin, {})).accounts.map((a) => a.name)).toEqual(['Payer']);
    expect((await e.store.read()).organizations).toEqual([]);
  });

  it('links the organization with the management account when the same stack rolled the member role out', async () => {
    const e = await memoryEngine();
    const setup = await e.engine.run(awsFamily.start, admin, { kind: 'management', rollOutTo: ['r-ab12'] });
    const q = new URLSearchParams(new URL(setup.quickCreateUrl!).hash.split('?')[1]);
    expect(q.get('param_OrganizationalUnitIds')).toBe('r-ab12');
    expect(q.get('param_MemberRoleName')).toBe('CloudlinkMember');
    const memberExternalId = q.get('param_MemberExternalId')!;
    expect(memberExternalId).not.toBe(setup.aws!.externalId);
    await e.engine.run(completeAwsSetup, admin, { setupId: setup.setupId, name: 'Payer', roleArn: deployRole(e.aws, setup, MGMT) });
    const [org] = (await e.store.read()).organizations;
    expect(org).toMatchObject({ externalId: memberExternalId, stackSetName: `cloudlink-members-${setup.aws!.stackName}`, filter: { includeOus: [] } });
    sampleOrganization(e.aws);
    rollOut(e.aws, memberExternalId, ['100000000001']);
    await e.engine.run(resyncOrganization, admin, { organization: 'Payer' });
    expect(await states(e)).toMatchObject({ '100000000001': 'linked' });
  });

  it('refuses a linked account or a name that is not a management account', async () => {
    const e = await linkedManagement();
    const err = await e.engine.run(linkOrganization, admin, { managementAccount: 'nope' }).catch((x: CloudlinkError) => x);
    expect(err).toMatchObject({ code: 'NOT_FOUND', fields: { managementAccount: expect.any(String) } });
    expect(await e.engine.run(awsFamily.start, admin, { kind: 'linked', rollOutTo: ['r-ab12'] }).catch((x: CloudlinkError) => x.code)).toBe('INVALID_INPUT');
  });
});
