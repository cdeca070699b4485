import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getAccount } from '../../src/engine/operations/accounts.js';
import { admin } from '../helpers/engine.js';
import { slackHarness, text, type SlackHarness } from '../helpers/slack.js';

let s: SlackHarness;
beforeEach(async () => {
  s = await slackHarness();
});
afterEach(async () => {
  await s.close();
});

describe('Azure in Slack', () => {
  it('sends the certificate to the user as a file, links, and chooses subscriptions', async () => {
    const tenant = s.h.ms.addTenant({
      id: randomUUID(),
      apps: [{ clientId: randomUUID(), certificates: [], roles: {} }],
      subscriptions: Array.from({ length: 12 }, (_, i) => ({ subscriptionId: randomUUID(), displayName: `Sub ${i}`, state: 'Enabled' })),
    });
    await s.command('U_ADMIN', 'link azure');
    const step1 = s.slack.of('views.update').at(-1)!.args.view;
    expect(step1.callback_id).toBe('link_form_submit');
    expect(JSON.parse(step1.private_metadata)).toEqual({ provider: 'azure' });
    expect(step1.blocks.filter((b: { type: string }) => b.type === 'input').map((b: { block_id: string }) => b.block_id)).toEqual(['name', 'tenantId', 'clientId', 'managementGroupId']);
    const bad = await s.submit('U_ADMIN', 'link_form_submit', { name: text('Contoso'), tenantId: text('nope'), clientId: text(tenant.apps[0]!.clientId) }, step1.private_metadata);
    expect(bad.json.response_action).toBe('errors');
    expect(bad.json.errors.tenantId).toMatch(/GUID/);
    const ok = await s.submit('U_ADMIN', 'link_form_submit', { name: text('Contoso'), tenantId: text(tenant.id), clientId: text(tenant.apps[0]!.clientId) }, step1.private_metadata);
    expect(ok.json.response_action).toBe('update');
    expect(JSON.stringify(ok.json.view)).toMatch(/Preparing/);
    // Once the certificate is made, the submitted modal is updated in place to the certificate step.
    const updated = s.slack.of('views.update').at(-1)!.args;
    expect(updated.view_id).toBe('V_SUBMIT');
    const certModal = updated.view;
    expect(certModal.callback_id).toBe('microsoft_complete_submit');
    expect(JSON.stringify(certModal)).toMatch(/Global Reader/);

    // The certificate went to the user's DM as a file, public part only.
    expect(s.slack.of('conversations.open')[0]!.args.users).toBe('U_ADMIN');
    const complete = s.slack.of('files.completeUploadExternal')[0]!.args;
    expect(complete.channel_id).toBe('D_ADMIN');
    const uploaded = [...s.slack.uploads.values()][0]!;
    expect(uploaded).toMatch(/BEGIN CERTIFICATE/);
    expect(uploaded).not.toMatch(/PRIVATE KEY/);
    tenant.apps[0]!.certificates.push(uploaded);

    await s.submit('U_ADMIN', 'microsoft_complete_submit', {}, certModal.private_metadata);
    const dm = (await s.slack.waitFor('chat.postMessage')).at(-1)!.args;
    expect(dm.text).toMatch(/Contoso is linked and verified\. 12 of 12 subscriptions selected/);

    await s.command('U_ADMIN', 'subscriptions contoso');
    const modal = s.slack.of('views.open').at(-1)!.args.view;
    expect(modal.callback_id).toBe('subscriptions_submit');
    const element = modal.blocks.find((b: { block_id?: string }) => b.block_id === 'subs').element;
    expect(element.type).toBe('multi_static_select'); // 12 > 10 checkboxes
    const keep = tenant.subscriptions.slice(0, 10).map((x) => ({ value: x.subscriptionId }));
    const values = (confirm: boolean) => ({ subs: { value: { type: 'multi_static_select', selected_options: keep } }, confirm: { value: { type: 'checkboxes', selected_options: confirm ? [{ value: 'yes' }] : [] } } });
    const unconfirmed = await s.submit('U_ADMIN', 'subscriptions_submit', values(false), modal.private_metadata);
    expect(unconfirmed.json.errors.confirm).toMatch(/deselects "Sub 10", "Sub 11"/);
    const confirmed = await s.submit('U_ADMIN', 'subscriptions_submit', values(true), modal.private_metadata);
    expect(JSON.stringify(confirmed.json.view)).toMatch(/0 added, 2 removed/);
    const account = (await s.h.engine.run(getAccount, admin, { account: 'Contoso' })).account;
    expect(account.microsoft!.subscriptions!.filter((x) => x.selected)).toHaveLength(10);
  });
});
