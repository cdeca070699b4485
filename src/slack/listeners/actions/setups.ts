import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { acceptInvite, revokeInvite } from '../../../engine/operations/invites.js';
import { getSetupHandout } from '../../../engine/operations/setups.js';
import type { SlackDeps } from '../../deps.js';
import { openThenUpdate, updateFrom } from '../../modals.js';
import { handoutModal, progressView } from '../../views/link.js';

type Args = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** The colleague's "Done": takes the invite (single use) and opens the setup. */
export const inviteDone = (deps: SlackDeps) => async ({ ack, body, action, client }: Args) => {
  await ack();
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  await openThenUpdate(client, body.trigger_id, 'Finish the link', async () => handoutModal((await deps.engine.run(acceptInvite, actor, { inviteId: action.value ?? '' })).setup, { invited: true }), deps.log);
};

/** "Try again" under a failed link: the same setup (same External ID or certificate), nothing to redo in the cloud. */
export const reopenSetupAction = (deps: SlackDeps) => async ({ ack, body, action, client }: Args) => {
  await ack();
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  await openThenUpdate(client, body.trigger_id, 'Link an account', async () => handoutModal((await deps.engine.run(getSetupHandout, actor, { setupId: action.value ?? '' })).handout), deps.log);
};

/** "Revoke invite": the colleague's buttons stop working (and they are told); the setup itself stays open. */
export const revokeInviteAction = (deps: SlackDeps) => async ({ ack, body, action, client }: Args) => {
  await ack();
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  await updateFrom(
    client,
    body.view?.id,
    'Invite',
    async () => {
      const { invite } = await deps.engine.run(revokeInvite, actor, { inviteId: action.value ?? '' });
      return progressView('Invite revoked', `:no_entry_sign: The invite to <@${invite.invitee.id}> is revoked: it can no longer be used.`);
    },
    deps.log,
  );
};
