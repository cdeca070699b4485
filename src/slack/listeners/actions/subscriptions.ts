import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs, SlackOptionsMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { View } from '@slack/types';
import type { Actor } from '../../../engine/schemas.js';
import type { SlackDeps } from '../../deps.js';
import { modalErrors } from '../../errors.js';
import { updateFrom } from '../../modals.js';
import { metadata, selectedValues } from '../../values.js';
import { progressView } from '../../views/link.js';
import { subscriptionsModal } from '../../views/microsoft.js';

export async function subscriptionsModalFor(deps: SlackDeps, actor: Actor, account: string, refresh = false): Promise<View> {
  const out = await deps.engine.listAzureSubscriptions(actor, { account, refresh });
  return subscriptionsModal(out.account, out.subscriptions, out.note);
}

/** "Refresh from Azure" inside the modal: re-reads the list (vanished ones are flagged). */
export const subscriptionsRefresh = (deps: SlackDeps) => async ({ ack, body, action, client }: SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs) => {
  await ack();
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  await updateFrom(client, body.view?.id, 'Azure subscriptions', () => subscriptionsModalFor(deps, actor, action.value!, true), deps.log);
};

/** "Update": applies the selection; deselecting needs the confirmation box ticked. */
export const subscriptionsSubmit = (deps: SlackDeps) => async ({ ack, view, body, client }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
  const { accountId } = metadata<{ accountId: string }>(view);
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  const picked = view.state.values.subs?.subscriptions_pick ? ((view.state.values.subs.subscriptions_pick.selected_options ?? []) as { value: string }[]).map((o) => o.value) : selectedValues(view, 'subs');
  try {
    const out = await deps.engine.selectAzureSubscriptions(actor, { account: accountId ?? '', selected: picked, confirmDeselect: selectedValues(view, 'confirm').includes('yes') });
    await ack({ response_action: 'update', view: progressView('Subscriptions updated', `:white_check_mark: *${out.account.name}*: ${out.added.length} added, ${out.removed.length} removed. ${out.account.microsoft?.subscriptions?.filter((s) => s.selected).length ?? 0} selected now.`) });
  } catch (e) {
    await ack({ response_action: 'errors', errors: modalErrors(e, { selected: 'confirm' }, 'confirm', deps.log) });
  }
};

/** Options for tenants with more than 100 subscriptions, filtered by what the person types. */
export const subscriptionsOptions = (deps: SlackDeps) => async ({ ack, body, client }: SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs) => {
  const { accountId } = metadata<{ accountId: string }>(body.view ?? {});
  const actor = await deps.actorFor(body.user.id, client);
  const q = body.value.toLowerCase();
  const out = await deps.engine.listAzureSubscriptions(actor, { account: accountId ?? '' });
  const hits = out.subscriptions.filter((s) => s.displayName.toLowerCase().includes(q) || s.subscriptionId.includes(q)).slice(0, 100);
  await ack({ options: hits.map((s) => ({ text: { type: 'plain_text', text: s.displayName.slice(0, 75) }, value: s.subscriptionId })) });
};

