import type { KnownBlock, View } from '@slack/types';
import type { SubscriptionView } from '../../engine/families/app-certificate/schema.js';
import type { listAzureSubscriptions } from '../../engine/families/azure/operations.js';
import type { OutputOf } from '../../engine/registry/operation.js';
import { clip, esc } from '../text.js';
import { count, packLines, pagerButtons } from './accounts.js';
import { context, divider, md, modal } from './blocks.js';

export type SubscriptionList = OutputOf<typeof listAzureSubscriptions>;
type GroupRow = SubscriptionList['groups'][number];

/** Up to this many subscriptions, the whole list is one element (checkboxes up to 10, a multi-select up to 100). */
export const SMALL_LIST = 100;
/** Larger lists are browsed this many at a time. */
export const BROWSE_PAGE = 40;
/** Slack: 100 options in a static select, 100 blocks in a modal, 3,000 characters of private_metadata. */
const MAX_OPTIONS = 100;
const MAX_MODAL_BLOCKS = 100;

/** Where the browsed list of a large tenant is: its search, its group filter and its first row. */
export type ChooserState = { q?: string; g?: string; o: number };
/** What the modal carries between requests: the account, and the browsing state (always well under 3,000 characters). */
export type ChooserMetadata = ChooserState & { accountId: string };

const label = (s: SubscriptionView) => clip(`${s.displayName}${s.missing ? ' (missing)' : s.state !== 'Enabled' ? ` (${s.state})` : ''}`, 75);
const option = (s: SubscriptionView) => ({ text: { type: 'plain_text' as const, text: label(s) }, description: { type: 'plain_text' as const, text: clip(`${s.subscriptionId}${s.group ? ` · ${s.group.displayName}` : ''}`, 75) }, value: s.subscriptionId });
const selectOption = (s: SubscriptionView) => ({ text: { type: 'plain_text' as const, text: label(s) }, value: s.subscriptionId });

/** "Production (120, 80 selected)", indented by depth. */
export const groupLabel = (g: GroupRow) => clip(`${'· '.repeat(Math.min(g.depth, 6))}${g.displayName} (${count(g.subscriptions)}${g.selected && g.selected !== g.subscriptions ? `, ${count(g.selected)} selected` : ''})`, 75);
export const groupOption = (g: GroupRow) => ({ text: { type: 'plain_text' as const, text: groupLabel(g) }, value: g.id });

/** Management groups chosen whole: a multi-select of them (searched beyond 100), when cloudlink can read the groups. */
function groupsInput(out: SubscriptionList): KnownBlock[] {
  if (!out.groups.length) return [];
  const followed = out.groups.filter((g) => g.followed);
  const element =
    out.groups.length <= MAX_OPTIONS
      ? { type: 'multi_static_select', action_id: 'value', placeholder: { type: 'plain_text', text: 'No group chosen whole' }, options: out.groups.map(groupOption), ...(followed.length ? { initial_options: followed.map(groupOption) } : {}) }
      : { type: 'multi_external_select', action_id: 'subscriptions_groups_pick', min_query_length: 0, placeholder: { type: 'plain_text', text: 'Search management groups' }, ...(followed.length ? { initial_options: followed.slice(0, MAX_OPTIONS).map(groupOption) } : {}) };
  return [
    {
      type: 'input',
      block_id: 'groups',
      optional: true,
      label: { type: 'plain_text', text: 'Everything under these management groups' },
      hint: { type: 'plain_text', text: 'Their subscriptions are selected, and so are new ones that appear under them at each resync. A subscription that moves out is deselected and flagged.' },
      element,
    } as KnownBlock,
  ];
}

const confirmInput: KnownBlock = {
  type: 'input',
  block_id: 'confirm',
  optional: true,
  label: { type: 'plain_text', text: 'Deselecting' },
  element: { type: 'checkboxes', action_id: 'value', options: [{ text: { type: 'plain_text', text: 'Yes, stop covering the subscriptions I deselect' }, value: 'yes' }] },
};

function header(account: { name: string }, out: SubscriptionList): KnownBlock[] {
  const mg = out.managementGroup;
  const scope = !mg
    ? ''
    : mg.access === 'granted'
      ? `\nManagement group *${esc(mg.displayName ?? mg.id)}*${mg.groups ? ` and ${count(mg.groups)} group${mg.groups === 1 ? '' : 's'} below it` : ''}.${mg.followed.length ? ` Everything under ${mg.followed.map((g) => `*${esc(g.displayName)}*`).join(', ')}.` : ''}`
      : `\n:warning: cloudlink cannot read the management groups, so subscriptions are chosen one by one. ${esc(mg.error ?? '')}`;
  const changes = out.changes ? changesLine(out.changes) : '';
  return [
    md(`*${esc(account.name)}*: ${count(out.counts.selected)} of ${count(out.counts.all)} subscriptions selected.${scope}${changes ? `\n:arrows_counterclockwise: Refreshed: ${changes}.` : ''}${out.note ? `\n${esc(out.note)}` : ''}`),
    { type: 'actions', block_id: 'tools', elements: [{ type: 'button', action_id: 'subscriptions_refresh', value: out.account.id, text: { type: 'plain_text', text: 'Refresh from Azure' } }] },
  ];
}

function changesLine(c: NonNullable<SubscriptionList['changes']>): string {
  return [
    c.added.length && `${count(c.added.length)} new`,
    c.selected.length && `${count(c.selected.length)} newly selected`,
    c.moved.length && `${count(c.moved.length)} moved between groups`,
    c.deselected.length && `${count(c.deselected.length)} no longer selected`,
    c.missing.length && `${count(c.missing.length)} no longer visible (flagged)`,
    c.back.length && `${count(c.back.length)} visible again`,
  ]
    .filter(Boolean)
    .join(', ');
}

/** Checkboxes up to 10, a multi-select up to 100 (grouped by management group when known). */
function smallList(out: SubscriptionList): KnownBlock[] {
  const subs = out.subscriptions;
  if (!subs.length) return [];
  const selected = subs.filter((s) => s.selected);
  const byGroup = new Map<string, SubscriptionView[]>();
  for (const s of subs) byGroup.set(s.group?.displayName ?? 'Not in a known group', [...(byGroup.get(s.group?.displayName ?? 'Not in a known group') ?? []), s]);
  const element =
    subs.length <= 10
      ? { type: 'checkboxes' as const, action_id: 'value', options: subs.map(option), ...(selected.length ? { initial_options: selected.map(option) } : {}) }
      : byGroup.size > 1 && byGroup.size <= MAX_OPTIONS
        ? {
            type: 'multi_static_select' as const,
            action_id: 'value',
            option_groups: [...byGroup].map(([name, list]) => ({ label: { type: 'plain_text' as const, text: clip(name, 75) }, options: list.map(selectOption) })),
            ...(selected.length ? { initial_options: selected.map(selectOption) } : {}),
          }
        : { type: 'multi_static_select' as const, action_id: 'value', options: subs.map(selectOption), ...(selected.length ? { initial_options: selected.map(selectOption) } : {}) };
  const through = subs.filter((s) => s.throughGroup).length;
  return [
    {
      type: 'input',
      block_id: 'subs',
      optional: true,
      label: { type: 'plain_text', text: 'Selected subscriptions' },
      ...(out.groups.length ? { hint: { type: 'plain_text', text: `Subscriptions under a group chosen whole stay selected through it${through ? ` (${through} now)` : ''}.` } } : {}),
      element,
    } as KnownBlock,
    confirmInput,
  ];
}

const stateMark = (s: SubscriptionView) => (s.missing ? ':warning:' : s.selected ? ':ballot_box_with_check:' : ':white_medium_square:');
export function subscriptionLine(s: SubscriptionView): string {
  const notes = [
    s.group ? esc(s.group.displayName) : '',
    s.state !== 'Enabled' ? esc(s.state) : '',
    s.throughGroup ? 'through its group' : '',
    s.missing ? `missing since ${s.missingSince?.slice(0, 10) ?? 'the last refresh'}` : '',
    s.moved ? `moved from ${esc(s.moved.from)} on ${s.moved.at.slice(0, 10)}` : '',
  ].filter(Boolean);
  return `${stateMark(s)} *${esc(clip(s.displayName, 80))}* \`${s.subscriptionId}\`${notes.length ? ` · ${notes.join(' · ')}` : ''}`;
}

/**
 * Beyond 100 subscriptions: no element can hold them all, so the choice is made by change. "Add" and
 * "Remove" search the list as you type (subscriptions, or a whole group's subscriptions at once), and
 * the list itself is browsed below, BROWSE_PAGE at a time, searched and filtered by group.
 */
function largeList(out: SubscriptionList, page: SubscriptionList, state: ChooserState): KnownBlock[] {
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: 'add',
      optional: true,
      label: { type: 'plain_text', text: 'Add subscriptions' },
      hint: { type: 'plain_text', text: 'Type part of a name, an id or a management group: a group adds every subscription in it now.' },
      element: { type: 'multi_external_select', action_id: 'subscriptions_add', min_query_length: 0, placeholder: { type: 'plain_text', text: 'Search subscriptions and groups' } },
    } as KnownBlock,
    {
      type: 'input',
      block_id: 'remove',
      optional: true,
      label: { type: 'plain_text', text: 'Remove subscriptions' },
      element: { type: 'multi_external_select', action_id: 'subscriptions_remove', min_query_length: 0, placeholder: { type: 'plain_text', text: 'Search the selected ones' } },
    } as KnownBlock,
    confirmInput,
    divider,
    {
      type: 'input',
      block_id: 'browse_search',
      optional: true,
      dispatch_action: true,
      label: { type: 'plain_text', text: 'Browse: search the list' },
      element: { type: 'plain_text_input', action_id: 'subscriptions_search', placeholder: { type: 'plain_text', text: 'Name or id, then Enter' }, ...(state.q ? { initial_value: state.q } : {}), dispatch_action_config: { trigger_actions_on: ['on_enter_pressed'] } },
    } as KnownBlock,
  ];
  if (out.groups.length) {
    const all = { text: { type: 'plain_text' as const, text: 'Every group' }, value: '*' };
    const options = [all, ...out.groups.slice(0, MAX_OPTIONS - 1).map(groupOption)];
    const initial = options.find((o) => o.value === (state.g ?? '*')) ?? all;
    blocks.push({ type: 'actions', block_id: 'browse_group', elements: [{ type: 'static_select', action_id: 'subscriptions_filter', options, initial_option: initial }] } as KnownBlock);
  }
  const room = MAX_MODAL_BLOCKS - blocks.length - 6;
  const lines = page.subscriptions.map(subscriptionLine);
  const packed = packLines('', lines, Math.min(room, 6));
  if (lines.length) blocks.push(...packed.blocks);
  else blocks.push(md(state.q || state.g ? 'No subscription matches.' : 'No subscriptions.'));
  const where = [state.q ? `matching "${esc(state.q)}"` : '', state.g && state.g !== '*' ? `in ${esc(out.groups.find((g) => g.id === state.g)?.displayName ?? state.g)}` : ''].filter(Boolean).join(' ');
  if (page.total) blocks.push(context(`Showing ${count(page.offset + 1)}–${count(page.offset + packed.shown)} of ${count(page.total)} subscriptions${where ? ` ${where}` : ''}.`));
  const cursor = (o: number) => JSON.stringify({ o, ...(state.q ? { q: state.q } : {}), ...(state.g ? { g: state.g } : {}) });
  blocks.push(...pagerButtons('subscriptions_page', 'browse_pages', page.offset > 0 ? cursor(Math.max(0, page.offset - BROWSE_PAGE)) : undefined, page.offset + packed.shown < page.total ? cursor(page.offset + packed.shown) : undefined));
  return blocks;
}

/**
 * The subscription chooser. Up to 100 subscriptions: the whole list in one element. Beyond: add and
 * remove by search, and browse the list a page at a time. Either way, management groups can be chosen
 * whole. Within Slack's limits at any size: 100 blocks, 100 options per select, 3,000 characters.
 */
export function subscriptionsModal(account: { id: string; name: string }, out: SubscriptionList, opts: { page?: SubscriptionList; state?: ChooserState } = {}): View {
  const state = opts.state ?? { o: 0 };
  const large = out.counts.all > SMALL_LIST;
  const blocks: KnownBlock[] = [...header(account, out), ...groupsInput(out), ...(large ? largeList(out, opts.page ?? out, state) : smallList(out))];
  const editable = out.counts.all > 0;
  if (editable && !blocks.some((b) => (b as { block_id?: string }).block_id === 'confirm')) blocks.push(confirmInput);
  const metadata: ChooserMetadata = { accountId: account.id, ...(large ? state : { o: 0 }) };
  return modal({ callbackId: 'subscriptions_submit', title: 'Azure subscriptions', submit: editable ? 'Update' : undefined, close: editable ? 'Cancel' : 'Close', blocks, metadata });
}
