import type { KnownBlock } from '@slack/types';
import { PROVIDER_LABELS, type Provider } from '../../engine/domain/records.js';
import type { AccountView } from '../../engine/views.js';
import { clip, esc, STATUS_ICON } from '../text.js';
import { context, header, md } from './blocks.js';

export const accountSummary = (a: AccountView): string => `${STATUS_ICON[a.status] ?? ''} *${esc(a.name)}*  ${esc(a.summary)}`;

/** Slack's limits for one message: 50 blocks, 3,000 characters of text in a section. */
export const MAX_MESSAGE_BLOCKS = 50;
const SECTION_CHARS = 3000;
/** How many accounts one page of `/cloud list` shows. */
export const LIST_PAGE = 40;

/** Lines packed into as few sections as fit, never cutting a line: a line that fits nowhere is left out and counted. */
export function packLines(title: string, lines: string[], maxSections: number): { blocks: KnownBlock[]; shown: number } {
  const blocks: KnownBlock[] = [];
  let text = title;
  let shown = 0;
  for (const line of lines) {
    const next = text ? `${text}\n${line}` : line;
    if (next.length <= SECTION_CHARS) {
      text = next;
      shown++;
      continue;
    }
    if (blocks.length + 1 >= maxSections) break;
    blocks.push(md(text));
    text = line.slice(0, SECTION_CHARS);
    shown++;
  }
  if (text) blocks.push(md(text));
  return { blocks, shown };
}

export const count = (n: number) => n.toLocaleString('en');

/** Accounts as people read them: configuration errors first, then by provider (the engine's order). */
export type Ordered = { accounts: readonly AccountView[]; errors: number; byProvider: ReadonlyMap<Provider, number> };
const orders = new WeakMap<readonly AccountView[], Ordered>();

/** The display order of a list, computed once per list (the engine hands out one shared array per store snapshot). */
export function displayOrder(accounts: readonly AccountView[]): Ordered {
  let o = orders.get(accounts);
  if (!o) {
    const broken = accounts.filter((a) => a.status === 'error');
    const rest = broken.length ? accounts.filter((a) => a.status !== 'error') : accounts;
    const byProvider = new Map<Provider, number>();
    for (const a of rest) byProvider.set(a.provider, (byProvider.get(a.provider) ?? 0) + 1);
    o = { accounts: broken.length ? [...broken, ...rest] : accounts, errors: broken.length, byProvider };
    orders.set(accounts, o);
  }
  return o;
}

/** Which heading an account sits under. */
export const groupOf = (a: AccountView): 'error' | Provider => (a.status === 'error' ? 'error' : a.provider);

/** A group's heading: its size in the whole list, "continued" when it began on an earlier page. */
export function groupTitle(o: Ordered, group: 'error' | Provider, continued: boolean): string {
  const more = continued ? ', continued' : '';
  return group === 'error' ? `*:warning: Configuration errors* (${count(o.errors)}${more})` : `*${PROVIDER_LABELS[group]}* (${count(o.byProvider.get(group) ?? 0)}${more})`;
}

/** A page start that still shows something: a page past the end (accounts went away) becomes the last page. */
export function clampOffset(offset: number, total: number, pageSize: number): number {
  if (offset < total) return Math.max(0, offset);
  return total ? Math.floor((total - 1) / pageSize) * pageSize : 0;
}

/** "Showing 41–80 of 5,000 accounts (matching "prod")". */
export const rangeText = (from: number, shown: number, total: number, search?: string) =>
  `Showing ${count(from + 1)}–${count(from + shown)} of ${count(total)} account${total === 1 ? '' : 's'}${search ? ` (matching "${esc(search)}")` : ''}.`;

/** Previous / Next, when there is somewhere to go. `value` says what each button carries. */
export function pagerButtons(actionPrefix: string, blockId: string, prev: string | undefined, next: string | undefined): KnownBlock[] {
  const elements = [
    ...(prev !== undefined ? [{ type: 'button' as const, action_id: `${actionPrefix}:prev`, value: prev, text: { type: 'plain_text' as const, text: '← Previous' } }] : []),
    ...(next !== undefined ? [{ type: 'button' as const, action_id: `${actionPrefix}:next`, value: next, text: { type: 'plain_text' as const, text: 'Next →' } }] : []),
  ];
  return elements.length ? [{ type: 'actions', block_id: blockId, elements }] : [];
}

const listLine = (a: AccountView) => (a.status === 'error' ? `${accountSummary(a)}\n${esc(clip(a.lastError?.message.split('\n')[0] ?? '', 300))}` : accountSummary(a));

export type ListPage = { text: string; blocks: KnownBlock[]; offset: number; shown: number; total: number };
/** What a `/cloud list` button carries: where the page starts and the search it belongs to. */
export type ListCursor = { o: number; q?: string };

const pages = new WeakMap<readonly AccountView[], Map<string, ListPage>>();

/**
 * One page of the account list as a message: problems first, then by provider, `limit` accounts from
 * `offset`, "Showing a–b of N" and Previous/Next. Within 50 blocks and 3,000 characters a section; if a
 * page cannot hold `limit` lines it shows fewer, says so, and the next page starts where it stopped.
 */
export function accountListPage(accounts: readonly AccountView[], opts: { offset?: number; search?: string; limit?: number } = {}): ListPage {
  const limit = opts.limit ?? LIST_PAGE;
  const search = opts.search?.trim() || undefined;
  const key = `${opts.offset ?? 0}\u0000${limit}\u0000${search ?? ''}`;
  let cached = pages.get(accounts);
  if (!cached) pages.set(accounts, (cached = new Map()));
  let page = cached.get(key);
  if (!page) {
    page = renderListPage(accounts, opts.offset ?? 0, limit, search);
    if (cached.size > 50) cached.clear();
    cached.set(key, page);
  }
  return page;
}

function renderListPage(accounts: readonly AccountView[], requested: number, limit: number, search: string | undefined): ListPage {
  const o = displayOrder(accounts);
  const list = o.accounts;
  const total = list.length;
  if (!total) {
    const text = search
      ? `No account matches "${esc(search)}". The search looks in account names, AWS account ids, tenant ids and cloudlink ids; \`/cloud list\` alone lists every account.`
      : 'No cloud accounts are linked yet. Run `/cloud link` to add one.';
    return { text: search ? 'No matching accounts' : 'No linked accounts', blocks: [md(text)], offset: 0, shown: 0, total };
  }
  const offset = clampOffset(requested, total, limit);
  const blocks: KnownBlock[] = [];
  // Room for the sections: the range note and the buttons take the last two blocks.
  let room = MAX_MESSAGE_BLOCKS - 2;
  let shown = 0;
  for (let i = offset; i < total && shown < limit && room > 0; ) {
    const group = groupOf(list[i]!);
    let j = i;
    while (j < total && j - offset < limit && groupOf(list[j]!) === group) j++;
    const lines = list.slice(i, j).map(listLine);
    const packed = packLines(groupTitle(o, group, i > 0 && groupOf(list[i - 1]!) === group), lines, room);
    blocks.push(...packed.blocks);
    room -= packed.blocks.length;
    shown += packed.shown;
    if (packed.shown < lines.length) break;
    i = j;
  }
  const prev = offset > 0 ? JSON.stringify({ o: Math.max(0, offset - limit), ...(search ? { q: search } : {}) } satisfies ListCursor) : undefined;
  const next = offset + shown < total ? JSON.stringify({ o: offset + shown, ...(search ? { q: search } : {}) } satisfies ListCursor) : undefined;
  blocks.push(context(rangeText(offset, shown, total, search)), ...pagerButtons('list_page', 'list_pages', prev, next));
  return { text: `${count(total)} linked account${total === 1 ? '' : 's'}${search ? ` matching "${esc(search)}"` : ''}`, blocks, offset, shown, total };
}

export const helpBlocks = (): KnownBlock[] => [
  header('cloudlink: your cloud accounts, from Slack'),
  md(
    [
      '`/cloud link [aws|eks|azure|m365|entra]` link an account, step by step',
      '`/cloud list [search words]` the linked accounts and their status, 40 at a time (search by name, AWS account id or tenant id)',
      '`/cloud status <name>` check an account now',
      '`/cloud org [management account]` an AWS organization by OU: link it whole, resync, unlink',
      '`/cloud rename <name>` rename an account',
      '`/cloud delete <name>` delete an account (you type its name to confirm)',
      '`/cloud subscriptions <azure account>` choose Azure subscriptions',
      '`/cloud invite @colleague` hand a setup to someone who can deploy it',
      '`/cloud help` this message',
    ].join('\n'),
  ),
  context('Everything is also in the cloudlink App Home.'),
];
