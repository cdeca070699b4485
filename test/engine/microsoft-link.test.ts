import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/engine/domain/records.js';
import type { CertificateHandout } from '../../src/engine/families/app-certificate/handout.js';
import { completeMicrosoftSetup } from '../../src/engine/families/app-certificate/operations.js';
import { azureFamily } from '../../src/engine/families/azure/index.js';
import { listAzureSubscriptions, selectAzureSubscriptions } from '../../src/engine/families/azure/operations.js';
import { entraFamily } from '../../src/engine/families/entra/index.js';
import { m365Family } from '../../src/engine/families/m365/index.js';
import { listAccounts } from '../../src/engine/operations/accounts.js';
import { checkAccount, listConfigurationErrors } from '../../src/engine/operations/health.js';
import type { FakeTenant } from '../fakes/microsoft-fake.js';
import { admin, harness, type Harness } from '../helpers/engine.js';
import { rejects } from '../helpers/rejects.js';

let h: Harness;
let now = Date.now();
beforeEach(async () => {
  now = Date.now();
  h = await harness({ now: () => new Date(now) });
});
afterEach(async () => {
  await h.close();
});


const FAMILIES = { azure: azureFamily, m365: m365Family, entra: entraFamily };
/** Starts a Microsoft setup with the family's start operation; its output is the certificate hand-out. */
const startMicrosoft = (actor: Actor, family: keyof typeof FAMILIES, input: Record<string, unknown>) => h.engine.run(FAMILIES[family].start, actor, input) as Promise<CertificateHandout>;
const completeMicrosoft = (actor: Actor, input: { setupId: string; name?: string }) => h.engine.run(completeMicrosoftSetup, actor, input);

function tenant(over: Partial<FakeTenant> = {}): FakeTenant {
  return h.ms.addTenant({
    id: randomUUID(),
    apps: [{ clientId: randomUUID(), certificates: [], roles: {} }],
    subscriptions: [
      { subscriptionId: randomUUID(), displayName: 'Production', state: 'Enabled' },
      { subscriptionId: randomUUID(), displayName: 'Sandbox', state: 'Enabled' },
      { subscriptionId: randomUUID(), displayName: 'Old', state: 'Disabled' },
    ],
    ...over,
  });
}

describe('Azure', () => {
  it('generates a certificate, refuses until it is uploaded, then links and lists subscriptions', async () => {
    const t = tenant();
    const app = t.apps[0]!;
    const setup = await startMicrosoft(admin, 'azure', { name: 'Contoso Azure', tenantId: t.id.toUpperCase(), clientId: app.clientId });
    expect(setup.microsoft!.tenantId).toBe(t.id);
    expect(setup.microsoft!.certificatePem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(setup.microsoft!.certificateThumbprint).toMatch(/^[0-9A-F]{40}$/);
    expect(JSON.stringify(setup)).not.toMatch(/PRIVATE KEY/);
    expect(setup.checklist.join(' ')).toMatch(/Global Reader.*Reader/);

    const notYet = await rejects(completeMicrosoft(admin, { setupId: setup.setupId }), 'CERTIFICATE_NOT_UPLOADED');
    expect(notYet.message).toContain(setup.microsoft!.certificateThumbprint);
    expect((await h.engine.run(listAccounts, admin, {})).total).toBe(0);

    app.certificates.push(setup.microsoft!.certificatePem);
    const done = await completeMicrosoft(admin, { setupId: setup.setupId });
    expect(done.account).toMatchObject({ name: 'Contoso Azure', provider: 'azure', status: 'connected' });
    const subs = done.account.microsoft!.subscriptions!;
    expect(subs).toHaveLength(3);
    expect(subs.filter((s) => s.selected).map((s) => s.displayName).sort()).toEqual(['Production', 'Sandbox']);
  });

  it('keeps the private key encrypted at rest, in a file only its owner can read', async () => {
    const t = tenant();
    await startMicrosoft(admin, 'azure', { tenantId: t.id, clientId: t.apps[0]!.clientId });
    const raw = await h.atRest();
    expect(raw).toContain('BEGIN CERTIFICATE');
    expect(raw).not.toMatch(/PRIVATE KEY/);
    expect(raw).toMatch(/"encryptedKey":\{"iv":"[^"]+","tag":"[^"]+","data":"[^"]+"/);
    // The lowdb file is readable by its owner only (PostgreSQL's files are the server's to guard).
    if (!h.env.CLOUDLINK_DATABASE_URL) expect((await stat(h.storePath)).mode & 0o777).toBe(0o600);
  });

  it('says which id is wrong, and when no subscription is visible', async () => {
    const t = tenant({ subscriptions: [] });
    const wrongTenant = await startMicrosoft(admin, 'azure', { tenantId: randomUUID(), clientId: t.apps[0]!.clientId });
    const e1 = await rejects(completeMicrosoft(admin, { setupId: wrongTenant.setupId, name: 'A' }), 'TENANT_NOT_FOUND');
    expect(e1.message).toMatch(/Directory \(tenant\) ID/);
    const wrongApp = await startMicrosoft(admin, 'azure', { tenantId: t.id, clientId: randomUUID() });
    await rejects(completeMicrosoft(admin, { setupId: wrongApp.setupId, name: 'B' }), 'APP_NOT_FOUND');
    const noSubs = await startMicrosoft(admin, 'azure', { tenantId: t.id, clientId: t.apps[0]!.clientId });
    t.apps[0]!.certificates.push(noSubs.microsoft!.certificatePem);
    const e3 = await rejects(completeMicrosoft(admin, { setupId: noSubs.setupId, name: 'C' }), 'NO_SUBSCRIPTIONS');
    expect(e3.message).toMatch(/Reader.*30 minutes/);
    await rejects(startMicrosoft(admin, 'azure', { tenantId: 'not-a-guid', clientId: t.apps[0]!.clientId }), 'INVALID_INPUT');
  });

  it('selects, deselects (with confirmation) and refreshes subscriptions, flagging vanished ones', async () => {
    const t = tenant();
    const setup = await startMicrosoft(admin, 'azure', { name: 'Az', tenantId: t.id, clientId: t.apps[0]!.clientId });
    t.apps[0]!.certificates.push(setup.microsoft!.certificatePem);
    await completeMicrosoft(admin, { setupId: setup.setupId });
    const [prod, sandbox, old] = t.subscriptions.map((s) => s.subscriptionId) as [string, string, string];

    const e = await rejects(h.engine.run(selectAzureSubscriptions, admin, { account: 'Az', selected: [prod, old] }), 'CONFIRMATION_REQUIRED');
    expect(e.message).toMatch(/deselects "Sandbox"/);
    const r = await h.engine.run(selectAzureSubscriptions, admin, { account: 'Az', selected: [prod, old], confirmDeselect: true });
    expect(r).toMatchObject({ added: [old], removed: [sandbox] });
    await rejects(h.engine.run(selectAzureSubscriptions, admin, { account: 'Az', selected: ['nope'] }), 'INVALID_INPUT');
    await rejects(h.engine.run(selectAzureSubscriptions, { ...admin, role: 'member' }, { account: 'Az', selected: [prod] }), 'FORBIDDEN');

    t.subscriptions = t.subscriptions.filter((s) => s.subscriptionId !== prod);
    t.subscriptions.push({ subscriptionId: randomUUID(), displayName: 'New one', state: 'Enabled' });
    const listed = await h.engine.run(listAzureSubscriptions, admin, { account: 'Az', refresh: true });
    expect(listed.subscriptions).toHaveLength(4);
    expect(listed.subscriptions.find((s) => s.subscriptionId === prod)).toMatchObject({ missing: true, selected: true });
    expect(listed.subscriptions.find((s) => s.displayName === 'New one')).toMatchObject({ selected: false, missing: false });
    expect(listed.note).toMatch(/no longer visible/);
  });
});

describe('Microsoft 365 and Entra ID', () => {
  it('Entra ID: names the missing permission, then links once it is granted', async () => {
    const t = tenant();
    const app = t.apps[0]!;
    const setup = await startMicrosoft(admin, 'entra', { name: 'Directory', tenantId: t.id, clientId: app.clientId });
    app.certificates.push(setup.microsoft!.certificatePem);
    app.roles.graph = ['Directory.Read.All'];
    const e = await rejects(completeMicrosoft(admin, { setupId: setup.setupId }), 'PERMISSION_MISSING');
    expect(e.message).toMatch(/Microsoft Graph application permission AccessReview\.Read\.All/);
    expect(e.message).toMatch(/It has: Directory\.Read\.All/);
    app.roles.graph = ['AccessReview.Read.All', 'Organization.Read.All'];
    const done = await completeMicrosoft(admin, { setupId: setup.setupId });
    expect(done.account.microsoft!.grantedPermissions).toContain('AccessReview.Read.All');
  });

  it('Microsoft 365: checks Exchange.ManageAsApp on the Exchange token and the organization id', async () => {
    const t = tenant({ organization: { displayName: 'Contoso', domains: [{ name: 'contoso.onmicrosoft.com', isInitial: true }, { name: 'contoso.com', isInitial: false }] } });
    const app = t.apps[0]!;
    await rejects(startMicrosoft(admin, 'm365', { tenantId: t.id, clientId: app.clientId }), 'INVALID_INPUT');
    const wrongOrg = await startMicrosoft(admin, 'm365', { name: 'Wrong', tenantId: t.id, clientId: app.clientId, organization: 'fabrikam.onmicrosoft.com' });
    app.certificates.push(wrongOrg.microsoft!.certificatePem);
    app.roles.exchange = [];
    const missing = await rejects(completeMicrosoft(admin, { setupId: wrongOrg.setupId }), 'PERMISSION_MISSING');
    expect(missing.message).toMatch(/Office 365 Exchange Online application permission Exchange\.ManageAsApp/);
    app.roles.exchange = ['Exchange.ManageAsApp'];
    app.globalReader = true;
    const org = await rejects(completeMicrosoft(admin, { setupId: wrongOrg.setupId }), 'INVALID_INPUT');
    expect(org.message).toMatch(/its organization id is contoso\.onmicrosoft\.com/);

    const setup = await startMicrosoft(admin, 'm365', { name: 'Mail', tenantId: t.id, clientId: app.clientId, organization: 'Contoso.onmicrosoft.com' });
    app.certificates.push(setup.microsoft!.certificatePem);
    const done = await completeMicrosoft(admin, { setupId: setup.setupId });
    expect(done.account).toMatchObject({ provider: 'm365', status: 'connected', microsoft: { organization: 'contoso.onmicrosoft.com' } });
    expect(h.ms.tokenRequests.some((r) => r.scope === 'https://outlook.office365.com/.default' && r.ok)).toBe(true);
  });

  /** An Entra tenant linked as "Dir", its app with the read permission and the certificate uploaded. */
  async function linkedDirectory() {
    const t = tenant();
    const app = t.apps[0]!;
    app.roles.graph = ['AccessReview.Read.All'];
    const setup = await startMicrosoft(admin, 'entra', { name: 'Dir', tenantId: t.id, clientId: app.clientId });
    app.certificates.push(setup.microsoft!.certificatePem);
    await completeMicrosoft(admin, { setupId: setup.setupId });
    return { app, setup };
  }

  it('health checks re-verify, and warn before the certificate expires', async () => {
    const { app, setup } = await linkedDirectory();
    expect((await h.engine.run(checkAccount, admin, { account: 'Dir' })).warnings).toEqual([]);

    now = Date.parse(setup.microsoft!.certificateExpiresAt) - 10 * 86_400_000;
    const soon = await h.engine.run(checkAccount, admin, { account: 'Dir' });
    expect(soon.warnings[0]).toMatch(/expires in 10 days/);
    expect((await h.engine.run(listConfigurationErrors, admin, {})).warnings).toHaveLength(1);

    app.certificates = [];
    const broken = await h.engine.run(checkAccount, admin, { account: 'Dir' });
    expect(broken.account).toMatchObject({ status: 'error', lastError: { code: 'CERTIFICATE_NOT_UPLOADED' } });
  });

  it('a certificate sealed with another key is the account\'s own trouble: the check records it (it is not "could not check")', async () => {
    await linkedDirectory();
    // As a store restored with part of its secrets sealed under a key that is gone.
    await h.store.mutate((db) => {
      const sealed = JSON.stringify(db.accounts.find((a) => a.name === 'Dir')).match(/"keyId":"([^"]+)"/)![1]!;
      const a = db.accounts.find((x) => x.name === 'Dir')! as unknown as Record<string, unknown>;
      Object.assign(a, JSON.parse(JSON.stringify(a).split(`"keyId":"${sealed}"`).join('"keyId":"0123456789ab"')));
    });
    const checked = await h.engine.run(checkAccount, admin, { account: 'Dir' });
    expect(checked.account).toMatchObject({ status: 'error', lastError: { code: 'PLATFORM_NOT_CONFIGURED', message: expect.stringMatching(/sealed with another encryption key \(key id 0123456789ab/) } });
  });
});
