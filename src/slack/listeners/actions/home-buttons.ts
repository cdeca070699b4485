import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { inviteForm, linkStep } from '../../flows.js';
import { publishHome } from '../../home.js';
import { openForm } from '../../modals.js';

type Args = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

export const homeAddAccount = (deps: SlackDeps) => async ({ ack, body, client }: Args) => {
  await ack();
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  await openForm(client, body.trigger_id, 'Add cloud account', () => linkStep(deps, actor, undefined), deps.log);
};

export const homeInvite = (deps: SlackDeps) => async ({ ack, body, client }: Args) => {
  await ack();
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  await openForm(client, body.trigger_id, 'Invite a colleague', () => inviteForm(deps, actor), deps.log);
};

export const homeRefresh = (deps: SlackDeps) => async ({ ack, body, client }: Args) => {
  await ack();
  await publishHome(deps, client, body.user.id);
};
