import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewOutput, ViewSubmitAction } from '@slack/bolt';
import { selectAzureSubscriptions } from '../../../engine/families/azure/operations.js';
import type { SlackDeps } from '../../deps.js';
import { modalErrors } from '../../errors.js';
import { esc } from '../../text.js';
import { metadata, selectedValues } from '../../values.js';
import { progressView } from '../../views/link.js';
import { GROUP_VALUE } from '../actions/subscriptions.js';
import type { ChooserMetadata } from '../../views/subscriptions.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** What an input block holds, whatever its element (a static select's action_id is "value"; an external one has its own). */
function picked(view: ViewOutput, blockId: string): string[] | undefined {
  const block = view.state.values[blockId];
  if (!block) return undefined;
  const element = Object.values(block)[0] as { selected_options?: { value: string }[] } | undefined;
  return (element?.selected_options ?? []).map((o) => o.value);
}
const unGroup = (v: string) => (v.startsWith(GROUP_VALUE) ? v.slice(GROUP_VALUE.length) : v);

/**
 * "Update": applies the choice. A small tenant's modal sends the whole selection; a large one's sends
 * what to add and remove; both send the groups chosen whole. Deselecting needs the box ticked.
 */
export const subscriptionsSubmit = (deps: SlackDeps) => async ({ ack, view, body, client }: Args) => {
  const { accountId } = metadata<ChooserMetadata>(view);
  const actor = await deps.actorFor(body.user.id, client, body.user.name);
  const groups = picked(view, 'groups');
  const whole = view.state.values.subs ? { selected: selectedValues(view, 'subs') } : undefined;
  const add = picked(view, 'add')?.map(unGroup);
  const remove = picked(view, 'remove')?.map(unGroup);
  const change = whole ?? { ...(add?.length ? { add } : {}), ...(remove?.length ? { remove } : {}) };
  if (!whole && !add?.length && !remove?.length && groups === undefined) {
    return ack({ response_action: 'errors', errors: { add: 'Choose subscriptions to add or remove.' } });
  }
  try {
    const out = await deps.engine.run(selectAzureSubscriptions, actor, { account: accountId ?? '', ...change, ...(groups !== undefined ? { groups } : {}), confirmDeselect: selectedValues(view, 'confirm').includes('yes') });
    const selected = out.account.microsoft?.subscriptions?.filter((s) => s.selected).length ?? 0;
    const followed = out.account.microsoft?.managementGroup?.followed ?? [];
    await ack({
      response_action: 'update',
      view: progressView('Subscriptions updated', `:white_check_mark: *${esc(out.account.name)}*: ${out.added.length} added, ${out.removed.length} removed. ${selected} selected now.${followed.length ? `\nEverything under ${followed.map((g) => `*${esc(g.displayName)}*`).join(', ')}: new subscriptions there are selected at each resync.` : ''}`),
    });
  } catch (e) {
    const fields: Record<string, string> = view.state.values.subs ? { selected: 'confirm', groups: 'groups' } : { selected: 'confirm', add: 'add', remove: 'remove', groups: 'groups' };
    await ack({ response_action: 'errors', errors: modalErrors(e, fields, 'confirm', deps.log) });
  }
};
