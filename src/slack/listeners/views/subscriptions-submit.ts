import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { selectAzureSubscriptions } from '../../../engine/families/azure/operations.js';
import type { SlackDeps } from '../../deps.js';
import { modalErrors } from '../../errors.js';
import { esc } from '../../text.js';
import { metadata, selectedValues } from '../../values.js';
import { progressView } from '../../views/link.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** "Update": applies the selection; deselecting needs the confirmation box ticked. */
export const subscriptionsSubmit = (deps: SlackDeps) => async ({ ack, view, body, client }: Args) => {
  const { accountId } = metadata<{ accountId: string }>(view);
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  const picked = view.state.values.subs?.subscriptions_pick ? ((view.state.values.subs.subscriptions_pick.selected_options ?? []) as { value: string }[]).map((o) => o.value) : selectedValues(view, 'subs');
  try {
    const out = await deps.engine.run(selectAzureSubscriptions, actor, { account: accountId ?? '', selected: picked, confirmDeselect: selectedValues(view, 'confirm').includes('yes') });
    const selected = out.account.microsoft?.subscriptions?.filter((s) => s.selected).length ?? 0;
    await ack({ response_action: 'update', view: progressView('Subscriptions updated', `:white_check_mark: *${esc(out.account.name)}*: ${out.added.length} added, ${out.removed.length} removed. ${selected} selected now.`) });
  } catch (e) {
    await ack({ response_action: 'errors', errors: modalErrors(e, { selected: 'confirm' }, 'confirm', deps.log) });
  }
};
