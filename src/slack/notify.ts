import type { WebClient } from '@slack/web-api';
import { PROVIDER_LABELS, type Account, type Invite } from '../engine/schemas.js';
import type { SlackDeps } from './deps.js';
import { refreshHomes } from './home.js';
import { esc } from './text.js';

/**
 * Turns engine events into Slack messages: both sides of an invite hear when the account connects
 * (whoever or whatever finished it), the watcher's successes and problems reach whoever started the
 * setup, and App Homes stay current.
 */
export function subscribeNotifications(deps: SlackDeps, client: WebClient) {
  const events = deps.engine.events;
  const dm = (user: string, text: string) => client.chat.postMessage({ channel: user, text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });
  const isSlackUser = (r: { via: string }) => r.via === 'slack';

  const connected = (account: Account, how: string, invite?: Invite) =>
    `:white_check_mark: *${esc(account.name)}* (${PROVIDER_LABELS[account.provider]}) is connected: ${how}.${invite ? ` Thanks to <@${invite.invitee.id}>.` : ''}`;

  /** Both sides of an invite, exactly once across processes (the engine's outbox decides). */
  const tellInvite = async (invite: Invite, account: Account, how: string) => {
    if (!(await deps.engine.claimInviteNotification(invite.id))) return;
    const tell = new Set([invite.invitee.id, ...(isSlackUser(invite.inviter) ? [invite.inviter.id] : [])]);
    await Promise.allSettled([...tell].map((u) => dm(u, connected(account, how, invite))));
  };

  events.on('account.linked', async ({ account, setup, via, invite }) => {
    const how = via === 'watcher' ? 'cloudlink saw the stack finish and linked it' : 'it is linked and verified';
    if (invite) await tellInvite(invite, account, how);
    else if (via === 'watcher' && isSlackUser(setup.createdBy)) await dm(setup.createdBy.id, connected(account, how));
    await refreshHomes(deps, client);
  });
  events.on('setup.watch_failed', async ({ setup, message }) => {
    if (isSlackUser(setup.createdBy)) await dm(setup.createdBy.id, `:warning: cloudlink found the role for your setup but could not link it:\n${esc(message)}`);
  });
  events.on('account.health_changed', () => refreshHomes(deps, client));
  events.on('account.renamed', () => refreshHomes(deps, client));
  events.on('account.deleted', () => refreshHomes(deps, client));

  /** Invites completed by another process (an assistant's stdio MCP server) are told here, on a timer. */
  return async function deliverPending() {
    const pending = await deps.engine.unnotifiedInvites();
    for (const { invite, account } of pending) if (account) await tellInvite(invite, account, 'it is linked and verified');
    if (pending.length) await refreshHomes(deps, client);
  };
}
