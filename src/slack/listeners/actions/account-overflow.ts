import type { AllMiddlewareArgs, BlockAction, OverflowAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { checkAccount } from '../../../engine/operations/health.js';
import type { SlackDeps } from '../../deps.js';
import { userMessage } from '../../errors.js';
import { deleteForm, renameForm, renewForm, subscriptionsForm } from '../../flows.js';
import { publishHome } from '../../home.js';
import { openForm } from '../../modals.js';
import { esc } from '../../text.js';
import { md } from '../../views/blocks.js';

type Args = SlackActionMiddlewareArgs<BlockAction<OverflowAction>> & AllMiddlewareArgs;

const FORMS = { rename: [renameForm, 'Rename account'], delete: [deleteForm, 'Delete account'], subscriptions: [subscriptionsForm, 'Subscriptions'], renew: [renewForm, 'Renew certificate'] } as const;

/** The ⋯ menu on an account in App Home: check now, rename, subscriptions, renew certificate, delete. */
export const accountOverflow = (deps: SlackDeps) => async ({ ack, body, action, client }: Args) => {
  await ack();
  const [op = '', accountId = ''] = action.selected_option.value.split(':');
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  if (op in FORMS) {
    const [build, title] = FORMS[op as keyof typeof FORMS];
    return openForm(client, body.trigger_id, title, () => build(deps, actor, accountId), deps.log);
  }
  if (op !== 'check') return;
  let text: string;
  try {
    const r = await deps.engine.run(checkAccount, actor, { account: accountId });
    text = r.account.status === 'connected' ? `:large_green_circle: *${esc(r.account.name)}* is connected.` : `:red_circle: *${esc(r.account.name)}*: ${esc(r.account.lastError?.message ?? '')}`;
  } catch (e) {
    text = `:warning: ${esc(userMessage(e, deps.log))}`;
  }
  await client.chat.postMessage({ channel: body.user.id, text: text.replace(/\*/g, ''), blocks: [md(text)] });
  await publishHome(deps, client, body.user.id);
};
