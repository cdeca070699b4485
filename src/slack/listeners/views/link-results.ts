import type { WebClient } from '@slack/web-api';
import type { Actor } from '../../../engine/domain/records.js';
import type { SlackDeps } from '../../deps.js';
import { userMessage } from '../../errors.js';
import { esc } from '../../text.js';
import { md } from '../../views/blocks.js';

/**
 * The person who finished a setup hears the result here, in their DM, once: everyone else involved
 * (the colleague who invited them, whoever started it) is told by the engine's notifications.
 */
export async function reportLink(deps: SlackDeps, client: WebClient, actor: Actor, setupId: string, link: () => Promise<{ message: string; warnings?: string[] }>) {
  try {
    const out = await link();
    const text = `:white_check_mark: ${esc(out.message)}${(out.warnings ?? []).map((w) => `\n:warning: ${esc(w)}`).join('')}`;
    await client.chat.postMessage({ channel: actor.id, text: esc(out.message), blocks: [md(text)] });
  } catch (e) {
    await client.chat.postMessage({
      channel: actor.id,
      text: 'The account could not be linked',
      blocks: [
        md(`:x: *The account could not be linked.*\n${esc(userMessage(e, deps.log))}`),
        { type: 'actions', elements: [{ type: 'button', action_id: 'reopen_setup', value: setupId, text: { type: 'plain_text', text: 'Try again' } }] },
      ],
    });
  }
}
