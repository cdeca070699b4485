import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/engine/domain/records.js';
import { awsFamily } from '../../src/engine/families/aws/index.js';
import type { RoleHandout } from '../../src/engine/families/aws-role/handout.js';
import { completeAwsSetup } from '../../src/engine/families/aws-role/operations.js';
import { eksFamily } from '../../src/engine/families/eks/index.js';
import { getAccount, listAccounts } from '../../src/engine/operations/accounts.js';
import { getAuditLog } from '../../src/engine/operations/audit-log.js';
import { deleteAccount } from '../../src/engine/operations/delete-account.js';
import { asFinding, checkAccount, checkAllAccounts, listConfigurationErrors } from '../../src/engine/operations/health.js';
import { acceptInvite, inviteColleague, listInvites, revokeInvite } from '../../src/engine/operations/invites.js';
import { renameAccount } from '../../src/engine/operations/rename-account.js';
import { getSetupStatus } from '../../src/engine/operations/setups.js';
import { admin, deployStack, harness, member, type Harness } from '../helpers/engine.js';
import { rejects } from '../helpers/rejects.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});


const startAwsSetup = awsFamily.start;
/** Starts an AWS setup: the family's start operation, whose output is the CloudFormation hand-out. */
const startAws = (actor: Actor, input: Record<string, unknown>) => h.engine.run(startAwsSetup, actor, input) as Promise<RoleHandout>;
const startEks = (actor: Actor, input: Record<string, unknown>) => h.engine.run(eksFamily.start, actor, input) as Promise<RoleHandout>;
const completeAws = (actor: Actor, input: { setupId: string; name?: string; roleArn: string; accountId?: string }) => h.engine.run(completeAwsSetup, actor, input);
const total = async () => (await h.engine.run(listAccounts, admin, {})).total;
const auditLog = (input: { account?: string; limit?: number }) => h.engine.run(getAuditLog, admin, input);
const linkedNotifications = async () => (await h.store.read()).outbox.filter((i) => i.notification.kind === 'account_linked');

async function linkManagement(name = 'Payer', accountId = '111111111111') {
  const setup = await startAws(admin, { kind: 'management' });
  const roleArn = deployStack(h.aws, setup, accountId, { organization: { id: 'o-abc123', managementAccountId: accountId } });
  const { account } = await completeAws(admin, { setupId: setup.setupId, name, roleArn });
  return { setup, account, roleArn };
}

describe('startAwsSetup', () => {
  it('generates a fresh External ID, a quick-create URL and the template for each setup', async () => {
    const a = await startAws(admin, { kind: 'management', region: 'eu-west-1' });
    const b = await startAws(admin, { kind: 'management' });
    expect(a.aws!.externalId).toMatch(/^[\w+=,.@:/-]{32,1224}$/);
    expect(a.aws!.externalId).not.toBe(b.aws!.externalId);
    expect(a.aws!.trustedPrincipalArn).toBe(h.aws.platform.arn);
    const url = new URL(a.quickCreateUrl!);
    expect(url.host).toBe('console.aws.amazon.com');
    expect(url.searchParams.get('region')).toBe('eu-west-1');
    const hash = new URLSearchParams(url.hash.split('?')[1]);
    expect(hash.get('templateURL')).toBe('https://cloudlink-templates.s3.amazonaws.com/v1/aws-integration-role.yaml');
    expect(hash.get('param_ExternalId')).toBe(a.aws!.externalId);
    expect(hash.get('param_TrustedPrincipalArn')).toBe(h.aws.platform.arn);
    expect(hash.get('stackName')).toBe(a.aws!.stackName);
    expect(a.templateBody).toContain('sts:ExternalId');
    expect(a.instructions.length).toBeGreaterThan(3);
  });

  it('never takes an External ID from the caller', async () => {
    await rejects(startAws(admin, { kind: 'management', externalId: 'mine' }), 'INVALID_INPUT');
  });

  it('refuses a linked account before a management account is linked', async () => {
    const e = await rejects(startAws(admin, { kind: 'linked' }), 'MANAGEMENT_REQUIRED');
    expect(e.message).toMatch(/management account first/);
    expect(await total()).toBe(0);
  });
});

describe('completeAwsSetup', () => {
  it('links a management account after AssumeRole with the External ID and a matching GetCallerIdentity', async () => {
    const { setup, account, roleArn } = await linkManagement();
    expect(account).toMatchObject({ name: 'Payer', provider: 'aws', status: 'connected', aws: { kind: 'management', accountId: '111111111111', roleArn, organizationId: 'o-abc123' } });
    expect(account.aws!.stack).toMatchObject({ name: setup.aws!.stackName, status: 'CREATE_COMPLETE' });
    const assumes = h.aws.callsOf('AssumeRole');
    expect(assumes[0]!.params).toMatchObject({ RoleArn: roleArn, ExternalId: setup.aws!.externalId });
    expect(assumes[0]!.accessKeyId).toBe(h.aws.platform.accessKeyId);
    // The confused-deputy probe: one more AssumeRole, without the External ID, which must be denied.
    expect(assumes.some((c) => c.params.ExternalId === undefined)).toBe(true);
    // GetCallerIdentity was signed with the assumed credentials, not the platform's.
    const identity = h.aws.callsOf('GetCallerIdentity').at(-1)!;
    expect(identity.accessKeyId).toMatch(/^ASIA/);
    const status = await h.engine.run(getSetupStatus, admin, { setupId: setup.setupId });
    expect(status.setup.status).toBe('completed');
    expect(status.account?.id).toBe(account.id);
    const audit = await auditLog({ account: account.id });
    expect(audit.entries[0]).toMatchObject({ operation: 'complete_aws_setup', actor: { id: admin.id, via: 'slack' }, target: { id: account.id, name: 'Payer' } });
  });

  it('refuses a wrong External ID with the checklist, and stores nothing', async () => {
    const setup = await startAws(admin, { kind: 'management' });
    const roleArn = `arn:aws:iam::111111111111:role/${setup.aws!.roleName}`;
    h.aws.addRole({ arn: roleArn, accountId: '111111111111', externalId: 'cl-some-other-setup' });
    const e = await rejects(completeAws(admin, { setupId: setup.setupId, name: 'Payer', roleArn }), 'ASSUME_ROLE_DENIED');
    expect(e.message).toContain('not authorized to perform sts:AssumeRole');
    expect(e.message).toContain(setup.aws!.externalId);
    expect(e.message).toMatch(/case-sensitive/);
    expect(e.fields.roleArn).toBeDefined();
    expect(await total()).toBe(0);
    expect((await h.engine.run(getSetupStatus, admin, { setupId: setup.setupId })).setup.status).toBe('open');
  });

  it('waits for a role that is still propagating, then links it', async () => {
    const setup = await startAws(admin, { kind: 'management' });
    const roleArn = deployStack(h.aws, setup, '111111111111', { availableAt: Date.now() + 400 });
    const { account } = await completeAws(admin, { setupId: setup.setupId, name: 'Payer', roleArn });
    expect(account.status).toBe('connected');
    expect(h.aws.callsOf('AssumeRole').filter((c) => c.params.ExternalId).length).toBeGreaterThan(1);
  });

  it('gives up on a role that never appears, saying it may still be propagating', async () => {
    const setup = await startAws(admin, { kind: 'management' });
    const e = await rejects(completeAws(admin, { setupId: setup.setupId, name: 'Payer', roleArn: `arn:aws:iam::111111111111:role/${setup.aws!.roleName}` }), 'ASSUME_ROLE_DENIED');
    expect(e.message).toMatch(/may still be propagating/);
  });

  it('rides out throttling, and reports it clearly when it lasts', async () => {
    const setup = await startAws(admin, { kind: 'management' });
    const roleArn = deployStack(h.aws, setup, '111111111111');
    h.aws.faults.push({ kind: 'throttle', remaining: 2 });
    const { account } = await completeAws(admin, { setupId: setup.setupId, name: 'Payer', roleArn });
    expect(account.status).toBe('connected');

    const s2 = await startAws(admin, { kind: 'management' });
    const arn2 = deployStack(h.aws, s2, '222222222222');
    h.aws.faults.push({ kind: 'throttle', remaining: 1000 });
    const e = await rejects(completeAws(admin, { setupId: s2.setupId, name: 'Other', roleArn: arn2 }), 'CLOUD_THROTTLED');
    expect(e.message).toMatch(/try again/);
    h.aws.faults = [];
    expect(await total()).toBe(1);
  });

  it('refuses a role whose account does not match its ARN', async () => {
    const setup = await startAws(admin, { kind: 'management' });
    const roleArn = deployStack(h.aws, setup, '111111111111', { reportAccountId: '333333333333' });
    const e = await rejects(completeAws(admin, { setupId: setup.setupId, name: 'Payer', roleArn }), 'ACCOUNT_MISMATCH');
    expect(e.message).toContain('333333333333');
    expect(await total()).toBe(0);
  });

  it('refuses a role in another account than the setup was started for, before calling AWS', async () => {
    const setup = await startAws(admin, { kind: 'management', accountId: '111111111111' });
    const before = h.aws.calls.length;
    const e = await rejects(completeAws(admin, { setupId: setup.setupId, name: 'Payer', roleArn: `arn:aws:iam::222222222222:role/${setup.aws!.roleName}` }), 'ACCOUNT_MISMATCH');
    expect(e.fields.roleArn).toMatch(/111111111111/);
    expect(h.aws.calls.length).toBe(before);
  });

  it('refuses a role that can be assumed without the External ID', async () => {
    const setup = await startAws(admin, { kind: 'management' });
    const roleArn = `arn:aws:iam::111111111111:role/${setup.aws!.roleName}`;
    h.aws.addRole({ arn: roleArn, accountId: '111111111111' }); // trust policy without the condition
    const e = await rejects(completeAws(admin, { setupId: setup.setupId, name: 'Payer', roleArn }), 'EXTERNAL_ID_NOT_ENFORCED');
    expect(e.message).toMatch(/confused-deputy/);
    expect(await total()).toBe(0);
  });

  it('refuses a member account offered as the management account', async () => {
    const setup = await startAws(admin, { kind: 'management' });
    const roleArn = deployStack(h.aws, setup, '222222222222', { organization: { id: 'o-abc123', managementAccountId: '111111111111' } });
    const e = await rejects(completeAws(admin, { setupId: setup.setupId, name: 'Member', roleArn }), 'NOT_ORGANIZATION_MANAGEMENT');
    expect(e.message).toContain('111111111111');
  });

  it('links GovCloud and China partitions', async () => {
    const setup = await startAws(admin, { kind: 'management' });
    const roleArn = `arn:aws-us-gov:iam::444444444444:role/${setup.aws!.roleName}`;
    h.aws.addRole({ arn: roleArn, accountId: '444444444444', externalId: setup.aws!.externalId });
    const { account } = await completeAws(admin, { setupId: setup.setupId, name: 'Gov', roleArn });
    expect(account.aws!.roleArn).toBe(roleArn);
  });

  it('refuses a second link of the same AWS account and a taken name', async () => {
    const { roleArn } = await linkManagement();
    const again = await startAws(admin, { kind: 'management' });
    h.aws.addRole({ arn: roleArn.replace(/role\/.*/, `role/${again.aws!.roleName}`), accountId: '111111111111', externalId: again.aws!.externalId });
    await rejects(completeAws(admin, { setupId: again.setupId, name: 'Payer 2', roleArn: roleArn.replace(/role\/.*/, `role/${again.aws!.roleName}`) }), 'DUPLICATE_ACCOUNT');
    await rejects(startAws(admin, { kind: 'management', accountId: '111111111111' }), 'DUPLICATE_ACCOUNT');
    const named = await rejects(startAws(admin, { kind: 'management', name: '  payer ' }), 'NAME_TAKEN');
    expect(named.fields.name).toBeDefined();
  });

  it('validates the role ARN before calling AWS', async () => {
    const setup = await startAws(admin, { kind: 'management' });
    const before = h.aws.calls.length;
    const e = await rejects(completeAws(admin, { setupId: setup.setupId, name: 'X', roleArn: 'arn:aws:iam::12345:role/x' }), 'INVALID_INPUT');
    expect(e.message).toMatch(/12 digits/);
    await rejects(completeAws(admin, { setupId: setup.setupId, name: 'X', roleArn: 'arn:aws:sts::123456789012:assumed-role/x/y' }), 'INVALID_INPUT');
    expect(h.aws.calls.length).toBe(before);
  });

  it('links a linked account under its management account, then refuses to delete the management account', async () => {
    const { account: mgmt } = await linkManagement();
    const setup = await startAws(admin, { kind: 'linked' });
    const roleArn = deployStack(h.aws, setup, '222222222222', { organization: { id: 'o-abc123', managementAccountId: '111111111111' } });
    const { account } = await completeAws(admin, { setupId: setup.setupId, name: 'Dev', roleArn });
    expect(account.aws).toMatchObject({ kind: 'linked', managementAccountName: 'Payer' });
    const e = await rejects(h.engine.run(deleteAccount, admin, { account: 'Payer', confirmName: 'Payer' }), 'HAS_LINKED_ACCOUNTS');
    expect(e.message).toContain('"Dev"');
    await h.engine.run(deleteAccount, admin, { account: 'Dev', confirmName: 'Dev' });
    const done = await h.engine.run(deleteAccount, admin, { account: mgmt.id, confirmName: 'Payer' });
    expect(done.revokeInstructions.join(' ')).toMatch(/delete the CloudFormation stack/);
  });

  it('refuses an expired setup', async () => {
    let now = Date.now();
    await h.close();
    h = await harness({ now: () => new Date(now) });
    const setup = await startAws(admin, { kind: 'management' });
    const roleArn = deployStack(h.aws, setup, '111111111111');
    now += 8 * 24 * 3_600_000;
    await rejects(completeAws(admin, { setupId: setup.setupId, name: 'Late', roleArn }), 'SETUP_EXPIRED');
  });
});

describe('EKS', () => {
  it('links an EKS account with its own template', async () => {
    const setup = await startEks(admin, { clusterName: 'prod' });
    expect(setup.templateFile).toBe('eks-integration-role.yaml');
    expect(new URLSearchParams(new URL(setup.quickCreateUrl!).hash.split('?')[1]).get('param_ClusterName')).toBe('prod');
    const roleArn = deployStack(h.aws, setup, '555555555555');
    const { account } = await completeAws(admin, { setupId: setup.setupId, name: 'Clusters', roleArn });
    expect(account).toMatchObject({ provider: 'eks', status: 'connected', aws: { accountId: '555555555555', clusterName: 'prod' } });
  });
});

describe('rename and delete', () => {
  it('renames with the name rules, keeping the account id and history', async () => {
    const { account } = await linkManagement();
    const r = await h.engine.run(renameAccount, admin, { account: 'PAYER', newName: '  Billing   root ' });
    expect(r.account).toMatchObject({ id: account.id, name: 'Billing root' });
    expect((await h.engine.run(renameAccount, admin, { account: account.id, newName: 'Billing root' })).changed).toBe(false);
    await rejects(h.engine.run(renameAccount, admin, { account: account.id, newName: '' }), 'INVALID_INPUT');
    await rejects(h.engine.run(renameAccount, admin, { account: account.id, newName: 'x'.repeat(65) }), 'INVALID_INPUT');
    await rejects(h.engine.run(renameAccount, admin, { account: account.id, newName: '<!channel>' }), 'INVALID_INPUT');
    const audit = await auditLog({ account: account.id });
    expect(audit.entries.map((e) => e.operation)).toEqual(['rename_account', 'complete_aws_setup']);
  });

  it('deletes only with the exact name typed, and only for admins', async () => {
    const { account } = await linkManagement();
    const e = await rejects(h.engine.run(deleteAccount, admin, { account: 'payer', confirmName: 'payer' }), 'CONFIRMATION_MISMATCH');
    expect(e.message).toContain('"Payer"');
    await rejects(h.engine.run(deleteAccount, admin, { account: 'payer', confirmName: 'Payer', expectedId: 'someone-else' }), 'CONFIRMATION_MISMATCH');
    const f = await rejects(h.engine.run(deleteAccount, member, { account: 'Payer', confirmName: 'Payer' }), 'FORBIDDEN');
    expect(f.message).toMatch(/only cloudlink admins/);
    await rejects(h.engine.run(renameAccount, member, { account: 'Payer', newName: 'Mine' }), 'FORBIDDEN');
    expect(await total()).toBe(1);
    await h.engine.run(deleteAccount, admin, { account: 'payer', confirmName: 'Payer', expectedId: account.id });
    expect(await total()).toBe(0);
    const audit = await auditLog({ account: account.id });
    expect(audit.entries[0]).toMatchObject({ operation: 'delete_account', actor: { id: admin.id } });
  });

  it('serialises concurrent renames: every one lands, names stay unique', async () => {
    const { account } = await linkManagement();
    const names = Array.from({ length: 20 }, (_, i) => `Name ${i}`);
    const results = await Promise.allSettled(names.map((newName) => h.engine.run(renameAccount, admin, { account: account.id, newName })));
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    const audit = await auditLog({ account: account.id, limit: 100 });
    expect(audit.entries.filter((e) => e.operation === 'rename_account')).toHaveLength(20);
    const stored = await h.stored();
    expect(names).toContain(stored.accounts[0]!.name);
  });
});

describe('invites', () => {
  it('hands a setup to a colleague: single use, and completing it notifies the inviter', async () => {
    await linkManagement();
    const setup = await startAws(member, { kind: 'linked' });
    const { invite } = await h.engine.run(inviteColleague, member, { setupId: setup.setupId, invitee: { id: 'U_COLLEAGUE', name: 'Cleo' }, message: 'Can you run this stack?' });
    expect(invite.status).toBe('pending');
    await rejects(h.engine.run(acceptInvite, member, { inviteId: invite.inviteId }), 'INVITE_NOT_FOR_YOU');
    const colleague = { id: 'U_COLLEAGUE', via: 'slack' as const, role: 'member' as const };
    const accepted = await h.engine.run(acceptInvite, colleague, { inviteId: invite.inviteId });
    expect(accepted.setup.aws!.externalId).toBe(setup.aws!.externalId);
    expect('quickCreateUrl' in accepted.setup && accepted.setup.quickCreateUrl).toBeTruthy();
    // Coming back to one's own accepted invite is fine; anyone else is refused.
    expect((await h.engine.run(acceptInvite, colleague, { inviteId: invite.inviteId })).invite.status).toBe('accepted');
    await rejects(h.engine.run(acceptInvite, { id: 'U_OTHER', via: 'slack', role: 'member' }, { inviteId: invite.inviteId }), 'INVITE_NOT_FOR_YOU');

    const roleArn = deployStack(h.aws, setup, '222222222222');
    const { account } = await completeAws(colleague, { setupId: setup.setupId, name: 'Dev', roleArn });
    // Linking announces through the outbox: the inviter hears once; the colleague who finished it gets the result directly.
    const linked = await linkedNotifications();
    expect(linked).toHaveLength(1);
    expect(linked[0]).toMatchObject({
      recipient: { channel: 'slack', id: member.id },
      status: 'pending',
      notification: { kind: 'account_linked', audience: 'inviter', how: 'request', by: { id: colleague.id }, invitee: { id: colleague.id }, account: { id: account.id, name: 'Dev' } },
    });
    const linkAudit = (await auditLog({ account: account.id })).entries[0]!;
    expect(linkAudit).toMatchObject({ operation: 'complete_aws_setup', actor: { id: colleague.id }, details: { inviteId: invite.inviteId } });
    const invites = (await h.engine.run(listInvites, admin, {})).invites;
    expect(invites[0]).toMatchObject({ inviteId: invite.inviteId, inviter: { id: member.id }, status: 'completed', accountId: account.id });
    // Single use: once it linked the account, it cannot be used again.
    await rejects(h.engine.run(acceptInvite, colleague, { inviteId: invite.inviteId }), 'INVITE_USED');
  });

  it('expires invites and lets the inviter revoke them', async () => {
    let now = Date.now();
    await h.close();
    h = await harness({ now: () => new Date(now) });
    const setup = await startAws(admin, { kind: 'management' });
    const { invite: a } = await h.engine.run(inviteColleague, admin, { setupId: setup.setupId, invitee: { id: 'U_A' } });
    const { invite: b } = await h.engine.run(inviteColleague, admin, { setupId: setup.setupId, invitee: { id: 'U_B' } });
    expect((await h.engine.run(revokeInvite, admin, { inviteId: b.inviteId })).invite.status).toBe('revoked');
    await rejects(h.engine.run(acceptInvite, { id: 'U_B', via: 'slack', role: 'member' }, { inviteId: b.inviteId }), 'INVITE_REVOKED');
    now += 8 * 24 * 3_600_000;
    await rejects(h.engine.run(acceptInvite, { id: 'U_A', via: 'slack', role: 'member' }, { inviteId: a.inviteId }), 'INVITE_EXPIRED');
    expect((await h.engine.run(listInvites, admin, { status: 'expired' })).invites.map((i) => i.inviteId)).toEqual([a.inviteId]);
  });
});

describe('watcher and health checks', () => {
  it('finishes a setup by itself once the stack is done, and tells whoever started it', async () => {
    const setup = await startAws(admin, { kind: 'management', accountId: '111111111111', name: 'Payer' });
    expect(setup.aws!.watching).toBe(true);
    expect(await h.engine.jobs.watcher.tick()).toEqual([]);
    expect(await linkedNotifications()).toEqual([]);
    deployStack(h.aws, setup, '111111111111');
    expect(await h.engine.jobs.watcher.tick()).toEqual([setup.setupId]);
    const seen = (await linkedNotifications()).map((i) => i.notification as unknown as { how: string; audience: string; account: { name: string } });
    expect(seen.map((n) => `${n.how}:${n.account.name}`)).toEqual(['watcher:Payer']);
    expect(seen[0]!.audience).toBe('starter');
    expect((await linkedNotifications())[0]!.recipient).toMatchObject({ channel: 'slack', id: admin.id });
    const { account } = await h.engine.run(getAccount, admin, { account: 'Payer' });
    expect(account.aws!.stack?.status).toBe('CREATE_COMPLETE');
    // The watcher's link is audited under the operation a person would have used, signed by the watcher.
    expect((await auditLog({ account: account.id })).entries[0]).toMatchObject({ operation: 'complete_aws_setup', actor: { id: 'cloudlink-watcher', via: 'system' } });
  });

  it('keeps the status when cloudlink could not check (AWS unreachable or throttling), and says so', async () => {
    await linkManagement();
    const before = await h.stored();
    // Every attempt of the SDK's retries dropped: cloudlink cannot reach AWS at all.
    h.aws.faults.push({ kind: 'drop', remaining: 50 });
    const one = await rejects(h.engine.run(checkAccount, admin, { account: 'Payer' }), 'CLOUD_UNREACHABLE');
    expect(one).toMatchObject({ message: expect.stringMatching(/^cloudlink could not check "Payer", so its status stays "connected": cloudlink could not reach AWS/) });
    const all = await h.engine.run(checkAllAccounts, admin, {});
    expect(all).toMatchObject({ connected: 0, errors: 0, unchecked: 1 });
    expect(checkAllAccounts.summarize(all)).toMatch(/1 could not be checked[^]*status is unchanged/);
    // AWS answering with server errors (every retry): the same, the check could not be made.
    h.aws.faults.length = 0;
    h.aws.faults.push({ kind: 'server-error', remaining: 50 });
    await rejects(h.engine.run(checkAccount, admin, { account: 'Payer' }), 'CLOUD_ERROR');
    expect(await h.engine.run(checkAllAccounts, admin, {})).toMatchObject({ errors: 0, unchecked: 1 });
    h.aws.faults.length = 0;
    const after = await h.stored();
    expect(after.accounts).toEqual(before.accounts);
    expect(after.outbox.length).toBe(before.outbox.length);
  });

  it('records what a check found without the link attempts\' "Nothing was stored"', () => {
    expect(asFinding('AWS refused the request (ValidationError). Nothing was stored; check the role and try again.')).toBe('AWS refused the request (ValidationError). Check the role and try again.');
    expect(asFinding('The organization is gone. Nothing was stored.')).toBe('The organization is gone.');
    expect(asFinding('cloudlink can no longer assume the role.')).toBe('cloudlink can no longer assume the role.');
  });

  it('moves a broken account to error with the reason, and back when fixed', async () => {
    const { roleArn } = await linkManagement();
    const role = h.aws.roles.get(roleArn)!;
    h.aws.roles.delete(roleArn);
    const broken = await h.engine.run(checkAccount, admin, { account: 'Payer' });
    expect(broken).toMatchObject({ changed: true, account: { status: 'error', lastError: { code: 'ASSUME_ROLE_DENIED' } } });
    expect(broken.account.lastError!.message).toMatch(/deleted|External ID changed/);
    expect((await h.engine.run(listConfigurationErrors, admin, {})).errors).toHaveLength(1);
    h.aws.addRole(role);
    const all = await h.engine.run(checkAllAccounts, admin, {});
    expect(all).toMatchObject({ connected: 1, errors: 0 });
    expect((await h.engine.run(listConfigurationErrors, admin, {})).errors).toHaveLength(0);
  });
});
