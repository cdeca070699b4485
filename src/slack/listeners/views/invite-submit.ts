import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { modalErrors } from '../../errors.js';
import { inputValue } from '../../values.js';
import { inviteDmBlocks } from '../../views/invite.js';
import { inviteSentView } from '../../views/invite.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** Starts the setup, hands it to the colleague, and sends them a DM with everything they need. */
export const inviteSubmit = (deps: SlackDeps) => async ({ ack, view, body, client }: Args) => {
  const invitee = inputValue(view, 'invitee');
  const [provider = 'aws', kind = 'management'] = (inputValue(view, 'kind') ?? '').split(':');
  const message = inputValue(view, 'message');
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  if (!invitee) return ack({ response_action: 'errors', errors: { invitee: 'Choose the colleague to invite.' } });
  if (invitee === body.user.id) return ack({ response_action: 'errors', errors: { invitee: 'Choose someone else: you can finish the setup yourself with Add cloud account.' } });
  try {
    const setup = await deps.engine.startAwsSetup(actor, { provider, kind });
    const invite = await deps.engine.createInvite(actor, { setupId: setup.setupId, invitee: { id: invitee }, ...(message ? { message } : {}) });
    await client.chat.postMessage({ channel: invitee, text: `${body.user.name ?? 'A colleague'} asked you to connect an AWS account to cloudlink`, blocks: inviteDmBlocks(invite, setup) });
    await ack({ response_action: 'update', view: inviteSentView(invite) });
  } catch (e) {
    await ack({ response_action: 'errors', errors: modalErrors(e, { invitee: 'invitee', message: 'message', kind: 'kind' }, 'invitee', deps.log) });
  }
};
