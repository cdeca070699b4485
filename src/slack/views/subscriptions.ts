import type { KnownBlock, View } from '@slack/types';
import type { SubscriptionView } from '../../engine/families/app-certificate/schema.js';
import { clip, esc } from '../text.js';
import { md, modal } from './blocks.js';

const option = (s: SubscriptionView) => ({
  text: { type: 'plain_text' as const, text: clip(`${s.displayName}${s.missing ? ' (missing)' : s.state !== 'Enabled' ? ` (${s.state})` : ''}`, 75) },
  description: { type: 'plain_text' as const, text: s.subscriptionId },
  value: s.subscriptionId,
});
const selectOption = (s: SubscriptionView) => ({ text: option(s).text, value: s.subscriptionId });

/** Checkboxes up to 10, a multi-select up to 100, an external select (searched) beyond: Slack's limits. */
export function subscriptionsModal(account: { id: string; name: string }, subs: SubscriptionView[], note?: string): View {
  const selected = subs.filter((s) => s.selected);
  const element =
    subs.length <= 10
      ? { type: 'checkboxes' as const, action_id: 'value', options: subs.map(option), ...(selected.length ? { initial_options: selected.map(option) } : {}) }
      : subs.length <= 100
        ? { type: 'multi_static_select' as const, action_id: 'value', options: subs.map(selectOption), ...(selected.length ? { initial_options: selected.map(selectOption) } : {}) }
        : { type: 'multi_external_select' as const, action_id: 'subscriptions_pick', min_query_length: 0, ...(selected.length ? { initial_options: selected.slice(0, 100).map(selectOption) } : {}) };
  const blocks: KnownBlock[] = [
    md(`*${esc(account.name)}*: ${selected.length} of ${subs.length} subscriptions selected.${note ? `\n${esc(note)}` : ''}`),
    { type: 'actions', block_id: 'tools', elements: [{ type: 'button', action_id: 'subscriptions_refresh', value: account.id, text: { type: 'plain_text', text: 'Refresh from Azure' } }] },
  ];
  if (subs.length) {
    blocks.push(
      { type: 'input', block_id: 'subs', optional: true, label: { type: 'plain_text', text: 'Selected subscriptions' }, element } as KnownBlock,
      { type: 'input', block_id: 'confirm', optional: true, label: { type: 'plain_text', text: 'Deselecting' }, element: { type: 'checkboxes', action_id: 'value', options: [{ text: { type: 'plain_text', text: 'Yes, stop covering the subscriptions I unticked' }, value: 'yes' }] } },
    );
  }
  return modal({ callbackId: 'subscriptions_submit', title: 'Azure subscriptions', submit: subs.length ? 'Update' : undefined, close: subs.length ? 'Cancel' : 'Close', blocks, metadata: { accountId: account.id } });
}
