import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Actor } from '../../../engine/schemas.js';
import type { SlackDeps } from '../../deps.js';
import { modalErrors, userMessage } from '../../errors.js';
import { esc } from '../../text.js';
import { inputValue, metadata } from '../../values.js';
import { md } from '../../views/blocks.js';
import { progressView } from '../../views/link.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

const FIELDS = { name: 'name', roleArn: 'role_arn', accountId: 'account_id', setupId: 'role_arn' };

/**
 * "Connect": field errors (bad ARN, taken name) come back inside the modal at once; the real
 * verification (AssumeRole, possibly a minute of IAM propagation) runs after the ack and its result
 * arrives as a direct message.
 */
export const awsSetupSubmit = (deps: SlackDeps) => async ({ ack, view, body, client }: Args) => {
  const { setupId } = metadata<{ setupId: string }>(view);
  const name = inputValue(view, 'name');
  const roleArn = inputValue(view, 'role_arn');
  const accountId = inputValue(view, 'account_id');
  const actor = await deps.actorFor(body.user.id, client, body.user.name);

  if (!roleArn && !accountId) {
    return ack({ response_action: 'errors', errors: { role_arn: 'Paste the RoleArn from the stack\'s Outputs tab, or give the AWS account id below.' } });
  }
  if (!roleArn) {
    try {
      const s = await deps.engine.watchSetup(actor, { setupId, accountId, ...(name ? { name } : {}) });
      return ack({ response_action: 'update', view: progressView('Watching for the role', `:eyes: cloudlink is watching AWS account ${s.aws!.awsAccountId} for role \`${s.aws!.roleName}\`. As soon as the stack is done, the account connects by itself and you get a message.`) });
    } catch (e) {
      return ack({ response_action: 'errors', errors: modalErrors(e, FIELDS, 'account_id', deps.log) });
    }
  }
  const input = { setupId: setupId ?? '', roleArn, ...(name ? { name } : {}) };
  try {
    await deps.engine.checkAwsCompletion(actor, input);
  } catch (e) {
    return ack({ response_action: 'errors', errors: modalErrors(e, FIELDS, 'role_arn', deps.log) });
  }
  await ack({ response_action: 'update', view: progressView('Verifying', ':hourglass_flowing_sand: Verifying the role with AWS (a new role can take up to a minute). You will get a message with the result.') });
  await finishAwsLink(deps, client, actor, input);
};

export async function finishAwsLink(deps: SlackDeps, client: WebClient, actor: Actor, input: { setupId: string; roleArn: string; name?: string }) {
  try {
    const { account } = await deps.engine.completeAwsSetup(actor, input);
    await client.chat.postMessage({ channel: actor.id, text: `${account.name} is linked`, blocks: [md(`:white_check_mark: *${esc(account.name)}* (AWS account ${account.aws!.accountId}) is linked and verified.`)] });
  } catch (e) {
    const message = userMessage(e, deps.log);
    await client.chat.postMessage({
      channel: actor.id,
      text: 'The AWS account could not be linked',
      blocks: [
        md(`:x: *The AWS account could not be linked.*\n${esc(message)}`),
        { type: 'actions', elements: [{ type: 'button', action_id: 'reopen_setup', value: input.setupId, text: { type: 'plain_text', text: 'Try again' } }] },
      ],
    });
  }
}
