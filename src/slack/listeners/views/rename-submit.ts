import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { renameAccount } from '../../../engine/operations/rename-account.js';
import type { SlackDeps } from '../../deps.js';
import { modalErrors } from '../../errors.js';
import { inputValue, metadata } from '../../values.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** A rename is one store write, well inside Slack's 3 seconds: done before the ack, errors in the field. */
export const renameSubmit = (deps: SlackDeps) => async ({ ack, view, body, client }: Args) => {
  const { accountId } = metadata<{ accountId: string }>(view);
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  try {
    await deps.engine.run(renameAccount, actor, { account: accountId ?? '', newName: inputValue(view, 'new_name') ?? '' });
    await ack();
  } catch (e) {
    await ack({ response_action: 'errors', errors: modalErrors(e, { newName: 'new_name' }, 'new_name', deps.log) });
  }
};
