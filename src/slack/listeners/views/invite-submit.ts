import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { inviteColleague } from '../../../engine/operations/invites.js';
import type { SlackDeps } from '../../deps.js';
import { modalErrors } from '../../errors.js';
import { updateFrom } from '../../modals.js';
import { inputValue } from '../../values.js';
import { inviteSentView } from '../../views/invite.js';
import { progressView } from '../../views/link.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

const FIELDS = { invitee: 'invitee', message: 'message', kind: 'kind', start: 'kind' };

/**
 * The engine's "invite a colleague": it starts the setup, records the invite and delivers the DM. The
 * modal is acknowledged with a "sending" view first, then updated with what happened.
 */
export const inviteSubmit = (deps: SlackDeps) => async ({ ack, view, body, client }: Args) => {
  const invitee = inputValue(view, 'invitee');
  const message = inputValue(view, 'message');
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  if (!invitee) return ack({ response_action: 'errors', errors: { invitee: 'Choose the colleague to invite.' } });
  const input = { start: inputValue(view, 'kind') ?? 'aws:management', invitee: { id: invitee, channel: 'slack' as const }, ...(message ? { message } : {}) };
  try {
    await deps.engine.precheck(inviteColleague, actor, input);
  } catch (e) {
    return ack({ response_action: 'errors', errors: modalErrors(e, FIELDS, 'invitee', deps.log) });
  }
  await ack({ response_action: 'update', view: progressView('Invite a colleague', ':hourglass_flowing_sand: Starting the setup and sending the invite…') });
  await updateFrom(client, view.id, 'Invite a colleague', async () => {
    const out = await deps.engine.run(inviteColleague, actor, input);
    return inviteSentView(out.invite, out.delivery);
  }, deps.log);
};
