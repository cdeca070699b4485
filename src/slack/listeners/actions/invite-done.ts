import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { StartAwsSetupOutput } from '../../../engine/operations/start-aws-setup.js';
import type { SlackDeps } from '../../deps.js';
import { openThenUpdate } from '../../modals.js';
import { awsSetupModal } from '../../views/link.js';

type Args = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** The colleague's "Done, here is the role ARN": takes the invite (single use) and opens the setup. */
export const inviteDone = (deps: SlackDeps) => async ({ ack, body, action, client }: Args) => {
  await ack();
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  await openThenUpdate(client, body.trigger_id, 'Finish the AWS link', async () => awsSetupModal((await deps.engine.acceptInvite(actor, { inviteId: action.value! })).setup as StartAwsSetupOutput, { invited: true }), deps.log);
};
