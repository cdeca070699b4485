import type { WebClient } from '@slack/web-api';
import { PROVIDER_LABELS } from '../engine/schemas.js';
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

  events.on('account.linked', async ({ account, setup, via, invite }) => {
    const what = `*${esc(account.name)}* (${PROVIDER_LABELS[account.provider]})`;
    const tell = new Set<string>();
    if (invite) {
      if (isSlackUser(invite.inviter)) tell.add(invite.inviter.id);
      tell.add(invite.invitee.id);
    } else if (via === 'watcher' && isSlackUser(setup.createdBy)) {
      tell.add(setup.createdBy.id);
    }
    const how = via === 'watcher' ? 'cloudlink saw the stack finish and linked it' : 'it is linked and verified';
    await Promise.allSettled([...tell].map((u) => dm(u, `:white_check_mark: ${what} is connected: ${how}.${invite ? ` Thanks to <@${invite.invitee.id}>.` : ''}`)));
    await refreshHomes(deps, client);
  });
  events.on('setup.watch_failed', async ({ setup, message }) => {
    if (isSlackUser(setup.createdBy)) await dm(setup.createdBy.id, `:warning: cloudlink found the role for your setup but could not link it:\n${esc(message)}`);
  });
  events.on('account.health_changed', () => refreshHomes(deps, client));
  events.on('account.renamed', () => refreshHomes(deps, client));
  events.on('account.deleted', () => refreshHomes(deps, client));
}
