import { describe, expect, it } from 'vitest';
import { composeEngine } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import type { Actor, Recipient } from '../../src/engine/domain/records.js';
import { CloudlinkError } from '../../src/engine/errors.js';
import { completeAwsSetup } from '../../src/engine/families/aws-role/operations.js';
import { awsFamily } from '../../src/engine/families/aws/index.js';
import { LINK_HOLDER } from '../../src/engine/invite-links.js';
import { listAccounts } from '../../src/engine/operations/accounts.js';
import { finishInviteSetup, getInvitePage, getInviteStatus, openInviteLink, previewInviteLink } from '../../src/engine/operations/invite-links.js';
import { getInviteOptions, inviteColleague, listInvites, revokeInvite } from '../../src/engine/operations/invites.js';
import { silentLogger } from '../../src/log.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { MemoryAws, MemoryMicrosoft, memoryCertificates, RecordingNotifier } from '../fakes/memory-gateways.js';
import { admin, deployRole } from '../helpers/memory.js';

const PUBLIC = 'https://cloudlink.example.com';
const cleo = 'cleo@example.com';

/** The engine as the service builds it with the invite pages and e-mail on, in memory; a clock we move. */
async function engineWithPages(env: Record<string, string> = {}) {
  let now = Date.parse('2026-12-01T10:00:00Z');
  const store = new MemoryStore();
  const aws = new MemoryAws();
  const notifier = new RecordingNotifier();
  (notifier.channels as Set<Recipient['channel']>).add('email');
  const { engine } = await composeEngine(
    loadConfig({ CLOUDLINK_TEMPLATE_BASE_URL: 'https://templates.example/v1/', CLOUDLINK_PUBLIC_URL: PUBLIC, CLOUDLINK_SMTP_HOST: '127.0.0.1', CLOUDLINK_SMTP_FROM: 'cloudlink@example.com', ...env }),
    { log: silentLogger, store, gateways: { aws, microsoft: new MemoryMicrosoft() }, certificates: memoryCertificates, notifiers: [notifier], now: () => new Date(now) },
  );
  return { engine, store, aws, notifier, advance: (ms: number) => void (now += ms) };
}

async function code(p: Promise<unknown>) {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e, 'expected a refusal').toBeInstanceOf(CloudlinkError);
  return (e as CloudlinkError).code;
}

/** An e-mail invite, and the token its e-mail carried. */
async function emailInvite(t: Awaited<ReturnType<typeof engineWithPages>>, extra: Record<string, unknown> = {}) {
  const input = { start: 'aws:management', invitee: { id: cleo, name: 'Cleo' }, message: 'Could you deploy this for me?', ...extra };
  const out = await t.engine.run(inviteColleague, admin, input);
  const mail = t.notifier.to(input.invitee.id).find((n) => n.kind === 'invite' && n.invite.inviteId === out.invite.inviteId);
  if (mail?.kind !== 'invite' || !mail.link) throw new Error('no invite e-mail with a link');
  return { out, link: mail.link, token: mail.link.slice(`${PUBLIC}/i/`.length) };
}

describe('invite links', () => {
  it('go out by e-mail, signed, and are never stored: not in the outbox, not the session either', async () => {
    const t = await engineWithPages();
    const { out, link, token } = await emailInvite(t);
    expect(out.delivery).toMatchObject({ status: 'delivered', channel: 'email' });
    expect(link).toMatch(new RegExp(`^${PUBLIC}/i/${out.invite.inviteId}\\.\\d{10}\\.[A-Za-z0-9_-]{43}$`));
    const mail = t.notifier.to(cleo)[0]!;
    expect(mail.kind === 'invite' && mail.handout.kit).toBe('cloudformation-role');
    const opened = await t.engine.run(openInviteLink, LINK_HOLDER, { token });
    const stored = JSON.stringify(await t.store.read());
    expect(stored).not.toContain(token.split('.')[2]);
    expect(stored).not.toContain(opened.session);
    expect((await t.store.read()).invites[0]!.link).toMatchObject({ openedAt: '2026-12-01T10:00:00.000Z', sessionHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('show who asks what before they are used, and the External ID only after, to the browser that opened them', async () => {
    const t = await engineWithPages();
    const { out, token } = await emailInvite(t);
    const preview = await t.engine.run(previewInviteLink, LINK_HOLDER, { token });
    expect(preview).toEqual({ inviteId: out.invite.inviteId, inviter: 'Ada Admin', what: 'an AWS management account', message: 'Could you deploy this for me?', expiresAt: out.invite.expiresAt });
    const setup = (await t.store.read()).setups[0]!;
    expect(JSON.stringify(preview)).not.toContain(setup.aws!.externalId);

    const { session } = await t.engine.run(openInviteLink, LINK_HOLDER, { token });
    const page = await t.engine.run(getInvitePage, LINK_HOLDER, { inviteId: out.invite.inviteId, session });
    expect(page.state.state).toBe('waiting');
    expect(page.needsName).toBe(true);
    expect(page.handout?.kit === 'cloudformation-role' && page.handout.quickCreateUrl).toContain(`param_ExternalId=${setup.aws!.externalId}`);
    expect(page.handout?.aws?.externalId).toBe(setup.aws!.externalId);
    // Another browser, or a guessed session, sees nothing.
    expect(await code(t.engine.run(getInvitePage, LINK_HOLDER, { inviteId: out.invite.inviteId, session: `${session.slice(0, -2)}xx` }))).toBe('INVITE_SESSION_MISSING');
    expect(await code(t.engine.run(getInviteStatus, LINK_HOLDER, { inviteId: out.invite.inviteId, session: 'another-browser-0123456789' }))).toBe('INVITE_SESSION_MISSING');
  });

  it('work once: a second open, even at the same moment, is refused and says so', async () => {
    const t = await engineWithPages();
    const { token } = await emailInvite(t);
    const both = await Promise.allSettled([t.engine.run(openInviteLink, LINK_HOLDER, { token }), t.engine.run(openInviteLink, LINK_HOLDER, { token })]);
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = both.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'INVITE_USED', message: expect.stringMatching(/already opened .* a link works once/) });
    expect(await code(t.engine.run(previewInviteLink, LINK_HOLDER, { token }))).toBe('INVITE_USED');
  });

  it('refuse anything altered: each part of the link, another invite, a new date, a cut-off copy', async () => {
    const t = await engineWithPages();
    const { token } = await emailInvite(t);
    const other = (await emailInvite(t, { invitee: { id: 'dana@example.com' } })).token;
    const [id, exp, mac] = token.split('.') as [string, string, string];
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const forged = [
      `${flip(id, 3)}.${exp}.${mac}`,
      `${id}.${Number(exp) + 86_400}.${mac}`,
      `${id}.${exp}.${flip(mac, 10)}`,
      `${other.split('.')[0]}.${exp}.${mac}`,
      token.slice(0, -5),
      `${id}.${exp}`,
      'not-a-link',
    ];
    for (const f of forged) {
      const e = await t.engine.run(previewInviteLink, LINK_HOLDER, { token: f }).then(() => undefined, (x: CloudlinkError) => x);
      expect(e?.code, f).toBe('INVITE_LINK_INVALID');
      // A forged link learns nothing about any invite.
      expect(e?.message).not.toMatch(/Ada|Cleo|expired|revoked/);
      expect(await code(t.engine.run(openInviteLink, LINK_HOLDER, { token: f }))).toBe('INVITE_LINK_INVALID');
    }
    expect((await t.store.read()).invites.every((i) => !i.link?.openedAt)).toBe(true);
  });

  it('expire with their invite, and stop with a revoke', async () => {
    const t = await engineWithPages({ CLOUDLINK_INVITE_TTL_HOURS: '24' });
    const { token } = await emailInvite(t);
    const revoked = await emailInvite(t, { invitee: { id: 'dana@example.com' } });
    await t.engine.run(revokeInvite, admin, { inviteId: revoked.out.invite.inviteId });
    expect(await code(t.engine.run(openInviteLink, LINK_HOLDER, { token: revoked.token }))).toBe('INVITE_REVOKED');
    t.advance(24 * 3_600_000 + 1000);
    const e = await t.engine.run(openInviteLink, LINK_HOLDER, { token }).catch((x: CloudlinkError) => x);
    expect(e).toMatchObject({ code: 'INVITE_EXPIRED', message: 'This invite link expired on 2026-12-02. Ask Ada Admin for a new invite.' });
  });

  it('let the one holding a link do nothing else: no accounts, no invites, no other setups', async () => {
    const t = await engineWithPages();
    const other = await t.engine.run(awsFamily.start, admin, { kind: 'management', name: 'Secret Payer' });
    await t.engine.run(completeAwsSetup, admin, { setupId: other.setupId, roleArn: deployRole(t.aws, other, '999988887777') });
    const { out, token } = await emailInvite(t, { start: 'aws:linked' });
    const { session } = await t.engine.run(openInviteLink, LINK_HOLDER, { token });
    const invitee: Actor = { id: cleo, via: 'web', role: 'member' };
    for (const who of [LINK_HOLDER, invitee]) {
      expect(await code(t.engine.run(listAccounts, who, {}))).toBe('FORBIDDEN');
      expect(await code(t.engine.run(listInvites, who, {}))).toBe('FORBIDDEN');
      expect(await code(t.engine.run(awsFamily.start, who, { kind: 'management' }))).toBe('FORBIDDEN');
    }
    const page = await t.engine.run(getInvitePage, LINK_HOLDER, { inviteId: out.invite.inviteId, session });
    expect(JSON.stringify(page)).not.toMatch(/Secret Payer|999988887777/);
    expect(JSON.stringify(page)).not.toContain(other.aws!.externalId);
  });

  it('finish the setup as the invitee with the role ARN: the inviter hears once, the audit names the invitee on the web', async () => {
    const t = await engineWithPages();
    const { out, token } = await emailInvite(t);
    const { session } = await t.engine.run(openInviteLink, LINK_HOLDER, { token });
    const setup = (await t.store.read()).setups[0]!;
    const inviteId = out.invite.inviteId;
    const bad = await t.engine.run(finishInviteSetup, LINK_HOLDER, { inviteId, session, action: 'connect', name: 'Payer', roleArn: 'arn:aws:iam::12345:user/x' }).catch((e: CloudlinkError) => e);
    expect(bad).toMatchObject({ code: 'INVALID_INPUT', fields: { roleArn: expect.any(String) } });
    const noName = await t.engine.run(finishInviteSetup, LINK_HOLDER, { inviteId, session, action: 'connect', roleArn: deployRole(t.aws, setup, '111111111111') }).catch((e: CloudlinkError) => e);
    expect(noName).toMatchObject({ code: 'INVALID_INPUT', fields: { name: expect.any(String) } });

    const done = await t.engine.run(finishInviteSetup, LINK_HOLDER, { inviteId, session, action: 'connect', name: 'Payer', roleArn: `arn:aws:iam::111111111111:role/${setup.aws!.roleName}` });
    expect(done.state).toMatchObject({ state: 'connected', headline: 'Payer is connected.', account: { name: 'Payer', summary: expect.stringContaining('111111111111') } });
    expect(await code(t.engine.run(finishInviteSetup, LINK_HOLDER, { inviteId, session, action: 'connect', name: 'Again', roleArn: 'arn:aws:iam::111111111111:role/x' }))).toBe('SETUP_CLOSED');
    await t.engine.jobs.outbox.deliver();
    expect(t.notifier.to(admin.id)).toEqual([expect.objectContaining({ kind: 'account_linked', audience: 'inviter', by: expect.objectContaining({ id: cleo, via: 'web' }) })]);
    // The colleague saw the result on the page: nothing more by e-mail.
    expect(t.notifier.to(cleo).map((n) => n.kind)).toEqual(['invite']);
    const db = await t.store.read();
    expect(db.audit.filter((a) => a.actor.via === 'web').map((a) => `${a.operation}:${a.actor.id}`)).toEqual(['open_invite_link:cleo@example.com', 'complete_aws_setup:cleo@example.com']);
    expect(db.invites[0]).toMatchObject({ status: 'completed', accountId: done.state.account && db.accounts.find((a) => a.name === 'Payer')!.id });
  });

  it('or let the watcher finish it: "done" with the account id, then the colleague hears by e-mail', async () => {
    const t = await engineWithPages();
    const { out, token } = await emailInvite(t);
    const { session } = await t.engine.run(openInviteLink, LINK_HOLDER, { token });
    const inviteId = out.invite.inviteId;
    expect(await code(t.engine.run(finishInviteSetup, LINK_HOLDER, { inviteId, session, action: 'watch' }))).toBe('INVALID_INPUT');
    const watching = await t.engine.run(finishInviteSetup, LINK_HOLDER, { inviteId, session, action: 'watch', accountId: '111111111111' });
    expect(watching.state).toMatchObject({ state: 'watching', headline: expect.stringContaining('111111111111') });
    deployRole(t.aws, (await t.store.read()).setups[0]!, '111111111111');
    expect(await t.engine.jobs.watcher.tick()).toHaveLength(1);
    expect(await t.engine.run(getInviteStatus, LINK_HOLDER, { inviteId, session })).toMatchObject({ state: 'connected', account: { name: 'AWS 111111111111' } });
    await t.engine.jobs.outbox.deliver();
    expect(t.notifier.to(cleo).map((n) => (n.kind === 'account_linked' ? n.audience : n.kind))).toEqual(['invite', 'invitee']);
  });
});

describe('inviting outside Slack', () => {
  it('says which ways are open, and refuses e-mail it cannot send with what the operator must set', async () => {
    const on = await engineWithPages();
    expect((await on.engine.run(getInviteOptions, admin, {})).reach).toEqual({ email: true, link: true });
    const noMail = await engineWithPages({ CLOUDLINK_SMTP_HOST: '', CLOUDLINK_SMTP_FROM: '' });
    expect((await noMail.engine.run(getInviteOptions, admin, {})).reach).toEqual({ email: false, link: true });
    const e = await noMail.engine.run(inviteColleague, admin, { start: 'aws:management', invitee: { id: cleo, channel: 'email' } }).catch((x: CloudlinkError) => x);
    expect(e).toMatchObject({ code: 'PLATFORM_NOT_CONFIGURED', message: expect.stringMatching(/CLOUDLINK_SMTP_HOST and CLOUDLINK_SMTP_FROM/) });
    const notAnAddress = await on.engine.run(inviteColleague, admin, { start: 'aws:management', invitee: { id: 'Cleo from finance', channel: 'email' } }).catch((x: CloudlinkError) => x);
    expect(notAnAddress).toMatchObject({ code: 'INVALID_INPUT', fields: { invitee: expect.stringMatching(/e-mail address/) } });
    expect((await on.store.read()).setups).toEqual([]);
  });

  it('hands the link back to pass on when cloudlink cannot reach the colleague, and e-mail addresses stay that way without SMTP', async () => {
    const t = await engineWithPages({ CLOUDLINK_SMTP_HOST: '', CLOUDLINK_SMTP_FROM: '' });
    const out = await t.engine.run(inviteColleague, admin, { start: 'aws:management', invitee: { id: cleo } });
    expect(out.delivery).toMatchObject({ status: 'not_reachable', channel: 'none', note: expect.stringMatching(/send them the link yourself/) });
    expect(out.link).toMatch(new RegExp(`^${PUBLIC}/i/`));
    expect(inviteColleague.summarize(out)).toMatch(new RegExp(`send them the link yourself[^\n]*\n${PUBLIC}/i/`));
    await expect(t.engine.run(previewInviteLink, LINK_HOLDER, { token: out.link!.split('/i/')[1]! })).resolves.toMatchObject({ inviter: 'Ada Admin' });
    expect(t.notifier.sent).toEqual([]);
  });

  it('gives Slack invites the same page: the DM carries the link', async () => {
    const t = await engineWithPages();
    await t.engine.run(inviteColleague, admin, { start: 'aws:management', invitee: { id: 'UCLEO123' } });
    const [dm] = t.notifier.to('UCLEO123');
    expect(dm?.kind === 'invite' && dm.link).toMatch(new RegExp(`^${PUBLIC}/i/`));
  });
});
