import { describe, expect, it } from 'vitest';
import type { Actor } from '../../../src/engine/domain/records.js';
import type { CertificateHandout } from '../../../src/engine/families/app-certificate/handout.js';
import { noticeDays } from '../../../src/engine/families/app-certificate/expiry.js';
import { completeMicrosoftSetup } from '../../../src/engine/families/app-certificate/operations.js';
import { completeCertificateRotation, startCertificateRotation } from '../../../src/engine/families/app-certificate/rotation.js';
import { entraFamily } from '../../../src/engine/families/entra/index.js';
import { listConfigurationErrors } from '../../../src/engine/operations/health.js';
import type { Notification } from '../../../src/engine/ports/notifier.js';
import { notificationMessage } from '../../../src/slack/views/notifications.js';
import { homeView } from '../../../src/slack/views/home.js';
import { admin, assistant, memoryEngine } from '../../helpers/memory.js';

const DAY = 86_400_000;
const TENANT = '00000000-0000-0000-0000-0000000000aa';

async function linked(env: Record<string, string> = {}) {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const e = await memoryEngine({ env, now: () => new Date(now) });
  const link = async (actor: Actor, name: string, clientId: string) => {
    const setup = (await e.engine.run(entraFamily.start, actor, { name, tenantId: TENANT, clientId })) as CertificateHandout;
    e.ms.apps.push({ tenantId: TENANT, clientId, uploaded: new Set([setup.microsoft!.certificateThumbprint]), roles: ['AccessReview.Read.All'], subscriptions: [] });
    const done = await e.engine.run(completeMicrosoftSetup, actor, { setupId: setup.setupId });
    return { setup, account: done.account, notAfter: Date.parse(setup.microsoft!.certificateExpiresAt) };
  };
  /** One pass of the families' background work, then the outbox: what the person heard, as notices. */
  const pass = async () => {
    await e.engine.jobs.periodic();
    await e.engine.jobs.outbox.deliver();
    return e.notifier.sent.splice(0).map((s) => ({ to: s.to.id, n: s.n as Extract<Notification, { kind: 'certificate_expiring' }> }));
  };
  return { ...e, link, pass, at: (t: number) => void (now = t) };
}

describe('certificate expiry notices', () => {
  it('are 30, 7 and 1 days ahead and at expiry, each once; CLOUDLINK_CERT_WARN_DAYS sets the first', () => {
    expect(noticeDays(30)).toEqual([30, 7, 1, 0]);
    expect(noticeDays(14)).toEqual([14, 7, 1, 0]);
    expect(noticeDays(5)).toEqual([5, 1, 0]);
    expect(noticeDays(7)).toEqual([7, 1, 0]);
  });

  it('reach whoever linked the account once per threshold through the outbox, skipping to the nearest after a gap', async () => {
    const e = await linked();
    const dir = await e.link(admin, 'Directory', '00000000-0000-0000-0000-000000000001');
    expect(await e.pass()).toEqual([]);
    e.at(dir.notAfter - 29.5 * DAY);
    const first = await e.pass();
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ to: admin.id, n: { kind: 'certificate_expiring', days: 30, daysLeft: 29, account: { name: 'Directory' }, renewalPending: false } });
    expect(JSON.stringify(first)).not.toMatch(/PRIVATE KEY|encryptedKey/);
    expect(await e.pass()).toEqual([]);
    e.at(dir.notAfter - 20 * DAY);
    expect(await e.pass()).toEqual([]);
    e.at(dir.notAfter - 6.9 * DAY);
    expect((await e.pass()).map((x) => x.n.days)).toEqual([7]);
    expect(await e.pass()).toEqual([]);
    e.at(dir.notAfter - 0.5 * DAY);
    expect((await e.pass()).map((x) => [x.n.days, x.n.daysLeft])).toEqual([[1, 0]]);
    e.at(dir.notAfter + 1000);
    expect((await e.pass()).map((x) => x.n.days)).toEqual([0]);
    expect(await e.pass()).toEqual([]);

    // A service that was down from before the 30-day mark to 3 days before: one notice, the 7-day one.
    const later = await e.link(admin, 'Later', '00000000-0000-0000-0000-000000000002');
    e.at(later.notAfter - 3 * DAY);
    expect((await e.pass()).map((x) => `${x.n.account.name}:${x.n.days}`)).toEqual(['Later:7']);
  });

  it('start afresh for a renewed certificate, mention a renewal under way, and go nowhere for an actor with no inbox', async () => {
    const e = await linked({ CLOUDLINK_CERT_WARN_DAYS: '14' });
    const dir = await e.link(admin, 'Directory', '00000000-0000-0000-0000-000000000001');
    await e.link(assistant, 'Bot made', '00000000-0000-0000-0000-000000000003');
    e.at(dir.notAfter - 20 * DAY);
    expect(await e.pass()).toEqual([]);
    e.at(dir.notAfter - 13 * DAY);
    const r = await e.engine.run(startCertificateRotation, admin, { account: 'Directory' });
    const notices = await e.pass();
    // The assistant (no `reach`) hears nothing; its account is still marked, so nothing piles up.
    expect(notices.map((x) => `${x.to}:${x.n.account.name}:${x.n.days}:${x.n.renewalPending}`)).toEqual(['U_ADMIN:Directory:14:true']);
    expect(await e.pass()).toEqual([]);

    const slack = notificationMessage(notices[0]!.n);
    expect(slack.text).toMatch(/certificate of Directory expires on/);
    expect(JSON.stringify(slack.blocks)).toMatch(/"action_id":"certificate_renew".*Finish renewal/);

    const { warnings } = await e.engine.run(listConfigurationErrors, admin, {});
    expect(warnings.find((w) => w.account.name === 'Directory')!.message).toMatch(/expires in 13 days.*A renewal is under way: upload its new certificate \(thumbprint [0-9A-F]+\)/);
    expect(warnings.find((w) => w.account.name === 'Bot made')!.message).toMatch(/Renew it without a gap: "Renew certificate"/);
    // App Home shows the same warning beside the account, and offers the renewal in its menu.
    const home = JSON.stringify(homeView(warnings.map((w) => w.account), warnings).view);
    expect(home).toMatch(/:hourglass: The certificate of \\"Directory\\" expires in 13 days/);
    expect(home).toMatch(/"value":"renew:/);

    // Renewed: the new certificate has its own notices, none due for two years.
    e.ms.apps[0]!.uploaded.add(r.certificateThumbprint);
    await e.engine.run(completeCertificateRotation, admin, { account: 'Directory' });
    e.at(dir.notAfter - 6 * DAY);
    expect((await e.pass()).map((x) => x.n.account.name)).toEqual([]);
    expect((await e.engine.run(listConfigurationErrors, admin, {})).warnings.map((w) => w.account.name)).toEqual(['Bot made']);
  });
});
