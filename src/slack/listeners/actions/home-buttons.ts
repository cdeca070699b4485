import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { publishHome } from '../../home.js';
import { inviteModal } from '../../views/invite.js';
import { providerChooser } from '../../views/link.js';

type Args = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

export const homeAddAccount = (_deps: SlackDeps) => async ({ ack, body, client }: Args) => {
  await ack();
  await client.views.open({ trigger_id: body.trigger_id, view: providerChooser() });
};

export const homeInvite = (deps: SlackDeps) => async ({ ack, body, client }: Args) => {
  await ack();
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  const { accounts } = await deps.engine.listAccounts(actor, { provider: 'aws' });
  await client.views.open({ trigger_id: body.trigger_id, view: inviteModal({ hasManagement: accounts.some((a) => a.aws?.kind === 'management') }) });
};

export const homeRefresh = (deps: SlackDeps) => async ({ ack, body, client }: Args) => {
  await ack();
  await publishHome(deps, client, body.user.id);
};
