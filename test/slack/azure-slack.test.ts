import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CertificateHandout } from '../../src/engine/families/app-certificate/handout.js';
import { completeMicrosoftSetup } from '../../src/engine/families/app-certificate/operations.js';
import { azureFamily } from '../../src/engine/families/azure/index.js';
import { listAzureSubscriptions } from '../../src/engine/families/azure/operations.js';
import { entraFamily } from '../../src/engine/families/entra/index.js';
import { getAccount } from '../../src/engine/operations/accounts.js';
import type { FakeTenant } from '../fakes/microsoft-fake.js';
import { admin } from '../helpers/engine.js';
import { slackHarness, type SlackHarness } from '../helpers/slack.js';

let s: SlackHarness;
let now = Date.now();
beforeEach(async () => {
  now = Date.now();
  s = await slackHarness({ now: () => new Date(now) });
});
afterEach(async () => {
  await s.close();
});

type Block = { type: string; block_id?: string; text?: { text: string }; element?: any; elements?: any[]; accessory?: any };

/** Slack's limits for a modal: 100 blocks, 3,000 characters a section, 3,000 of private_metadata, 100 options, 10 checkboxes, 75-character options. */
function expectWithinSlackLimits(view: { blocks: Block[]; private_metadata?: string; title: { text: string } }) {
  expect(view.blocks.length).toBeLessThanOrEqual(100);
  expect((view.private_metadata ?? '').length).toBeLessThanOrEqual(3000);
  expect(view.title.text.length).toBeLessThanOrEqual(24);
  for (const b of view.blocks) {
    if (b.text) expect(b.text.text.length).toBeLessThanOrEqual(3000);
    for (const el of [b.element, b.accessory, ...(b.elements ?? [])].filter(Boolean)) {
      const options = [...(el.options ?? []), ...(el.option_groups ?? []).flatMap((g: { options: unknown[] }) => g.options)];
      if (el.type === 'checkboxes') expect(options.length).toBeLessThanOrEqual(10);
      expect(options.length).toBeLessThanOrEqual(100);
      for (const o of options) expect(o.text.text.length).toBeLessThanOrEqual(75);
    }
  }
}

/** 1,000 subscriptions in 20 management groups under the tenant root group, 50 each. */
function bigEstate(): FakeTenant {
  const id = randomUUID();
  return s.h.ms.addTenant({
    id,
    apps: [{ clientId: randomUUID(), certificates: [], roles: { graph: ['AccessReview.Read.All'] }, groupReader: [id] }],
    managementGroups: Array.from({ length: 20 }, (_, g) => ({ id: `mg-${String(g).padStart(2, '0')}`, displayName: `Group ${String(g).padStart(2, '0')}`, parentId: id })),
    subscriptions: Array.from({ length: 1000 }, (_, i) => ({ subscriptionId: randomUUID(), displayName: `Sub ${String(i).padStart(4, '0')}`, state: 'Enabled', groupId: `mg-${String(Math.floor(i / 50)).padStart(2, '0')}` })),
  });
}

async function link(t: FakeTenant, family = azureFamily, name = 'Big') {
  const setup = (await s.h.engine.run(family.start, admin, { name, tenantId: t.id, clientId: t.apps[0]!.clientId })) as CertificateHandout;
  t.apps[0]!.certificates.push(setup.microsoft!.certificatePem);
  return (await s.h.engine.run(completeMicrosoftSetup, admin, { setupId: setup.setupId })).account;
}

const lastView = (method: 'views.open' | 'views.update') => s.slack.of(method).at(-1)!.args.view as { blocks: Block[]; private_metadata: string; title: { text: string }; callback_id?: string };
const text = (v: { blocks: Block[] }) => JSON.stringify(v.blocks);
const options = (actionId: string, value: string, view: { private_metadata: string }) =>
  s.post(new URLSearchParams({ payload: JSON.stringify({ type: 'block_suggestion', action_id: actionId, block_id: 'x', value, user: { id: 'U_ADMIN' }, team: { id: 'T1' }, view: { id: 'V_SUBS', type: 'modal', private_metadata: view.private_metadata } }) }).toString(), 'application/x-www-form-urlencoded');
const picked = (actionId: string, values: string[]) => ({ [actionId]: { type: 'multi_external_select', selected_options: values.map((value) => ({ value })) } });

describe('choosing Azure subscriptions in Slack at 1,000 subscriptions', () => {
  it('searches, pages and chooses by group within Slack\'s limits', async () => {
    const t = bigEstate();
    const account = await link(t);
    await s.command('U_ADMIN', 'subscriptions Big');
    const first = lastView('views.open');
    expectWithinSlackLimits(first);
    expect(first.callback_id).toBe('subscriptions_submit');
    expect(text(first)).toMatch(/1,000 of 1,000 subscriptions selected\..*Management group \*Tenant Root Group\* and 20 groups below it/);
    const ids = first.blocks.map((b) => b.block_id).filter(Boolean);
    expect(ids).toEqual(expect.arrayContaining(['groups', 'add', 'remove', 'confirm', 'browse_search', 'browse_group', 'browse_pages']));
    expect(first.blocks.find((b) => b.block_id === 'groups')!.element.options).toHaveLength(21);
    expect(text(first)).toMatch(/Showing 1–40 of 1,000 subscriptions/);
    expect(text(first)).toContain('Sub 0039');
    expect(text(first)).not.toContain('Sub 0040');

    // Next →, then a search, then a group filter: each rebuilds the modal in place.
    const meta = { id: 'V_SUBS', private_metadata: first.private_metadata };
    const next = first.blocks.find((b) => b.block_id === 'browse_pages')!.elements!.find((e) => e.action_id === 'subscriptions_page:next');
    await s.action('U_ADMIN', { action_id: next.action_id, type: 'button', value: next.value }, meta);
    const page2 = lastView('views.update');
    expectWithinSlackLimits(page2);
    expect(text(page2)).toMatch(/Showing 41–80 of 1,000 subscriptions/);
    await s.action('U_ADMIN', { action_id: 'subscriptions_search', type: 'plain_text_input', value: 'Sub 09' }, { id: 'V_SUBS', private_metadata: page2.private_metadata });
    const searched = lastView('views.update');
    expect(text(searched)).toMatch(/Showing 1–40 of 100 subscriptions matching \\"Sub 09\\"/);
    await s.action('U_ADMIN', { action_id: 'subscriptions_filter', type: 'static_select', selected_option: { value: 'mg-19' } }, { id: 'V_SUBS', private_metadata: searched.private_metadata });
    const filtered = lastView('views.update');
    expect(text(filtered)).toMatch(/Showing 1–40 of 50 subscriptions matching \\"Sub 09\\" in Group 19/);
    expectWithinSlackLimits(filtered);

    // Deselect everything but two groups and a handful: remove whole groups, keep two groups whole.
    const removeOptions = (await options('subscriptions_remove', 'Group 0', first)).json.options as { text: { text: string }; value: string }[];
    expect(removeOptions.length).toBeLessThanOrEqual(100);
    expect(removeOptions[0]).toMatchObject({ value: 'group:mg-00', text: { text: '▸ All in Group 00 (50)' } });
    const everyGroup = Array.from({ length: 20 }, (_, g) => `group:mg-${String(g).padStart(2, '0')}`);
    const values = (confirm: boolean, remove = everyGroup.filter((g) => g !== 'group:mg-03' && g !== 'group:mg-04')) => ({
      groups: { value: { type: 'multi_static_select', selected_options: [{ value: 'mg-03' }, { value: 'mg-04' }] } },
      add: picked('subscriptions_add', []),
      remove: picked('subscriptions_remove', remove),
      confirm: { value: { type: 'checkboxes', selected_options: confirm ? [{ value: 'yes' }] : [] } },
    });
    // Removing what a group chosen whole covers is refused beside the field.
    const covered = await s.submit('U_ADMIN', 'subscriptions_submit', values(true, everyGroup), first.private_metadata);
    expect(covered.json.errors.remove).toBe('Covered by a group chosen whole.');
    const unconfirmed = await s.submit('U_ADMIN', 'subscriptions_submit', values(false), first.private_metadata);
    expect(unconfirmed.json.errors.confirm).toMatch(/deselects "Sub 0000".* and 890 more/);
    const confirmed = await s.submit('U_ADMIN', 'subscriptions_submit', values(true), first.private_metadata);
    expect(JSON.stringify(confirmed.json)).toMatch(/0 added, 900 removed\. 100 selected now\..*Everything under \*Group 03\*, \*Group 04\*/);

    // Add by search: the options offer unselected ones (and their groups); a pick adds it.
    const addGroups = (await options('subscriptions_add', 'group 0', first)).json.options as { value: string; text: { text: string } }[];
    expect(addGroups[0]).toMatchObject({ value: 'group:mg-00', text: { text: '▸ All in Group 00 (50)' } });
    expect(addGroups.map((o) => o.value)).not.toContain('group:mg-03');
    const addOptions = (await options('subscriptions_add', 'Sub 000', first)).json.options as { value: string }[];
    const sub0001 = t.subscriptions[1]!.subscriptionId;
    expect(addOptions.map((o) => o.value)).toContain(sub0001);
    const added = await s.submit('U_ADMIN', 'subscriptions_submit', { groups: values(false).groups, add: picked('subscriptions_add', [sub0001]), remove: picked('subscriptions_remove', []), confirm: values(false).confirm }, first.private_metadata);
    expect(JSON.stringify(added.json)).toMatch(/1 added, 0 removed\. 101 selected now/);

    // A new subscription under a group chosen whole is picked up by "Refresh from Azure".
    t.subscriptions.push({ subscriptionId: randomUUID(), displayName: 'Sub new', state: 'Enabled', groupId: 'mg-04' });
    await s.action('U_ADMIN', { action_id: 'subscriptions_refresh', type: 'button', value: account.id }, meta);
    const refreshed = lastView('views.update');
    expect(text(refreshed)).toMatch(/102 of 1,001 subscriptions selected.*Refreshed: 1 new, 1 newly selected/);
    expectWithinSlackLimits(refreshed);
    const out = await s.h.engine.run(listAzureSubscriptions, admin, { account: 'Big', search: 'Sub new' });
    expect(out.subscriptions[0]).toMatchObject({ selected: true, throughGroup: true, group: { displayName: 'Group 04' } });
  }, 30_000);
});

describe('choosing Azure subscriptions by group in a small tenant', () => {
  it('groups the subscriptions by management group and chooses a group whole', async () => {
    const id = randomUUID();
    const t = s.h.ms.addTenant({
      id,
      apps: [{ clientId: randomUUID(), certificates: [], roles: {}, groupReader: [id] }],
      managementGroups: [{ id: 'mg-prod', displayName: 'Production', parentId: id }, { id: 'mg-dev', displayName: 'Development', parentId: id }],
      subscriptions: Array.from({ length: 12 }, (_, i) => ({ subscriptionId: randomUUID(), displayName: `Sub ${i}`, state: 'Enabled', groupId: i < 6 ? 'mg-prod' : 'mg-dev' })),
    });
    await link(t, azureFamily, 'Small');
    await s.command('U_ADMIN', 'subscriptions Small');
    const modal = lastView('views.open');
    expectWithinSlackLimits(modal);
    const groups = modal.blocks.find((b) => b.block_id === 'groups')!.element;
    expect(groups.options.map((o: { text: { text: string } }) => o.text.text)).toEqual(['Tenant Root Group (12)', '· Development (6)', '· Production (6)']);
    const subs = modal.blocks.find((b) => b.block_id === 'subs')!.element;
    expect(subs.option_groups.map((g: { label: { text: string } }) => g.label.text).sort()).toEqual(['Development', 'Production']);
    // Everything under Production, and only Sub 6 by hand from Development.
    const keep = [{ value: t.subscriptions[6]!.subscriptionId }];
    const done = await s.submit('U_ADMIN', 'subscriptions_submit', { groups: { value: { type: 'multi_static_select', selected_options: [{ value: 'mg-prod' }] } }, subs: { value: { type: 'multi_static_select', selected_options: keep } }, confirm: { value: { type: 'checkboxes', selected_options: [{ value: 'yes' }] } } }, modal.private_metadata);
    expect(JSON.stringify(done.json.view)).toMatch(/0 added, 5 removed\. 7 selected now\..*Everything under \*Production\*/);
    t.subscriptions.push({ subscriptionId: randomUUID(), displayName: 'Sub new', state: 'Enabled', groupId: 'mg-prod' });
    const out = await s.h.engine.run(listAzureSubscriptions, admin, { account: 'Small', refresh: true });
    expect(out.subscriptions.find((x) => x.displayName === 'Sub new')).toMatchObject({ selected: true, throughGroup: true });
  });
});

describe('renewing a certificate from Slack', () => {
  it('offers "Renew certificate" in App Home, hands out the new certificate, refuses to switch until it works, then switches', async () => {
    const id = randomUUID();
    const t = s.h.ms.addTenant({ id, apps: [{ clientId: randomUUID(), certificates: [], roles: { graph: ['AccessReview.Read.All'] } }], subscriptions: [] });
    const account = await link(t, entraFamily, 'Directory');
    await s.event({ type: 'app_home_opened', user: 'U_ADMIN', channel: 'D1', tab: 'home' });
    const home = (await s.slack.waitFor('views.publish')).at(-1)!.args.view as { blocks: Block[] };
    const row = home.blocks.find((b) => b.block_id === `account:${account.id}`)!;
    expect(row.accessory.options.map((o: { value: string }) => o.value.split(':')[0])).toEqual(['check', 'rename', 'renew', 'delete']);

    await s.action('U_ADMIN', { action_id: 'account_overflow', type: 'overflow', selected_option: { value: `renew:${account.id}` } });
    const intro = lastView('views.open');
    expect(intro.callback_id).toBe('certificate_renew_start');
    expect(text(intro)).toMatch(/beside\* the current one/);

    const started = await s.submit('U_ADMIN', 'certificate_renew_start', {}, intro.private_metadata, 'V_RENEW');
    expect(JSON.stringify(started.json.view)).toMatch(/Generating the new certificate/);
    const pending = lastView('views.update');
    expect(pending.callback_id).toBe('certificate_renew_finish');
    const uploads = [...s.slack.uploads.values()];
    const newPem = uploads.at(-1)!;
    expect(newPem).toMatch(/BEGIN CERTIFICATE/);
    expect(newPem).not.toMatch(/PRIVATE KEY/);
    const rotation = (await s.h.engine.run(getAccount, admin, { account: 'Directory' })).account.microsoft!.rotation!;
    expect(text(pending)).toContain(rotation.certificateThumbprint);

    // Finish before uploading: the same modal again, saying what to upload; nothing switched.
    await s.submit('U_ADMIN', 'certificate_renew_finish', {}, pending.private_metadata, 'V_RENEW');
    const refused = lastView('views.update');
    expect(refused.callback_id).toBe('certificate_renew_finish');
    expect(text(refused)).toMatch(new RegExp(`Not switched yet.*Upload it \\(thumbprint ${rotation.certificateThumbprint}\\)`));
    expect((await s.h.engine.run(getAccount, admin, { account: 'Directory' })).account.microsoft!.certificateThumbprint).not.toBe(rotation.certificateThumbprint);

    t.apps[0]!.certificates.push(newPem);
    await s.submit('U_ADMIN', 'certificate_renew_finish', {}, pending.private_metadata, 'V_RENEW');
    expect(text(lastView('views.update'))).toMatch(/now signs in with its new certificate/);
    expect((await s.h.engine.run(getAccount, admin, { account: 'Directory' })).account.microsoft).toMatchObject({ certificateThumbprint: rotation.certificateThumbprint });

    // A second renewal, cancelled from its modal: the working certificate stays.
    await s.action('U_ADMIN', { action_id: 'account_overflow', type: 'overflow', selected_option: { value: `renew:${account.id}` } });
    await s.submit('U_ADMIN', 'certificate_renew_start', {}, lastView('views.open').private_metadata, 'V_RENEW2');
    await s.action('U_ADMIN', { action_id: 'certificate_renew_cancel', type: 'button', value: account.id }, { id: 'V_RENEW2' });
    expect(text(lastView('views.update'))).toMatch(/renewal of \\"Directory\\" is cancelled/);
    expect((await s.h.engine.run(getAccount, admin, { account: 'Directory' })).account.microsoft).toMatchObject({ certificateThumbprint: rotation.certificateThumbprint });
  }, 30_000);
});

describe('certificate expiry in Slack', () => {
  it('DMs whoever linked the account once per threshold, with a button that opens the renewal', async () => {
    const t = s.h.ms.addTenant({ id: randomUUID(), apps: [{ clientId: randomUUID(), certificates: [], roles: { graph: ['AccessReview.Read.All'] } }], subscriptions: [] });
    const account = await link(t, entraFamily, 'Directory');
    now = Date.parse(account.microsoft!.certificateExpiresAt) - 6.5 * 86_400_000;
    const before = s.slack.of('chat.postMessage').length;
    await s.h.engine.jobs.periodic();
    await s.h.engine.jobs.outbox.deliver();
    await s.h.engine.jobs.periodic();
    await s.h.engine.jobs.outbox.deliver();
    const dms = s.slack.of('chat.postMessage').slice(before);
    expect(dms).toHaveLength(1);
    expect(dms[0]!.args.channel).toBe('U_ADMIN');
    expect(dms[0]!.args.text).toMatch(/The certificate of Directory expires on/);
    expect(JSON.stringify(dms[0]!.args.blocks)).toMatch(/expires in 6 days/);
    const button = (dms[0]!.args.blocks as Block[]).find((b) => b.type === 'actions')!.elements![0];
    expect(button).toMatchObject({ action_id: 'certificate_renew', value: account.id, text: { text: 'Renew certificate' } });
    await s.action('U_ADMIN', { action_id: 'certificate_renew', type: 'button', value: account.id });
    expect(lastView('views.open').callback_id).toBe('certificate_renew_start');
  });
});
