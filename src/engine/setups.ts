import { CloudlinkError } from './errors.js';
import type { Database, Invite, Setup } from './schemas.js';

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

/** An invitee who accepted an invite for this setup may finish it even when members cannot link. */
export function isInviteeOf(db: Readonly<Database>, setupId: string, actorId: string): boolean {
  return db.invites.some((i) => i.setupId === setupId && i.status === 'accepted' && i.invitee.id === actorId);
}
