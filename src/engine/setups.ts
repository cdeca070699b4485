import { randomUUID } from 'node:crypto';
import { actorRef } from './audit.js';
import type { OpContext } from './context.js';
import { CloudlinkError } from './errors.js';
import type { Account, Database, Invite, Provider, Setup } from './domain/records.js';

/** A setup can be finished while it is open and not past its expiry. */
export function requireOpenSetup(setup: Setup, now: Date) {
  if (setup.status === 'completed') {
    throw new CloudlinkError('SETUP_CLOSED', 'This setup has already been completed: the account is linked. List accounts to see it, or start a new setup for another account.', { setupId: 'Already completed.' });
  }
  if (setup.status === 'expired' || Date.parse(setup.expiresAt) <= now.getTime()) {
    throw new CloudlinkError('SETUP_EXPIRED', `This setup expired on ${setup.expiresAt}. Start a new setup: it comes with a fresh External ID or certificate (an old stack must be deleted and created again).`, { setupId: 'Expired.' });
  }
}

/** Invites still waiting on a setup: they complete with it. */
export const openInvitesFor = (db: Readonly<Database>, setupId: string): Invite[] =>
  db.invites.filter((i) => i.setupId === setupId && (i.status === 'pending' || i.status === 'accepted'));

/** Whether `actorId` took an invite for this setup: they may finish it even when members cannot link. */
export const acceptedInvitee = (db: Readonly<Database>, actorId: string, setupId: string) =>
  db.invites.some((i) => i.setupId === setupId && i.status === 'accepted' && i.invitee.id === actorId);

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

/** A setup of `provider` whose block is `key`: refuses another kit's setup with the way to finish it. */
export function requireKit<K extends 'aws' | 'microsoft'>(setup: Setup, key: K, finishWith: string): Setup & Required<Pick<Setup, K>> {
  if (!setup[key]) {
    throw new CloudlinkError('WRONG_PROVIDER', `Setup ${setup.id} is a ${setup.provider} setup, which ${finishWith} does not finish. Use the completion step its start gave you.`, { setupId: 'Not this kind of setup.' });
  }
  return setup as Setup & Required<Pick<Setup, K>>;
}

/** The fields every newly linked account starts with. */
export function connectedAccountBase(setup: Setup, name: string, now: Date) {
  const at = now.toISOString();
  return { id: randomUUID(), name, status: 'connected' as const, createdBy: setup.createdBy, createdAt: at, updatedAt: at, lastCheckedAt: at, setupId: setup.id };
}

/** A new open setup's common fields. */
export function newSetupBase(ctx: OpContext, provider: Provider, name: string | undefined) {
  const now = ctx.now();
  return {
    id: randomUUID(),
    provider,
    status: 'open' as const,
    ...(name ? { name } : {}),
    createdBy: actorRef(ctx.actor),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ctx.settings.setupTtlMs).toISOString(),
  };
}

export const accountsOf = <P extends Provider>(db: Readonly<Database>, provider: P) => db.accounts.filter((a): a is Extract<Account, { provider: P }> => a.provider === provider);
