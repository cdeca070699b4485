import { describe, expect, it } from 'vitest';
import { CloudlinkError } from '../../../src/engine/errors.js';
import { completeMicrosoftSetup } from '../../../src/engine/families/app-certificate/operations.js';
import { awsFamily } from '../../../src/engine/families/aws/index.js';
import { completeAwsSetup, watchSetup } from '../../../src/engine/families/aws-role/operations.js';
import { azureFamily } from '../../../src/engine/families/azure/index.js';
import { listAccounts } from '../../../src/engine/operations/accounts.js';
import { acceptInvite, inviteColleague, revokeInvite } from '../../../src/engine/operations/invites.js';
import { getSetupHandout } from '../../../src/engine/operations/setups.js';
import type { Actor } from '../../../src/engine/domain/records.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { admin, assistant, deployRole, member, memoryEngine } from '../../helpers/memory.js';

const cleo: Actor = { id: 'UCLEO123', name: 'Cleo', via: 'slack', role: 'member' };
/** An assistant whose operator said where they hear about what it starts (CLOUDLINK_MCP_TOKENS …@U_ADMIN). */
const reachableAssistant: Actor = { ...assistant, reach: { channel: 'slack', id: 'U_ADMIN' } };

async function code(p: Promise<unknown>) {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(CloudlinkError);
  return (e as CloudlinkError).code;
}

describe('invite a colleague (one use case, whichever front end asks)', () => {
  it('starts the setup, records the invite and delivers it; when the colleague finishes, the inviter hears once and the colleague not again', async () => {
    const { engine, aws, notifier } = await memoryEngine();
    const out = await engine.run(inviteColleague, reachableAssistant, { start: 'aws:management', invitee: { id: cleo.id }, message: 'Could you deploy this?' });
    expect(out.delivery).toMatchObject({ status: 'delivered', channel: 'slack' });
    const [invite] = notifier.to(cleo.id);
    expect(invite).toMatchObject({ kind: 'invite', invite: { inviteId: out.invite.inviteId, message: 'Could you deploy this?' }, handout: { kit: 'cloudformation-role' } });
    expect(invite!.kind === 'invite' && invite!.handout.kit === 'cloudformation-role' && invite!.handout.quickCreateUrl).toMatch(/quickcreate/);

    const taken = await engine.run(acceptInvite, cleo, { inviteId: out.invite.inviteId });
    const arn = deployRole(aws, taken.setup as { aws: { roleName: string; externalId: string } }, '111111111111');
    await engine.run(completeAwsSetup, cleo, { setupId: taken.setup.setupId, name: 'Payer', roleArn: arn });
    await engine.jobs.outbox.deliver();

    expect(notifier.to(cleo.id).map((n) => n.kind)).toEqual(['invite']);
    const told = notifier.to('U_ADMIN');
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ kind: 'account_linked', audience: 'inviter', how: 'request', by: { id: cleo.id }, account: { name: 'Payer', status: 'connected' } });
  });

  it('when the watcher finishes an invited setup, the colleague and the inviter each hear once, in their own words', async () => {
    const { engine, aws, notifier } = await memoryEngine();
    const out = await engine.run(inviteColleague, admin, { start: 'aws:management', invitee: { id: cleo.id } });
    const taken = await engine.run(acceptInvite, cleo, { inviteId: out.invite.inviteId });
    await engine.run(watchSetup, cleo, { setupId: taken.setup.setupId, accountId: '111111111111' });
    deployRole(aws, taken.setup as { aws: { roleName: string; externalId: string } }, '111111111111');
    expect(await engine.jobs.watcher.tick()).toEqual([taken.setup.setupId]);
    await engine.jobs.outbox.deliver();
    expect(notifier.to(cleo.id).map((n) => (n.kind === 'account_linked' ? n.audience : n.kind))).toEqual(['invite', 'invitee']);
    expect(notifier.to(admin.id).map((n) => (n.kind === 'account_linked' ? `${n.audience}:${n.how}` : n.kind))).toEqual(['inviter:watcher']);
  });

  it('hands the setup back to the caller when cloudlink cannot reach the colleague', async () => {
    const { engine, notifier } = await memoryEngine();
    const out = await engine.run(inviteColleague, assistant, { start: 'aws:management', invitee: { id: 'cleo@example.com', name: 'Cleo' } });
    expect(out.delivery.status).toBe('not_reachable');
    expect(out.handout?.kit).toBe('cloudformation-role');
    // What the caller reads (the CLI's text, the tool's text) carries the hand-out the note points to.
    const text = inviteColleague.summarize(out);
    expect(text).toMatch(/give them the hand-out below yourself\.\nSetup [^]*\n1\. Sign in/);
    expect(text).toContain((out.handout as { aws: { externalId: string } }).aws.externalId);
    expect(text).toContain(`Quick-create link (give it to the user): ${(out.handout as { quickCreateUrl: string }).quickCreateUrl}`);
    expect(notifier.sent).toEqual([]);
  });

  it('an invite made in a process that reaches nobody is delivered once by the one that can, retried when Slack fails', async () => {
    const store = new MemoryStore();
    const stdio = await memoryEngine({ store, deliver: false });
    const service = await memoryEngine({ store });
    const out = await stdio.engine.run(inviteColleague, assistant, { start: 'aws:management', invitee: { id: cleo.id } });
    expect(out.delivery.status).toBe('queued');
    service.notifier.failNext = 1;
    await service.engine.jobs.outbox.deliver();
    expect(service.notifier.sent).toEqual([]);
    const pending = (await store.read()).outbox[0]!;
    expect(pending).toMatchObject({ status: 'pending', attempts: 1, lastError: 'Slack is down' });
    // Backed off: not retried at once.
    await service.engine.jobs.outbox.deliver();
    expect(service.notifier.sent).toEqual([]);
    const later = await memoryEngine({ store, now: () => new Date(Date.now() + 60_000) });
    await later.engine.jobs.outbox.deliver();
    await later.engine.jobs.outbox.deliver();
    expect(later.notifier.to(cleo.id).map((n) => n.kind)).toEqual(['invite']);
    expect((await store.read()).outbox[0]).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('tells the colleague when their invite is revoked', async () => {
    const { engine, notifier } = await memoryEngine();
    const out = await engine.run(inviteColleague, admin, { start: 'aws:management', invitee: { id: cleo.id } });
    await engine.run(revokeInvite, admin, { inviteId: out.invite.inviteId });
    await engine.jobs.outbox.deliver();
    expect(notifier.to(cleo.id).map((n) => n.kind)).toEqual(['invite', 'invite_revoked']);
    expect(await code(engine.run(acceptInvite, cleo, { inviteId: out.invite.inviteId }))).toBe('INVITE_REVOKED');
  });

  it('refuses an invite to oneself and an option that is not available yet, before starting anything', async () => {
    const { engine, store } = await memoryEngine();
    expect(await code(engine.precheck(inviteColleague, admin, { start: 'aws:management', invitee: { id: admin.id } }))).toBe('INVALID_INPUT');
    expect(await code(engine.run(inviteColleague, admin, { start: 'aws:linked', invitee: { id: cleo.id } }))).toBe('INVALID_INPUT');
    expect((await store.read()).setups).toEqual([]);
  });
});

describe('views leave the engine, records do not', () => {
  it('no result or notification carries a sealed key, and External IDs only reach readers who may link', async () => {
    const { engine, ms, notifier } = await memoryEngine({ env: { CLOUDLINK_MEMBERS_CAN_LINK: 'false' } });
    const started = await engine.run(azureFamily.start, admin, { tenantId: '00000000-0000-0000-0000-000000000001', clientId: '00000000-0000-0000-0000-000000000002', name: 'Contoso' });
    ms.apps.push({ tenantId: '00000000-0000-0000-0000-000000000001', clientId: '00000000-0000-0000-0000-000000000002', uploaded: new Set([started.microsoft!.certificateThumbprint]), roles: [], subscriptions: [{ subscriptionId: 's1', displayName: 'Prod', state: 'Enabled' }] });
    const linked = await engine.run(completeMicrosoftSetup, admin, { setupId: started.setupId });
    const aws = await engine.run(awsFamily.start, admin, { kind: 'management' });
    const results = [started, linked, aws, await engine.run(listAccounts, admin, {}), await engine.run(listAccounts, member, {})];
    for (const r of results) expect(JSON.stringify(r)).not.toMatch(/encryptedKey|PRIVATE KEY|"data":"/);
    await engine.jobs.outbox.deliver();
    for (const s of notifier.sent) expect(JSON.stringify(s)).not.toMatch(/encryptedKey|PRIVATE KEY/);

    // A member who may not link sees the account, not its External ID; nor a setup they have nothing to do with.
    const { engine: e2, aws: a2 } = await memoryEngine({ env: { CLOUDLINK_MEMBERS_CAN_LINK: 'false' } });
    const s = await e2.run(awsFamily.start, admin, { kind: 'management' });
    await e2.run(completeAwsSetup, admin, { setupId: s.setupId, name: 'Payer', roleArn: deployRole(a2, s, '111111111111') });
    expect((await e2.run(listAccounts, admin, {})).accounts[0]!.aws!.externalId).toBe(s.aws!.externalId);
    expect((await e2.run(listAccounts, member, {})).accounts[0]!.aws).not.toHaveProperty('externalId');
    const other = await e2.run(awsFamily.start, admin, { kind: 'management' });
    expect(await code(e2.run(getSetupHandout, member, { setupId: other.setupId }))).toBe('FORBIDDEN');
  });

  it('an invitee may see their own setup again, and finish it, even where members may not link', async () => {
    const { engine, aws } = await memoryEngine({ env: { CLOUDLINK_MEMBERS_CAN_LINK: 'false' } });
    const out = await engine.run(inviteColleague, admin, { start: 'aws:management', invitee: { id: member.id } });
    expect(await code(engine.run(getSetupHandout, member, { setupId: out.invite.setupId }))).toBe('FORBIDDEN');
    const taken = await engine.run(acceptInvite, member, { inviteId: out.invite.inviteId });
    const { handout } = await engine.run(getSetupHandout, member, { setupId: out.invite.setupId });
    expect(handout.kit === 'cloudformation-role' && handout.aws?.externalId).toBe(taken.setup.aws?.externalId);
    const arn = deployRole(aws, taken.setup as { aws: { roleName: string; externalId: string } }, '111111111111');
    await expect(engine.run(completeAwsSetup, member, { setupId: out.invite.setupId, name: 'Payer', roleArn: arn })).resolves.toMatchObject({ account: { name: 'Payer' } });
  });
});

describe('completion rules, checked before any cloud call', () => {
  it('refuses a role ARN in another account than the account id given beside it', async () => {
    const { engine, aws } = await memoryEngine();
    const s = await engine.run(awsFamily.start, admin, { kind: 'management' });
    const e = await engine.precheck(completeAwsSetup, admin, { setupId: s.setupId, name: 'Payer', roleArn: 'arn:aws:iam::777788889999:role/x', accountId: '888899990000' }).catch((x: CloudlinkError) => x);
    expect(e).toMatchObject({ code: 'ACCOUNT_MISMATCH', fields: { accountId: expect.stringMatching(/777788889999/) } });
    expect(aws.calls).toEqual([]);
  });
});
