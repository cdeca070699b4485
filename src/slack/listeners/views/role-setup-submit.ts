import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { completeAwsSetup, watchSetup } from '../../../engine/families/aws-role/operations.js';
import type { SlackDeps } from '../../deps.js';
import { modalErrors } from '../../errors.js';
import { inputValue, metadata } from '../../values.js';
import { progressView } from '../../views/link.js';
import { reportLink } from './link-results.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

const FIELDS = { name: 'name', roleArn: 'role_arn', accountId: 'account_id', setupId: 'role_arn' };

/**
 * "Connect": field errors (bad ARN, an ARN in another account than the one given, a taken name) come
 * back inside the modal at once; the real verification (AssumeRole, possibly a minute of IAM
 * propagation) runs after the ack and its result arrives as a direct message.
 */
export const roleSetupSubmit = (deps: SlackDeps) => async ({ ack, view, body, client }: Args) => {
  const { setupId = '' } = metadata<{ setupId: string }>(view);
  const name = inputValue(view, 'name');
  const roleArn = inputValue(view, 'role_arn');
  const accountId = inputValue(view, 'account_id');
  const actor = await deps.actorFor(body.user.id, client, body.user.name);

  if (!roleArn && !accountId) {
    return ack({ response_action: 'errors', errors: { role_arn: "Paste the RoleArn from the stack's Outputs tab, or give the AWS account id below." } });
  }
  if (!roleArn) {
    try {
      const { setup } = await deps.engine.run(watchSetup, actor, { setupId, accountId, ...(name ? { name } : {}) });
      return ack({ response_action: 'update', view: progressView('Watching for the role', `:eyes: cloudlink is watching AWS account ${setup.aws!.awsAccountId} for role \`${setup.aws!.roleName}\`. As soon as the stack is done, the account connects by itself and you get a message.`) });
    } catch (e) {
      return ack({ response_action: 'errors', errors: modalErrors(e, FIELDS, 'account_id', deps.log) });
    }
  }
  const input = { setupId, roleArn, ...(name ? { name } : {}), ...(accountId ? { accountId } : {}) };
  try {
    await deps.engine.precheck(completeAwsSetup, actor, input);
  } catch (e) {
    return ack({ response_action: 'errors', errors: modalErrors(e, FIELDS, 'role_arn', deps.log) });
  }
  await ack({ response_action: 'update', view: progressView('Verifying', ':hourglass_flowing_sand: Verifying the role with AWS (a new role can take up to a minute). You will get a message with the result.') });
  await reportLink(deps, client, actor, setupId, () => deps.engine.run(completeAwsSetup, actor, input));
};
