import { afterEach, describe, expect, it } from 'vitest';
import { composeEngine } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { emailMessage } from '../../src/email/messages.js';
import type { SetupHandoutBrief } from '../../src/engine/families/handouts.js';
import { LINK_HOLDER } from '../../src/engine/invite-links.js';
import { previewInviteLink } from '../../src/engine/operations/invite-links.js';
import { inviteColleague, revokeInvite } from '../../src/engine/operations/invites.js';
import { createLogger } from '../../src/log.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { MemoryAws, MemoryMicrosoft, memoryCertificates } from '../fakes/memory-gateways.js';
import { admin } from '../helpers/memory.js';
import { smtpCatcher } from '../helpers/smtp.js';

const PUBLIC = 'https://cloudlink.example.com';
let smtp: Awaited<ReturnType<typeof smtpCatcher>> | undefined;
afterEach(async () => {
  await smtp?.close();
  smtp = undefined;
});

/** The engine as the service composes it (it delivers), sending through `smtp`; log lines kept. */
async function mailingEngine(env: Record<string, string>) {
  const lines: string[] = [];
  const store = new MemoryStore();
  const { engine } = await composeEngine(loadConfig({ CLOUDLINK_TEMPLATE_BASE_URL: 'https://templates.example/v1/', CLOUDLINK_PUBLIC_URL: PUBLIC, CLOUDLINK_LOG_LEVEL: 'debug', ...env }), {
    log: createLogger({ level: 'debug', write: (l) => lines.push(l) }),
    store,
    deliver: true,
    gateways: { aws: new MemoryAws(), microsoft: new MemoryMicrosoft() },
    certificates: memoryCertificates,
  });
  return { engine, store, lines };
}

describe('the e-mail channel', () => {
  it('sends the invite through SMTP with its page link and nothing the link guards, escaped in the HTML part', async () => {
    smtp = await smtpCatcher();
    const { engine, store } = await mailingEngine(smtp.env());
    const out = await engine.run(inviteColleague, admin, { start: 'aws:management', invitee: { id: 'cleo@example.com', name: 'Cleo <Ops>' }, message: 'Please <script>alert(1)</script> & thanks' });
    expect(out.delivery).toMatchObject({ status: 'delivered', channel: 'email', note: expect.stringMatching(/by e-mail/) });
    const [m] = await smtp.waitFor(1);
    expect(m!.to).toEqual(['cleo@example.com']);
    expect(m!.from).toBe('cloudlink@example.com');
    expect(m!.mail.from?.value).toEqual([{ name: 'cloudlink', address: 'cloudlink@example.com' }]);
    expect(m!.mail.subject).toBe('Ada Admin asks you to connect an AWS management account to cloudlink');
    const link = smtp.linkIn(m!)!;
    expect(link).toMatch(new RegExp(`^${PUBLIC}/i/${out.invite.inviteId}\\.`));
    expect(m!.mail.html).toContain(`href="${link}"`);
    await expect(engine.run(previewInviteLink, LINK_HOLDER, { token: link.split('/i/')[1]! })).resolves.toMatchObject({ inviteId: out.invite.inviteId });

    const setup = (await store.read()).setups[0]!;
    for (const part of [m!.mail.text ?? '', m!.mail.html || '']) {
      expect(part).not.toContain(setup.aws!.externalId);
      expect(part).not.toMatch(/quickcreate|param_/);
    }
    expect(m!.mail.text).toContain('> Please <script>alert(1)</script> & thanks');
    expect(m!.mail.html).toContain('Please &lt;script&gt;alert(1)&lt;/script&gt; &amp; thanks');
    expect(m!.mail.html).not.toContain('<script>');
    expect(m!.mail.text).toMatch(/works once, in the browser you open it in, and expires on \d{4}-\d{2}-\d{2}/);
  });

  it('speaks STARTTLS and signs in, and never writes the password to the log', async () => {
    smtp = await smtpCatcher({ tls: true, auth: { user: 'cloudlink', pass: 'smtp-password-do-not-log-8d1f' } });
    const { engine, lines } = await mailingEngine(smtp.env());
    await engine.run(inviteColleague, admin, { start: 'aws:management', invitee: { id: 'cleo@example.com' } });
    const [m] = await smtp.waitFor(1);
    expect(m).toMatchObject({ secure: true, user: 'cloudlink' });
    expect(lines.some((l) => /"msg":"notification delivered".*"channel":"email"/.test(l))).toBe(true);
    expect(lines.join('\n')).not.toContain('smtp-password-do-not-log-8d1f');
  });

  it('tells an e-mail invitee when the invite is revoked', async () => {
    smtp = await smtpCatcher();
    const { engine } = await mailingEngine(smtp.env());
    const out = await engine.run(inviteColleague, admin, { start: 'aws:management', invitee: { id: 'cleo@example.com' } });
    await engine.run(revokeInvite, admin, { inviteId: out.invite.inviteId });
    await engine.jobs.outbox.deliver();
    const mails = await smtp.waitFor(2);
    expect(mails[1]!.mail.subject).toBe('The invite to connect AWS was revoked');
    expect(mails[1]!.mail.text).toMatch(/link no longer works/);
  });

  it('gives up at once on a mailbox the server refuses for good (5xx), and retries a temporary refusal (4xx)', async () => {
    smtp = await smtpCatcher();
    smtp.refuse.set('nobody@example.com', 550);
    smtp.refuse.set('later@example.com', 451);
    const { engine, store } = await mailingEngine(smtp.env());
    const gone = await engine.run(inviteColleague, admin, { start: 'aws:management', invitee: { id: 'nobody@example.com' } });
    const later = await engine.run(inviteColleague, admin, { start: 'aws:management', invitee: { id: 'later@example.com' } });
    expect([gone.delivery.status, later.delivery.status]).toEqual(['failed', 'failed']);
    const outbox = (await store.read()).outbox;
    expect(outbox.find((i) => i.recipient.id === 'nobody@example.com')).toMatchObject({ status: 'failed', attempts: 1, lastError: expect.stringMatching(/550/) });
    expect(outbox.find((i) => i.recipient.id === 'later@example.com')).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: expect.any(String), lastError: expect.stringMatching(/451/) });
    expect(smtp.caught).toEqual([]);
  });

  it('has words for every notification a person can get, and a link-less invite is not sent', () => {
    const invite = { inviteId: 'i', setupId: 's', provider: 'aws', inviter: { id: 'U_ADMIN', via: 'slack', name: 'Ada' }, invitee: { id: 'c@example.com' }, status: 'pending', createdAt: '2026-12-01T00:00:00Z', expiresAt: '2026-12-08T00:00:00Z' } as const;
    const handout: SetupHandoutBrief = { setupId: 's', provider: 'aws', status: 'open', what: 'an AWS management account', expiresAt: '2026-12-08T00:00:00Z', kit: 'cloudformation-role', templateFile: 'x.yaml', instructions: [] };
    expect(emailMessage({ kind: 'invite', invite, handout })).toBeUndefined();
    expect(emailMessage({ kind: 'invite', invite, handout, link: 'https://x/i/t' })?.subject).toMatch(/Ada asks you/);
    expect(emailMessage({ kind: 'invite_revoked', invite })?.text).toMatch(/Ada revoked/);
    // A name cannot add a header.
    expect(emailMessage({ kind: 'invite', invite: { ...invite, inviter: { ...invite.inviter, name: 'Ada\r\nBcc: all@example.com' } }, handout, link: 'https://x/i/t' })?.subject).not.toMatch(/[\r\n]/);
  });
});

describe('SMTP settings', () => {
  it('are checked at start, each refusal naming the variable and what to do', () => {
    const fails = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(fails({ CLOUDLINK_SMTP_HOST: 'smtp.example.com' })).toMatch(/CLOUDLINK_SMTP_FROM: is required with CLOUDLINK_SMTP_HOST/);
    expect(fails({ CLOUDLINK_SMTP_HOST: 'smtp.example.com', CLOUDLINK_SMTP_FROM: 'not an address' })).toMatch(/CLOUDLINK_SMTP_FROM: must be an address/);
    expect(fails({ CLOUDLINK_SMTP_HOST: 'smtp.example.com', CLOUDLINK_SMTP_FROM: 'a@example.com', CLOUDLINK_SMTP_USER: 'u' })).toMatch(/CLOUDLINK_SMTP_PASSWORD: CLOUDLINK_SMTP_USER and CLOUDLINK_SMTP_PASSWORD go together/);
    expect(fails({ CLOUDLINK_SMTP_HOST: 'smtp.example.com', CLOUDLINK_SMTP_FROM: 'a@example.com', CLOUDLINK_SMTP_USER: 'u', CLOUDLINK_SMTP_PASSWORD: 'p', CLOUDLINK_SMTP_TLS: 'none' })).toMatch(/CLOUDLINK_SMTP_TLS: none would send the SMTP password unencrypted/);
    expect(fails({ CLOUDLINK_SMTP_TLS: 'sometimes' })).toMatch(/CLOUDLINK_SMTP_TLS/);
    expect(fails({ CLOUDLINK_PUBLIC_URL: 'cloudlink.example.com' })).toMatch(/CLOUDLINK_PUBLIC_URL: must be the http\(s\) URL colleagues open/);
    expect(fails({ CLOUDLINK_SMTP_HOST: 'smtp.example.com', CLOUDLINK_SMTP_FROM: 'cloudlink <a@example.com>', CLOUDLINK_SMTP_PORT: '465' })).toBe('');
  });
});
