import type { Actor, Database, Invite, Setup } from './domain/records.js';
import type { EngineCore } from './context.js';
import { enqueue, recipientOf } from './outbox.js';
import type { AccountView } from './views.js';
import { announce } from './webhooks/announce.js';

/**
 * "A setup finished": everyone involved hears once, in words meant for them — the colleague who was
 * invited, the person who invited them, whoever started the setup — except the person who finished it
 * just now, who gets the result from the front end they used. Runs inside the write that links.
 */
export function announceLinked(core: EngineCore, db: Database, opts: { account: AccountView; setup: Setup; invite?: Invite; finisher?: Actor }) {
  const now = core.now();
  const how = opts.finisher ? 'request' : 'watcher';
  const told = new Set<string>(opts.finisher ? [opts.finisher.id] : []);
  const tell = (who: Parameters<typeof recipientOf>[0], audience: 'starter' | 'inviter' | 'invitee') => {
    const to = recipientOf(who);
    if (!to || told.has(to.id)) return;
    told.add(to.id);
    const by = opts.finisher ? { id: opts.finisher.id, via: opts.finisher.via, ...(opts.finisher.name ? { name: opts.finisher.name } : {}) } : undefined;
    enqueue(db, now, to, { kind: 'account_linked', account: opts.account, audience, how, ...(by ? { by } : {}), ...(opts.invite ? { invitee: opts.invite.invitee } : {}) });
  };
  if (opts.invite) {
    tell(opts.invite.invitee, 'invitee');
    tell(opts.invite.inviter, 'inviter');
  }
  tell(opts.setup.createdBy, 'starter');
  // `account` is built for nobody in particular (PUBLIC_READER): safe for subscribers as it is.
  announce(core, db, 'cloudlink.account.linked', opts.account.id, { account: opts.account, how });
}
