import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { deleteWebhook } from '../../../engine/webhooks/operations.js';
import type { SlackDeps } from '../../deps.js';
import { modalErrors } from '../../errors.js';
import { inputValue, metadata } from '../../values.js';
import { webhookDeletedView } from '../../views/webhooks.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** Deletes only when the typed name matches (the engine compares, and checks the id it was asked for). */
export const webhookDeleteSubmit = (deps: SlackDeps) => async ({ ack, view, body, client }: Args) => {
  const { webhookId } = metadata<{ webhookId: string }>(view);
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  try {
    const out = await deps.engine.run(deleteWebhook, actor, { webhook: webhookId ?? '', confirmName: inputValue(view, 'confirm_name') ?? '', expectedId: webhookId });
    await ack({ response_action: 'update', view: webhookDeletedView(out.deleted.name, out.droppedDeliveries) });
  } catch (e) {
    await ack({ response_action: 'errors', errors: modalErrors(e, { confirmName: 'confirm_name' }, 'confirm_name', deps.log) });
  }
};
