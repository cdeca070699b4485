import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { deleteAccount } from '../../../engine/operations/delete-account.js';
import type { SlackDeps } from '../../deps.js';
import { modalErrors } from '../../errors.js';
import { inputValue, metadata } from '../../values.js';
import { deletedView } from '../../views/manage.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** Deletes only when the typed name matches (the engine compares); the answer says how to revoke access. */
export const deleteSubmit = (deps: SlackDeps) => async ({ ack, view, body, client }: Args) => {
  const { accountId } = metadata<{ accountId: string }>(view);
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  try {
    const out = await deps.engine.run(deleteAccount, actor, { account: accountId ?? '', confirmName: inputValue(view, 'confirm_name') ?? '', expectedId: accountId });
    await ack({ response_action: 'update', view: deletedView(out.deleted.name, out.revokeInstructions) });
  } catch (e) {
    await ack({ response_action: 'errors', errors: modalErrors(e, { confirmName: 'confirm_name' }, 'confirm_name', deps.log) });
  }
};
