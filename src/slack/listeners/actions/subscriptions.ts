import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs, SlackOptionsMiddlewareArgs } from '@slack/bolt';
import { listAzureSubscriptions } from '../../../engine/families/azure/operations.js';
import type { SlackDeps } from '../../deps.js';
import { subscriptionsForm } from '../../flows.js';
import { updateFrom } from '../../modals.js';
import { metadata } from '../../values.js';

/** "Refresh from Azure" inside the modal: re-reads the list (vanished ones are flagged). */
export const subscriptionsRefresh = (deps: SlackDeps) => async ({ ack, body, action, client }: SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs) => {
  await ack();
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  await updateFrom(client, body.view?.id, 'Azure subscriptions', () => subscriptionsForm(deps, actor, action.value ?? '', true), deps.log);
};

/** Options for tenants with more than 100 subscriptions, filtered by what the person types. */
export const subscriptionsOptions = (deps: SlackDeps) => async ({ ack, body, client }: SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs) => {
  const { accountId } = metadata<{ accountId: string }>(body.view ?? {});
  const actor = await deps.actorFor(body.user.id, client);
  const q = body.value.toLowerCase();
  const out = await deps.engine.run(listAzureSubscriptions, actor, { account: accountId ?? '' });
  const hits = out.subscriptions.filter((s) => s.displayName.toLowerCase().includes(q) || s.subscriptionId.includes(q)).slice(0, 100);
  await ack({ options: hits.map((s) => ({ text: { type: 'plain_text', text: s.displayName.slice(0, 75) }, value: s.subscriptionId })) });
};
