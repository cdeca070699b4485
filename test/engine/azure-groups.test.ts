import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CertificateHandout } from '../../src/engine/families/app-certificate/handout.js';
import { completeMicrosoftSetup } from '../../src/engine/families/app-certificate/operations.js';
import { azureFamily } from '../../src/engine/families/azure/index.js';
import { listAzureSubscriptions, selectAzureSubscriptions } from '../../src/engine/families/azure/operations.js';
import { listAccounts } from '../../src/engine/operations/accounts.js';
import { checkAccount } from '../../src/engine/operations/health.js';
import type { FakeTenant } from '../fakes/microsoft-fake.js';
import { admin, harness, type Harness } from '../helpers/engine.js';
import { rejects } from '../helpers/rejects.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});


/**
 * A tenant with management groups: Tenant Root Group → Production (→ Payments), Sandbox; two
 * subscriptions in each of Production, Payments and Sandbox, and one directly under the root.
 */
function estate(over: Partial<FakeTenant> = {}) {
  const id = randomUUID();
  const sub = (name: string, groupId?: string, state = 'Enabled') => ({ subscriptionId: randomUUID(), displayName: name, state, ...(groupId ? { groupId } : {}) });
  return h.ms.addTenant({
    id,
    apps: [{ clientId: randomUUID(), certificates: [], roles: {}, groupReader: [id] }],
    managementGroups: [
      { id: 'mg-prod', displayName: 'Production', parentId: id },
      { id: 'mg-payments', displayName: 'Payments', parentId: 'mg-prod' },
      { id: 'mg-sandbox', displayName: 'Sandbox', parentId: id },
    ],
    subscriptions: [sub('Prod web', 'mg-prod'), sub('Prod data', 'mg-prod'), sub('Pay api', 'mg-payments'), sub('Pay ledger', 'mg-payments'), sub('Sandbox 1', 'mg-sandbox'), sub('Sandbox 2', 'mg-sandbox', 'Disabled'), sub('Shared')],
    ...over,
  });
}

async function link(t: FakeTenant, name = 'Contoso', extra: Record<string, unknown> = {}) {
  const app = t.apps[0]!;
  const setup = (await h.engine.run(azureFamily.start, admin, { name, tenantId: t.id, clientId: app.clientId, ...extra })) as CertificateHandout;
  app.certificates.push(setup.microsoft!.certificatePem);
  return h.engine.run(completeMicrosoftSetup, admin, { setupId: setup.setupId });
}
const subId = (t: FakeTenant, name: string) => t.subscriptions.find((s) => s.displayName === name)!.subscriptionId;
const list = (extra: Record<string, unknown> = {}) => h.engine.run(listAzureSubscriptions, admin, { account: 'Contoso', ...extra });
const byName = async (extra: Record<string, unknown> = {}) => Object.fromEntries((await list(extra)).subscriptions.map((s) => [s.displayName, s]));

describe('Azure at management-group scope', () => {
  it('discovers the groups and their subscriptions page by page at link time', async () => {
    const t = estate();
    h.ms.descendantsPageSize = 2;
    h.ms.subscriptionsPageSize = 3;
    const done = await link(t);
    expect(done.message).toMatch(/6 of 7 subscriptions selected\. Management group Tenant Root Group: 3 groups below it/);
    expect(done.account.microsoft!.managementGroup).toMatchObject({ id: t.id, displayName: 'Tenant Root Group', access: 'granted', groups: 3, followed: [] });
    // 3 groups and 7 subscriptions, 2 a page: 5 pages of descendants; 7 subscriptions, 3 a page: 3 pages.
    expect(h.ms.armRequests.filter((r) => /\/descendants/.test(r.path))).toHaveLength(5);
    expect(h.ms.armRequests.filter((r) => r.path.startsWith('/subscriptions'))).toHaveLength(3);
    const subs = await byName();
    expect(subs['Pay api']).toMatchObject({ selected: true, group: { id: 'mg-payments', displayName: 'Payments' } });
    expect(subs['Shared']!.group).toEqual({ id: t.id, displayName: 'Tenant Root Group' });
    expect(subs['Sandbox 2']).toMatchObject({ selected: false, state: 'Disabled' });
    const { groups } = await list();
    expect(groups.map((g) => [g.displayName, g.depth, g.subscriptions, g.selected])).toEqual([
      ['Tenant Root Group', 0, 7, 6],
      ['Production', 1, 4, 4],
      ['Payments', 2, 2, 2],
      ['Sandbox', 1, 2, 1],
    ]);
    // Filtering and paging the list.
    const prod = await list({ group: 'production' });
    expect(prod.subscriptions.map((s) => s.displayName).sort()).toEqual(['Pay api', 'Pay ledger', 'Prod data', 'Prod web']);
    const page = await list({ limit: 3, offset: 3 });
    expect(page).toMatchObject({ total: 7, offset: 3 });
    expect(page.subscriptions).toHaveLength(3);
    expect((await list({ search: 'PAY' })).total).toBe(2);
  });

  it('honours Retry-After when Resource Manager throttles, and gives up, storing nothing, when it asks too long', async () => {
    const t = estate();
    h.ms.descendantsPageSize = 2;
    h.ms.armFaults = [{ kind: 'throttle', retryAfter: '1', match: /descendants.*skiptoken/ }, { kind: 'throttle', retryAfter: '0', match: /^\/subscriptions/ }];
    await link(t);
    const throttled = h.ms.armRequests.findIndex((r) => r.status === 429 && /descendants/.test(r.path));
    const retry = h.ms.armRequests[throttled + 1]!;
    expect(retry.path).toBe(h.ms.armRequests[throttled]!.path);
    expect(retry.at - h.ms.armRequests[throttled]!.at).toBeGreaterThanOrEqual(950);
    expect((await list()).counts.all).toBe(7);

    const t2 = estate();
    h.ms.armFaults = [{ kind: 'throttle', retryAfter: '120', match: /descendants/ }];
    const e = await rejects(link(t2, 'Other'), 'CLOUD_THROTTLED');
    expect(e.message).toMatch(/asks to wait 120 s.*Nothing was stored/);
    expect((await h.engine.run(listAccounts, admin, { provider: 'azure' })).total).toBe(1);
  });

  it('everything under a group: new subscriptions there are picked up at resync, removed ones flagged, never dropped', async () => {
    const t = estate();
    await link(t);
    // Choose by group: only what is under Production (Payments included), the rest deselected.
    const needsYes = await rejects(h.engine.run(selectAzureSubscriptions, admin, { account: 'Contoso', selected: [], groups: ['Production'] }), 'CONFIRMATION_REQUIRED');
    expect(needsYes.message).toMatch(/deselects "Sandbox 1", "Shared"/);
    const chosen = await h.engine.run(selectAzureSubscriptions, admin, { account: 'Contoso', selected: [], groups: ['Production'], confirmDeselect: true });
    expect(chosen.groups).toEqual(['mg-prod']);
    expect(chosen.removed.sort()).toEqual([subId(t, 'Sandbox 1'), subId(t, 'Shared')].sort());
    let subs = await byName();
    expect(Object.values(subs).filter((s) => s.selected).map((s) => s.displayName).sort()).toEqual(['Pay api', 'Pay ledger', 'Prod data', 'Prod web']);
    expect(subs['Pay api']!.throughGroup).toBe(true);

    // A new subscription under Payments and one under Sandbox; Prod data is cancelled.
    t.subscriptions.push({ subscriptionId: randomUUID(), displayName: 'Pay new', state: 'Enabled', groupId: 'mg-payments' }, { subscriptionId: randomUUID(), displayName: 'Sandbox new', state: 'Enabled', groupId: 'mg-sandbox' });
    const cancelled = subId(t, 'Prod data');
    t.subscriptions = t.subscriptions.filter((s) => s.subscriptionId !== cancelled);
    const refreshed = await list({ refresh: true });
    expect(refreshed.changes).toMatchObject({ added: expect.arrayContaining([subId(t, 'Pay new'), subId(t, 'Sandbox new')]), missing: [cancelled], selected: [subId(t, 'Pay new')] });
    subs = await byName();
    expect(subs['Pay new']).toMatchObject({ selected: true, throughGroup: true });
    expect(subs['Sandbox new']!.selected).toBe(false);
    expect(subs['Prod data']).toMatchObject({ missing: true, selected: true });
    expect(refreshed.note).toMatch(/no longer visible/);

    // The scheduled health check resyncs the same way.
    t.subscriptions.push({ subscriptionId: randomUUID(), displayName: 'Prod late', state: 'Enabled', groupId: 'mg-prod' });
    await h.engine.run(checkAccount, admin, { account: 'Contoso' });
    expect((await byName())['Prod late']!.selected).toBe(true);
    const audit = (await h.store.read()).audit.filter((a) => a.operation === 'list_azure_subscriptions');
    expect(audit).toHaveLength(1);
  });

  it('a subscription moved between groups follows its new group; one chosen by hand stays chosen', async () => {
    const t = estate();
    await link(t);
    await h.engine.run(selectAzureSubscriptions, admin, { account: 'Contoso', selected: [subId(t, 'Shared')], groups: ['mg-prod'], confirmDeselect: true });
    // Prod web leaves Production for Sandbox; Shared (chosen by hand) moves into Sandbox too; Sandbox 1 moves into Payments.
    const move = (name: string, groupId: string) => void (t.subscriptions.find((s) => s.displayName === name)!.groupId = groupId);
    move('Prod web', 'mg-sandbox');
    move('Shared', 'mg-sandbox');
    move('Sandbox 1', 'mg-payments');
    const { changes } = await list({ refresh: true });
    expect(changes!.moved).toEqual(
      expect.arrayContaining([
        { subscriptionId: subId(t, 'Prod web'), from: 'mg-prod', to: 'mg-sandbox' },
        { subscriptionId: subId(t, 'Shared'), from: t.id, to: 'mg-sandbox' },
        { subscriptionId: subId(t, 'Sandbox 1'), from: 'mg-sandbox', to: 'mg-payments' },
      ]),
    );
    expect(changes!.deselected).toEqual([subId(t, 'Prod web')]);
    expect(changes!.selected).toEqual([subId(t, 'Sandbox 1')]);
    const subs = await byName();
    expect(subs['Prod web']).toMatchObject({ selected: false, group: { displayName: 'Sandbox' }, moved: { from: 'Production' } });
    expect(subs['Shared']).toMatchObject({ selected: true, moved: { from: 'Tenant Root Group' } });
    expect(subs['Sandbox 1']).toMatchObject({ selected: true, throughGroup: true });
  });

  it('adds and removes by group, refuses to remove what a group chosen whole covers, and asks before un-choosing a group', async () => {
    const t = estate();
    await link(t);
    await h.engine.run(selectAzureSubscriptions, admin, { account: 'Contoso', remove: ['Sandbox', subId(t, 'Shared')], confirmDeselect: true });
    expect(Object.values(await byName()).filter((s) => s.selected)).toHaveLength(4);
    const added = await h.engine.run(selectAzureSubscriptions, admin, { account: 'Contoso', add: ['mg-sandbox'] });
    expect(added.added.sort()).toEqual([subId(t, 'Sandbox 1'), subId(t, 'Sandbox 2')].sort());
    await h.engine.run(selectAzureSubscriptions, admin, { account: 'Contoso', groups: ['Payments'] });
    const stuck = await rejects(h.engine.run(selectAzureSubscriptions, admin, { account: 'Contoso', remove: [subId(t, 'Pay api')], confirmDeselect: true }), 'INVALID_INPUT');
    expect(stuck.message).toMatch(/"Pay api" is under "Payments", which is chosen whole/);
    // Pay api and Pay ledger were chosen by hand at the link: un-choosing Payments keeps them.
    expect((await h.engine.run(selectAzureSubscriptions, admin, { account: 'Contoso', groups: [] })).removed).toEqual([]);
    await rejects(h.engine.run(selectAzureSubscriptions, admin, { account: 'Contoso', groups: ['Nope'] }), 'INVALID_INPUT');
    await rejects(h.engine.run(selectAzureSubscriptions, admin, { account: 'Contoso', selected: [], add: ['x'] }), 'INVALID_INPUT');
  });

  it('keeps working with Reader on subscriptions only, and at a management group other than the root', async () => {
    const t = estate();
    t.apps[0]!.groupReader = [];
    const done = await link(t);
    expect(done.message).toMatch(/6 of 7 subscriptions selected\. cloudlink cannot read the management groups/);
    const out = await list();
    expect(out.managementGroup).toMatchObject({ access: 'denied', error: expect.stringMatching(/Reader role on that group/) });
    expect(out.groups).toEqual([]);
    expect(out.note).toMatch(/chosen one by one/);
    expect(out.subscriptions.every((s) => !s.group)).toBe(true);
    await rejects(h.engine.run(selectAzureSubscriptions, admin, { account: 'Contoso', groups: ['Production'] }), 'INVALID_INPUT');
    const r = await h.engine.run(selectAzureSubscriptions, admin, { account: 'Contoso', remove: [subId(t, 'Shared')], confirmDeselect: true });
    expect(r.removed).toEqual([subId(t, 'Shared')]);

    // Reader granted at Production only, named at setup.
    const t2 = estate();
    t2.apps[0]!.groupReader = ['mg-prod'];
    const scoped = await link(t2, 'Scoped', { managementGroupId: 'mg-prod' });
    expect(scoped.account.microsoft!.managementGroup).toMatchObject({ id: 'mg-prod', displayName: 'Production', access: 'granted', groups: 1 });
    const groups = (await h.engine.run(listAzureSubscriptions, admin, { account: 'Scoped' })).groups;
    expect(groups.map((g) => g.displayName)).toEqual(['Production', 'Payments']);
  });
});
