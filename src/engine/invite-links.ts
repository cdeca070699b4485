import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EngineSettings } from './context.js';
import { CloudlinkError } from './errors.js';
import type { Actor, Database, Invite } from './domain/records.js';
import type { Notifier } from './ports/notifier.js';
import type { Store } from './ports/store.js';
import type { SecretBox } from './secrets.js';

/**
 * The invite page's link: `<base>/i/<invite id>.<expiry in epoch seconds>.<HMAC-SHA256>`. The HMAC
 * (SecretBox.mac, a key derived from the sealing key) covers the id, the expiry and the invite's own
 * nonce, so a link cannot be forged, re-dated or moved to another invite. It is never stored: it is made
 * again, the same, whenever it is sent. Once-only and expiry are checked against the invite record.
 */

const PURPOSE = 'invite-link v1';
const TOKEN = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(\d{9,11})\.([A-Za-z0-9_-]{43})$/;

type Signing = { secrets: SecretBox; settings: Pick<EngineSettings, 'invitePagesUrl'> };

/** Whoever holds an invite link on the web pages, before the link says who they are. */
export const LINK_HOLDER: Actor = { id: 'invite-link', name: 'someone with an invite link', via: 'web', role: 'member' };

/** The invitee, as the engine acts for them once their link or session checked out. */
export const inviteeActor = (invite: Invite): Actor => ({ id: invite.invitee.id, ...(invite.invitee.name ? { name: invite.invitee.name } : {}), via: 'web', role: 'member' });

export const newLinkNonce = () => randomBytes(16).toString('base64url');
export const newSession = () => randomBytes(32).toString('base64url');
export const sessionHash = (session: string) => createHash('sha256').update(session).digest('hex');

const expiryOf = (invite: Invite) => Math.floor(Date.parse(invite.expiresAt) / 1000);
const macOf = (s: Signing, inviteId: string, exp: number, nonce: string) => s.secrets.mac(PURPOSE, `${inviteId}.${exp}.${nonce}`);

/** The link of an invite that has one, while the invite pages are on. */
export function inviteLinkUrl(s: Signing, invite: Invite): string | undefined {
  const base = s.settings.invitePagesUrl;
  if (!base || !invite.link) return undefined;
  const exp = expiryOf(invite);
  return `${base.replace(/\/+$/, '')}/i/${invite.id}.${exp}.${macOf(s, invite.id, exp, invite.link.nonce).toString('base64url')}`;
}

const INVALID = () =>
  new CloudlinkError('INVITE_LINK_INVALID', 'This invite link is not valid: it was cut short or changed on its way to you. Open it again from the original message (copy the whole link), or ask the person who invited you for a new invite.');

/** Who sent the invite, in words for the colleague; `start`: at the start of a sentence. */
export const inviterName = (invite: Invite, at: 'start' | 'mid' = 'mid') => invite.inviter.name ?? (at === 'start' ? 'The person who invited you' : 'the person who invited you');

/**
 * The invite a link opens, if the link is genuine and may still be used: signature first (nothing about
 * an invite is said to someone holding a forged link), then revoked, used, expired.
 */
export function checkLink(s: Signing, db: Readonly<Database>, token: string, now: Date): Invite {
  const m = TOKEN.exec(token.trim());
  if (!m) throw INVALID();
  const [, inviteId, exp, mac] = m as unknown as [string, string, string, string];
  const invite = db.invites.find((i) => i.id === inviteId);
  if (!invite?.link || String(expiryOf(invite)) !== exp) throw INVALID();
  const expected = macOf(s, inviteId, Number(exp), invite.link.nonce);
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw INVALID();
  if (invite.status === 'revoked') throw new CloudlinkError('INVITE_REVOKED', `${inviterName(invite, 'start')} revoked this invite, so the link no longer works. Ask them for a new one if the setup is still needed.`);
  if (invite.status === 'completed') throw new CloudlinkError('INVITE_USED', 'This invite was already used: the account it was for is linked. There is nothing left to do.');
  if (invite.status === 'expired' || Number(exp) * 1000 <= now.getTime()) {
    throw new CloudlinkError('INVITE_EXPIRED', `This invite link expired on ${invite.expiresAt.slice(0, 10)}. Ask ${inviterName(invite)} for a new invite.`);
  }
  if (invite.link.openedAt) {
    throw new CloudlinkError('INVITE_USED', `This invite link was already opened (on ${invite.link.openedAt.slice(0, 16).replace('T', ' ')} UTC), and a link works once. If that was not you, or you lost the page, ask ${inviterName(invite)} for a new invite.`);
  }
  return invite;
}

/** The invite whose page this browser session may see (constant-time: the session is a secret). */
export function requireSession(db: Readonly<Database>, inviteId: string, session: string): Invite {
  const invite = db.invites.find((i) => i.id === inviteId);
  const stored = invite?.link?.sessionHash;
  const given = Buffer.from(sessionHash(session), 'hex');
  if (!invite || !stored || !timingSafeEqual(Buffer.from(stored, 'hex'), given)) {
    throw new CloudlinkError(
      'INVITE_SESSION_MISSING',
      'This page opens only in the browser where the invite link was first opened. Open the link from your invite in that browser; if it was opened somewhere else (a link works once), ask the person who invited you for a new invite.',
    );
  }
  return invite;
}

/**
 * The notifier as the engine hands it to the outbox: an invite that has a link gets it as it goes out
 * (read from the invite record, signed now), so the link is never written to the outbox.
 */
export function linkingNotifier(inner: Notifier, deps: Signing & { store: Store }): Notifier {
  return {
    channels: inner.channels,
    async deliver(to, n) {
      if (n.kind !== 'invite' || !deps.settings.invitePagesUrl) return inner.deliver(to, n);
      const invite = (await deps.store.read()).invites.find((i) => i.id === n.invite.inviteId);
      const link = invite ? inviteLinkUrl(deps, invite) : undefined;
      return inner.deliver(to, link ? { ...n, link } : n);
    },
  };
}
