import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { inviteColleague } from '../../../engine/operations/invites.js';
import type { SlackDeps } from '../../deps.js';
import { modalErrors } from '../../errors.js';
import { updateFrom } from '../../modals.js';
import { inputValue, selectedValues } from '../../values.js';
import { inviteSentView } from '../../views/invite.js';
import { progressView } from '../../views/link.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/**
 * The engine's "invite a colleague": it starts the setup, records the invite and delivers it (a DM, an
 * e-mail, or the link handed back to pass on). The modal is acknowledged with a "sending" view first,
 * then updated with what happened.
 */
export const inviteSubmit = (deps: SlackDeps) => async ({ ack, view, body, client }: Args) => {
  const user = inputValue(view, 'invitee');
  const email = inputValue(view, 'email');
  const asLink = selectedValues(view, 'as_link').includes('link');
  const message = inputValue(view, 'message');
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  // Who the invite is for is one thing: a colleague in Slack, or an address outside it.
  const whoBlock = email ? 'email' : 'invitee';
  if (!user && !email) return ack({ response_action: 'errors', errors: { invitee: view.state.values.email ? 'Choose a colleague in Slack, or give the e-mail address of one outside Slack.' : 'Choose the colleague to invite.' } });
  if (user && email) return ack({ response_action: 'errors', errors: { email: 'Choose one: a colleague in Slack, or an e-mail address.' } });
  const invitee = user ? { id: user, channel: asLink ? ('none' as const) : ('slack' as const) } : { id: email!, channel: asLink ? ('none' as const) : ('email' as const) };
  const input = { start: inputValue(view, 'kind') ?? 'aws:management', invitee, ...(message ? { message } : {}) };
  const fields = { invitee: whoBlock, message: 'message', kind: 'kind', start: 'kind' };
  try {
    await deps.engine.precheck(inviteColleague, actor, input);
  } catch (e) {
    return ack({ response_action: 'errors', errors: modalErrors(e, fields, whoBlock, deps.log) });
  }
  await ack({ response_action: 'update', view: progressView('Invite a colleague', ':hourglass_flowing_sand: Starting the setup and sending the invite…') });
  await updateFrom(client, view.id, 'Invite a colleague', async () => {
    const out = await deps.engine.run(inviteColleague, actor, input);
    return inviteSentView(out.invite, out.delivery, out.link);
  }, deps.log);
};
