import type { KnownBlock, View } from '@slack/types';
import type { AccountView } from '../../engine/views.js';
import { clip, esc } from '../text.js';
import { accountSummary, clampOffset, displayOrder, groupOf, groupTitle, pagerButtons, rangeText } from './accounts.js';
import { context, divider, header, md, modal, textInput } from './blocks.js';

/** App Home holds at most 100 blocks; one page shows this many accounts (one block each, with its ⋯ menu). */
const MAX_HOME_BLOCKS = 100;
export const HOME_PAGE = 50;

/** What one person looks at in App Home: their search and where their page starts. */
export type HomeState = { search?: string; offset: number };

function accountBlock(a: AccountView, warnings: Map<string, string>): KnownBlock {
  const options = [
    { text: { type: 'plain_text' as const, text: 'Check now' }, value: `check:${a.id}` },
    { text: { type: 'plain_text' as const, text: 'Rename' }, value: `rename:${a.id}` },
    ...(a.capabilities.includes('subscriptions') ? [{ text: { type: 'plain_text' as const, text: 'Subscriptions' }, value: `subscriptions:${a.id}` }] : []),
    ...(a.capabilities.includes('certificate') ? [{ text: { type: 'plain_text' as const, text: a.microsoft?.rotation ? 'Finish renewal' : 'Renew certificate' }, value: `renew:${a.id}` }] : []),
    { text: { type: 'plain_text' as const, text: 'Delete' }, value: `delete:${a.id}` },
  ];
  const extra = a.status === 'error' && a.lastError ? `\n${esc(clip(a.lastError.message.split('\n')[0]!, 280))}` : warnings.has(a.id) ? `\n:hourglass: ${esc(warnings.get(a.id)!)}` : '';
  return { type: 'section', block_id: `account:${a.id}`, text: { type: 'mrkdwn', text: clip(accountSummary(a) + extra, 3000) }, accessory: { type: 'overflow', action_id: 'account_overflow', options } };
}

const button = (action_id: string, text: string, extra: Record<string, unknown> = {}) => ({ type: 'button' as const, action_id, text: { type: 'plain_text' as const, text }, ...extra });

/**
 * App Home: what needs attention first, then the accounts by provider, with actions on each; a page
 * at a time (Previous/Next), searched with **Search**. `accounts` are those matching the search.
 */
export function homeView(accounts: readonly AccountView[], warnings: { account: AccountView; message: string }[] = [], state: HomeState = { offset: 0 }): { view: View; offset: number } {
  const warn = new Map(warnings.map((w) => [w.account.id, w.message]));
  const search = state.search?.trim() || undefined;
  const blocks: KnownBlock[] = [
    header('Cloud accounts'),
    {
      type: 'actions',
      block_id: 'home_actions',
      elements: [
        button('home_add_account', 'Add cloud account', { style: 'primary' }),
        button('home_invite', 'Invite a colleague'),
        button('home_search', search ? 'Change search' : 'Search'),
        ...(search ? [button('home_search_clear', 'Clear search')] : []),
        button('home_refresh', 'Refresh'),
      ],
    },
  ];
  if (search) blocks.push(context(`Searching for "${esc(search)}" in names, AWS account ids, tenant ids and cloudlink ids.`));
  const o = displayOrder(accounts);
  const list = o.accounts;
  const total = list.length;
  if (!total) {
    blocks.push(
      divider,
      md(search ? `No account matches "${esc(search)}". *Clear search* shows every account again.` : 'No accounts yet. *Add cloud account* walks you through it, or *Invite a colleague* who can deploy the AWS template.'),
    );
    return { view: { type: 'home', blocks }, offset: 0 };
  }
  const offset = clampOffset(state.offset, total, HOME_PAGE);
  // The range note and the buttons come last.
  const budget = MAX_HOME_BLOCKS - 2;
  let shown = 0;
  let group: string | undefined;
  for (let i = offset; i < total && shown < HOME_PAGE; i++) {
    const a = list[i]!;
    const g = groupOf(a);
    const heading = g !== group ? [divider, md(groupTitle(o, g, i > 0 && groupOf(list[i - 1]!) === g))] : [];
    if (blocks.length + heading.length + 1 > budget) break;
    blocks.push(...heading, accountBlock(a, warn));
    group = g;
    shown++;
  }
  const prev = offset > 0 ? String(Math.max(0, offset - HOME_PAGE)) : undefined;
  const next = offset + shown < total ? String(offset + shown) : undefined;
  blocks.push(context(rangeText(offset, shown, total, search)), ...pagerButtons('home_page', 'home_pages', prev, next));
  return { view: { type: 'home', blocks }, offset };
}

/** The small search form App Home's **Search** opens. */
export const homeSearchModal = (current?: string): View =>
  modal({
    callbackId: 'home_search_submit',
    title: 'Search accounts',
    submit: 'Search',
    blocks: [
      textInput({ blockId: 'search', label: 'Name, AWS account id or tenant id', placeholder: 'e.g. prod, 123456789012', initial: current, optional: true, maxLength: 200, hint: 'Any part of it, in any case. Leave it empty to see every account.' }),
    ],
  });
