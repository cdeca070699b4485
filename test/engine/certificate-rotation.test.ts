import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CertificateHandout } from '../../src/engine/families/app-certificate/handout.js';
import { completeMicrosoftSetup } from '../../src/engine/families/app-certificate/operations.js';
import { cancelCertificateRotation, completeCertificateRotation, startCertificateRotation } from '../../src/engine/families/app-certificate/rotation.js';
import { azureFamily } from '../../src/engine/families/azure/index.js';
import { entraFamily } from '../../src/engine/families/entra/index.js';
import { m365Family } from '../../src/engine/families/m365/index.js';
import { getAccount } from '../../src/engine/operations/accounts.js';
import { checkAccount } from '../../src/engine/operations/health.js';
import type { FakeApp, FakeTenant } from '../fakes/microsoft-fake.js';
import { admin, harness, member, type Harness } from '../helpers/engine.js';
import { rejects } from '../helpers/rejects.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});


const FAMILIES = { azure: azureFamily, entra: entraFamily, m365: m365Family };

async function linked(family: keyof typeof FAMILIES = 'entra', tenantOver: Partial<FakeTenant> = {}) {
  const t = h.ms.addTenant({
    id: randomUUID(),
    apps: [{ clientId: randomUUID(), certificates: [], roles: { graph: ['AccessReview.Read.All'], exchange: ['Exchange.ManageAsAppV2'] }, globalReader: true }],
    subscriptions: [{ subscriptionId: randomUUID(), displayName: 'Production', state: 'Enabled' }],
    ...tenantOver,
  });
  const app = t.apps[0]!;
  const setup = (await h.engine.run(FAMILIES[family].start, admin, { name: 'Dir', tenantId: t.id, clientId: app.clientId, ...(family === 'm365' ? { organization: 'contoso.onmicrosoft.com' } : {}) })) as CertificateHandout;
  app.certificates.push(setup.microsoft!.certificatePem);
  await h.engine.run(completeMicrosoftSetup, admin, { setupId: setup.setupId });
  return { t, app, old: setup.microsoft! };
}
const account = async () => (await h.engine.run(getAccount, admin, { account: 'Dir' })).account;
const stored = async () => (await h.store.read()).accounts.find((a) => a.name === 'Dir') as unknown as { entra?: { certificate: { thumbprint: string; encryptedKey: { data: string } }; rotation?: unknown } };
/** Sign-ins the fake accepted, and with which certificate (the one the app has at that index). */
const okSignIns = () => h.ms.tokenRequests.filter((r) => r.ok).length;

describe('certificate rotation', () => {
  it('makes a new key pair, signs in with the NEW certificate for real, then switches and drops the old key', async () => {
    const { app, old } = await linked();
    const r = await h.engine.run(startCertificateRotation, admin, { account: 'Dir' });
    expect(r).toMatchObject({ resumed: false, current: { thumbprint: old.certificateThumbprint } });
    expect(r.certificateThumbprint).not.toBe(old.certificateThumbprint);
    expect(r.certificatePem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(JSON.stringify(r)).not.toMatch(/PRIVATE KEY|encryptedKey/);
    expect(r.steps.join(' ')).toMatch(new RegExp(`Leave the current certificate \\(thumbprint ${old.certificateThumbprint}\\)`));
    expect((await account()).microsoft).toMatchObject({ certificateThumbprint: old.certificateThumbprint, rotation: { certificateThumbprint: r.certificateThumbprint } });
    expect(await h.atRest()).not.toMatch(/PRIVATE KEY/);
    // Starting again hands out the same renewal; replace makes another.
    expect((await h.engine.run(startCertificateRotation, admin, { account: 'Dir' })).certificateThumbprint).toBe(r.certificateThumbprint);

    app.certificates.push(r.certificatePem);
    const oldKey = (await stored()).entra!.certificate.encryptedKey.data;
    const done = await h.engine.run(completeCertificateRotation, admin, { account: 'Dir' });
    expect(done.message).toMatch(new RegExp(`new certificate \\(thumbprint ${r.certificateThumbprint}.*Delete the old certificate \\(thumbprint ${old.certificateThumbprint}\\)`));
    expect(done.previousThumbprint).toBe(old.certificateThumbprint);
    expect(done.account.microsoft).toMatchObject({ certificateThumbprint: r.certificateThumbprint });
    expect(done.account.microsoft!.rotation).toBeUndefined();
    expect(await h.atRest()).not.toContain(oldKey);

    // The old certificate is removed from the app: the account still signs in, so it uses the new key.
    app.certificates = [r.certificatePem];
    expect((await h.engine.run(checkAccount, admin, { account: 'Dir' })).account.status).toBe('connected');
    const audit = (await h.store.read()).audit.filter((a) => a.operation.includes('certificate_rotation')).map((a) => a.operation);
    expect(audit).toEqual(['start_certificate_rotation', 'complete_certificate_rotation']);
  });

  it('a rotation whose new certificate was never uploaded fails with the thumbprint to upload and changes nothing', async () => {
    const { old } = await linked();
    const r = await h.engine.run(startCertificateRotation, admin, { account: 'Dir' });
    const before = JSON.stringify((await h.store.read()).accounts);
    const signIns = okSignIns();
    const e = await rejects(h.engine.run(completeCertificateRotation, admin, { account: 'Dir' }), 'CERTIFICATE_NOT_UPLOADED');
    expect(e.message).toContain(`Upload it (thumbprint ${r.certificateThumbprint})`);
    expect(e.message).toContain(`Nothing changed: "Dir" still signs in with its current certificate (thumbprint ${old.certificateThumbprint})`);
    expect(e.details).toMatchObject({ thumbprint: r.certificateThumbprint });
    expect(okSignIns()).toBe(signIns);
    expect(JSON.stringify((await h.store.read()).accounts)).toBe(before);
    expect((await h.engine.run(checkAccount, admin, { account: 'Dir' })).account).toMatchObject({ status: 'connected', microsoft: { certificateThumbprint: old.certificateThumbprint } });
  });

  it('a rotation abandoned half-way leaves the working link untouched, and can be cancelled', async () => {
    const { app, old } = await linked();
    const r = await h.engine.run(startCertificateRotation, admin, { account: 'Dir' });
    // Half-way: the new certificate is uploaded, but the permission went missing in between, so the check with it fails.
    app.certificates.push(r.certificatePem);
    const granted = app.roles.graph;
    app.roles.graph = [];
    const e = await rejects(h.engine.run(completeCertificateRotation, admin, { account: 'Dir' }), 'PERMISSION_MISSING');
    expect(e.message).toMatch(/AccessReview\.Read\.All.*Nothing changed: "Dir" still signs in with its current certificate/);
    expect((await account()).microsoft).toMatchObject({ certificateThumbprint: old.certificateThumbprint, rotation: { certificateThumbprint: r.certificateThumbprint } });
    app.roles.graph = granted;

    // Abandoned: the person never comes back. Health checks keep using the working certificate, even without the new one.
    app.certificates = [old.certificatePem];
    expect((await h.engine.run(checkAccount, admin, { account: 'Dir' })).account).toMatchObject({ status: 'connected', microsoft: { certificateThumbprint: old.certificateThumbprint } });

    // Cancelled: the new key is dropped, the working certificate stays; cancelling again changes nothing.
    await rejects(h.engine.run(cancelCertificateRotation, { ...member, id: 'U_OTHER' }, { account: 'nope' }), 'NOT_FOUND');
    const c = await h.engine.run(cancelCertificateRotation, admin, { account: 'Dir' });
    expect(c).toMatchObject({ cancelled: true, message: expect.stringMatching(new RegExp(`delete it from the app registration`)) });
    expect((await account()).microsoft!.rotation).toBeUndefined();
    expect((await h.engine.run(cancelCertificateRotation, admin, { account: 'Dir' })).cancelled).toBe(false);
    expect((await h.engine.run(checkAccount, admin, { account: 'Dir' })).account).toMatchObject({ status: 'connected', microsoft: { certificateThumbprint: old.certificateThumbprint } });
    await rejects(h.engine.run(completeCertificateRotation, admin, { account: 'Dir' }), 'NO_ROTATION');
  });

  it('renews Azure the same way, re-reading its subscriptions with the new certificate', async () => {
    const az = await linked('azure');
    const r = await h.engine.run(startCertificateRotation, admin, { account: 'Dir' });
    az.app.certificates = [r.certificatePem]; // the old one deleted too early: the account breaks, the renewal still finishes
    expect((await h.engine.run(checkAccount, admin, { account: 'Dir' })).account.status).toBe('error');
    const done = await h.engine.run(completeCertificateRotation, admin, { account: 'Dir' });
    expect(done.account).toMatchObject({ status: 'connected', microsoft: { certificateThumbprint: r.certificateThumbprint, subscriptions: [{ displayName: 'Production', selected: true }] } });
    expect(done.account.lastError).toBeUndefined();
  });
});

describe('Microsoft 365: Exchange.ManageAsAppV2', () => {
  const m365 = async (roles: string[]) => {
    const t = h.ms.addTenant({ id: randomUUID(), apps: [{ clientId: randomUUID(), certificates: [], roles: { exchange: roles }, globalReader: true } as FakeApp], subscriptions: [] });
    const setup = (await h.engine.run(m365Family.start, admin, { name: `Mail ${roles.join('+') || 'none'}`, tenantId: t.id, clientId: t.apps[0]!.clientId, organization: 'contoso.onmicrosoft.com' })) as CertificateHandout;
    t.apps[0]!.certificates.push(setup.microsoft!.certificatePem);
    return { setup, run: () => h.engine.run(completeMicrosoftSetup, admin, { setupId: setup.setupId }) };
  };

  it('accepts the current and the older role name, names the current one in the checklist and when missing', async () => {
    const v2 = await m365(['Exchange.ManageAsAppV2']);
    expect(v2.setup.checklist.join(' ')).toMatch(/Application permissions → Exchange\.ManageAsAppV2 → Add permissions\. \(An app that already has the older Exchange\.ManageAsApp works too\.\)/);
    expect((await v2.run()).account.microsoft!.grantedPermissions).toEqual(['Exchange.ManageAsAppV2']);
    expect((await (await m365(['Exchange.ManageAsApp'])).run()).account.status).toBe('connected');
    const none = await m365(['Mail.Read']);
    const e = await rejects(none.run(), 'PERMISSION_MISSING');
    expect(e.message).toMatch(/Office 365 Exchange Online application permission Exchange\.ManageAsAppV2 \(Exchange\.ManageAsApp, the older name, is accepted too\).*It has: Mail\.Read/);
  });
});
