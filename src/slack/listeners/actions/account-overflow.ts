import type { AllMiddlewareArgs, BlockAction, OverflowAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { userMessage } from '../../errors.js';
import { publishHome } from '../../home.js';
import { esc } from '../../text.js';
import { errorView, md } from '../../views/blocks.js';
import { deleteModal, renameModal } from '../../views/manage.js';
import { subscriptionsModalFor } from './subscriptions.js';

type Args = SlackActionMiddlewareArgs<BlockAction<OverflowAction>> & AllMiddlewareArgs;

/** The ⋯ menu on an account in App Home: check now, rename, subscriptions, delete. */
export const accountOverflow = (deps: SlackDeps) => async ({ ack, body, action, client }: Args) => {
  await ack();
  const [op, accountId = ''] = action.selected_option.value.split(':');
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  try {
    switch (op) {
      case 'rename':
        await client.views.open({ trigger_id: body.trigger_id, view: renameModal(await deps.engine.getAccount(actor, { account: accountId })) });
        return;
      case 'delete':
        await client.views.open({ trigger_id: body.trigger_id, view: deleteModal(await deps.engine.prepareDelete(actor, { account: accountId })) });
        return;
      case 'subscriptions':
        await client.views.open({ trigger_id: body.trigger_id, view: await subscriptionsModalFor(deps, actor, accountId) });
        return;
      case 'check': {
        const r = await deps.engine.checkAccount(actor, { account: accountId });
        const text = r.account.status === 'connected' ? `:large_green_circle: *${esc(r.account.name)}* is connected.` : `:red_circle: *${esc(r.account.name)}*: ${esc(r.account.lastError?.message ?? '')}`;
        await client.chat.postMessage({ channel: body.user.id, text: `${r.account.name}: ${r.account.status}`, blocks: [md(text)] });
        await publishHome(deps, client, body.user.id);
        return;
      }
    }
  } catch (e) {
    await client.views.open({ trigger_id: body.trigger_id, view: errorView('cloudlink', userMessage(e, deps.log)) });
  }
};
