import { describe, expect, it } from 'vitest';
import { awsFamily } from '../../src/engine/families/aws/index.js';
import { linkOrganization, resyncOrganization } from '../../src/engine/families/aws/organization/operations.js';
import { completeAwsSetup } from '../../src/engine/families/aws-role/operations.js';
import type { OrgAccount } from '../../src/engine/ports/aws.js';
import { admin, deployRole, memoryEngine } from '../helpers/memory.js';

const MGMT = '100000000000';
const acct = (id: string, extra: Partial<OrgAccount> = {}): OrgAccount => ({ id, name: `Account ${id.slice(-3)}`, email: `aws+${id}@example.com`, status: 'ACTIVE', parentId: 'r-ab12', ...extra });

/** The events written for subscribers, in outbox order: what each would receive. */
async function events(e: Awaited<ReturnType<typeof memoryEngine>>, subscriber: string) {
  return (await e.store.read()).outbox.filter((i) => i.recipient.channel === 'webhook' && i.recipient.id === subscriber).map((i) => ({ orderKey: i.orderKey, ...(i.notification as any).event }));
}

describe('organization events', () => {
  it('announces members added, members suspended and members linked, in the write that records them', async () => {
    const e = await memoryEngine({ env: { CLOUDLINK_WEBHOOK_ALLOW_HTTP: 'true' } });
    const { webhook } = (await e.engine.run(e.engine.find('create_webhook')!, admin, { name: 'Estate', url: 'https://hooks.example.com/estate' })) as { webhook: { id: string } };
    const setup = await e.engine.run(awsFamily.start, admin, { kind: 'management' });
    await e.engine.run(completeAwsSetup, admin, { setupId: setup.setupId, name: 'Payer', roleArn: deployRole(e.aws, setup, MGMT, { organization: { state: 'member', id: 'o-abc', managementAccountId: MGMT } }) });
    e.aws.org = { rootId: 'r-ab12', nodes: [{ id: 'r-ab12', name: 'Root', kind: 'root' }], accounts: [acct(MGMT, { name: 'Payer' }), acct('100000000001'), acct('100000000002')], calls: 3 };
    const first = await e.engine.run(linkOrganization, admin, { managementAccount: 'Payer' });

    let seen = await events(e, webhook.id);
    expect(seen.map((x) => [x.type, x.subject])).toEqual([
      ['cloudlink.account.linked', expect.any(String)],
      ['cloudlink.organization.member_added', 'aws:100000000001'],
      ['cloudlink.organization.member_added', 'aws:100000000002'],
    ]);
    expect(seen[1]).toMatchObject({ orderKey: `${webhook.id}:aws:100000000001`, data: { organization: { awsOrganizationId: 'o-abc' }, member: { awsAccountId: '100000000001', name: 'Account 001', state: 'waiting_for_role' } } });
    // No e-mail addresses and no External ID go to subscribers.
    expect(JSON.stringify(seen)).not.toMatch(/example\.com|externalId/);
    expect(JSON.stringify(seen)).not.toContain(first.organization.externalId!);

    e.aws.roles.set('arn:aws:iam::100000000001:role/CloudlinkMember', { accountId: '100000000001', externalId: first.organization.externalId! });
    e.aws.org.accounts[2]!.status = 'SUSPENDED';
    await e.engine.run(resyncOrganization, admin, { organization: 'Payer' });
    seen = (await events(e, webhook.id)).slice(3);
    expect(seen.map((x) => [x.type, x.data.member?.awsAccountId ?? x.data.account.aws.accountId])).toEqual([
      ['cloudlink.organization.member_suspended', '100000000002'],
      ['cloudlink.account.linked', '100000000001'],
    ]);
    expect(seen[1]!.data).toMatchObject({ how: 'organization', account: { name: 'Account 001', aws: { kind: 'linked', managementAccountName: 'Payer' } } });
  });
});
