import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { StartAwsSetupOutput } from '../../../engine/operations/start-aws-setup.js';
import type { SlackDeps } from '../../deps.js';
import { openThenUpdate } from '../../modals.js';
import { awsSetupModal } from '../../views/link.js';
import { microsoftCompleteModal } from '../../views/microsoft.js';

type Args = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** "Try again" under a failed link: the same setup (same External ID or certificate), nothing to redo in the cloud. */
export const reopenSetupAction = (deps: SlackDeps) => async ({ ack, body, action, client }: Args) => {
  await ack();
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  await openThenUpdate(
    client,
    body.trigger_id,
    'Link an account',
    async () => {
      const details = await deps.engine.setupDetails(actor, action.value!);
      // Microsoft: the certificate was already sent; show the checklist and Connect again.
      return 'certificateFileName' in details ? microsoftCompleteModal(details, true) : awsSetupModal(details as StartAwsSetupOutput);
    },
    deps.log,
  );
};
