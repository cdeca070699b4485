import type { EngineContext } from '../context.js';
import type { Account, Invite } from '../schemas.js';

/**
 * An outbox for "your invite connected": a setup may be completed in another process (a stdio MCP
 * server an assistant spawned), which cannot reach Slack. The service claims each completed invite
 * exactly once, through the store's lock, whichever process completed it.
 */
export async function claimInviteNotification(ctx: EngineContext, inviteId: string): Promise<boolean> {
  const now = ctx.now().toISOString();
  return ctx.store.mutate((db) => {
    const invite = db.invites.find((i) => i.id === inviteId);
    if (!invite || invite.status !== 'completed' || invite.notifiedAt) return false;
    invite.notifiedAt = now;
    return true;
  });
}

/** Completed invites nobody has been told about yet, with the account they linked. */
export async function unnotifiedInvites(ctx: EngineContext): Promise<{ invite: Invite; account?: Account }[]> {
  const db = await ctx.store.read();
  return db.invites
    .filter((i) => i.status === 'completed' && !i.notifiedAt)
    .map((invite) => ({ invite, account: db.accounts.find((a) => a.id === invite.accountId) }));
}
