import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { updateFrom } from '../../modals.js';
import { progressView } from '../../views/link.js';

type Args = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** "Revoke invite": the colleague's buttons stop working; the setup itself stays open. */
export const revokeInviteAction = (deps: SlackDeps) => async ({ ack, body, action, client }: Args) => {
  await ack();
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  await updateFrom(
    client,
    body.view?.id,
    'Invite',
    async () => {
      const invite = await deps.engine.revokeInvite(actor, { inviteId: action.value! });
      return progressView('Invite revoked', `:no_entry_sign: The invite to <@${invite.invitee.id}> is revoked: it can no longer be used.`);
    },
    deps.log,
  );
};
