import type { EngineSettings } from './context.js';
import { CloudlinkError } from './errors.js';
import { can, requirePermission } from './permissions.js';
import type { Actor, Database, Invite, Setup } from './schemas.js';

/** A setup can be finished while it is open and not past its expiry. */
export function requireOpenSetup(setup: Setup, now: Date) {
  if (setup.status === 'completed') {
    throw new CloudlinkError('SETUP_CLOSED', 'This setup has already been completed: the account is linked. List accounts to see it, or start a new setup for another account.', { setupId: 'Already completed.' });
  }
  if (setup.status === 'expired' || Date.parse(setup.expiresAt) <= now.getTime()) {
    throw new CloudlinkError('SETUP_EXPIRED', `This setup expired on ${setup.expiresAt}. Start a new setup: it comes with a fresh External ID (an old stack must be deleted and created again).`, { setupId: 'Expired.' });
  }
}

/** Invites still waiting on a setup: they complete with it. */
export const openInvitesFor = (db: Readonly<Database>, setupId: string): Invite[] =>
  db.invites.filter((i) => i.setupId === setupId && (i.status === 'pending' || i.status === 'accepted'));

/** Marks a setup completed and closes its invites; returns the invite that was used, if any. */
export function closeSetup(db: Database, setupId: string, accountId: string, now: Date): Invite | undefined {
  const setup = db.setups.find((s) => s.id === setupId);
  if (setup) {
    setup.status = 'completed';
    setup.completedAccountId = accountId;
  }
  let used: Invite | undefined;
  for (const inv of openInvitesFor(db, setupId)) {
    inv.status = 'completed';
    inv.completedAt = now.toISOString();
    inv.accountId = accountId;
    if (!used || inv.acceptedAt) used = inv;
  }
  return used;
}

/** Who may finish a setup: anyone who may link, and an invitee who accepted an invite for it even when members cannot link. */
export function requireFinisher(db: Readonly<Database>, actor: Actor, setup: Setup, settings: EngineSettings) {
  if (can(actor, 'link', settings)) return;
  if (db.invites.some((i) => i.setupId === setup.id && i.status === 'accepted' && i.invitee.id === actor.id)) return;
  requirePermission(actor, 'link', settings);
}

/** The account's name: given now, or given when the setup started. */
export function finishName(given: string | undefined, setup: Setup): string {
  const name = given ?? setup.name;
  if (!name) throw new CloudlinkError('INVALID_INPUT', 'Give the account a name (1–64 characters).', { name: 'A name is required.' });
  return name;
}

/** Inside the mutation that stores the account: the setup as it is now, still open after the cloud calls. */
export function stillOpen(db: Database, setupId: string, now: Date): Setup {
  const current = db.setups.find((x) => x.id === setupId);
  if (!current) throw new CloudlinkError('NOT_FOUND', 'This setup was removed while it was being verified. Start a new setup.');
  requireOpenSetup(current, now);
  return current;
}

/** The fields every newly linked account starts with. */
export function connectedAccountBase(setup: Setup, name: string, id: string, now: Date) {
  const at = now.toISOString();
  return { id, name, status: 'connected' as const, createdBy: setup.createdBy, createdAt: at, updatedAt: at, lastCheckedAt: at, setupId: setup.id };
}
