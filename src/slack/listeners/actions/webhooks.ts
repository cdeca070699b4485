import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { deleteWebhook } from '../../../engine/webhooks/operations.js';
import type { SlackDeps } from '../../deps.js';
import { openOrPushForm } from '../../modals.js';
import { webhookDeleteModal } from '../../views/webhooks.js';

type Args = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

/** Delete on a subscriber: the typed-name modal, pushed over the list (the engine says first whether the person may). */
export const webhookDeleteAction = (deps: SlackDeps) => async ({ ack, body, action, client }: Args) => {
  await ack();
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  await openOrPushForm(client, body.trigger_id, Boolean(body.view), 'Delete webhook', async () => webhookDeleteModal(await deps.engine.confirmation(deleteWebhook, actor, { webhook: action.value ?? '' })), deps.log);
};
