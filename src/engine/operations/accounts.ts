import { z } from 'zod';
import type { OpContext } from '../context.js';
import { requireAccount } from '../lookup.js';
import { defineOperation, READS } from '../registry/operation.js';
import { AccountRef, AccountStatus, Provider, type Database } from '../domain/records.js';
import { accountView, AccountView } from '../views.js';

/** One line per account, for the text half of a result. */
export const accountLine = (a: AccountView) => {
  const err = a.status === 'error' && a.lastError ? ` — ${a.lastError.message.split('\n')[0]}` : '';
  return `• ${a.name} [${a.summary}] ${a.status}${err} (id ${a.id})`;
};

/**
 * Every account's view, sorted by provider then name, computed once per store snapshot and kind of
 * reader: a busy Slack workspace listing 5,000 accounts pays for it once per change, not once per
 * request. Snapshots are read-only, so the views cannot go stale.
 */
const viewsBySnapshot = new WeakMap<object, Map<string, AccountView[]>>();
export function sortedViews(ctx: OpContext, db: Readonly<Database>): AccountView[] {
  let byReader = viewsBySnapshot.get(db);
  if (!byReader) viewsBySnapshot.set(db, (byReader = new Map()));
  const key = ctx.reader.linker ? 'linker' : 'reader';
  let views = byReader.get(key);
  if (!views) {
    const order = new Map(ctx.families.all().map((f, i) => [f.id, i]));
    const sortKey = (a: AccountView) => `${String(order.get(a.provider)).padStart(3, '0')}\u0000${a.name.toLowerCase()}`;
    views = db.accounts
      .map((a) => accountView(ctx, a, db, ctx.reader))
      .map((v) => [sortKey(v), v] as const)
      .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
      .map(([, v]) => v);
    byReader.set(key, views);
  }
  return views;
}

/** What a search looks in: name, summary (AWS account id, tenant…) and id, lower-cased once per view. */
const haystacks = new WeakMap<AccountView, string>();
function haystackOf(a: AccountView): string {
  let h = haystacks.get(a);
  if (h === undefined) {
    h = `${a.name}\n${a.summary}\n${a.id}`.toLowerCase();
    haystacks.set(a, h);
  }
  return h;
}

export const listAccounts = defineOperation({
  name: 'list_accounts',
  title: 'List linked cloud accounts',
  description:
    'Lists the cloud accounts linked to cloudlink (AWS, EKS, Azure, Microsoft 365, Entra ID) with their status, 100 at a time unless you pass limit (use offset to page; total says how many match). Optionally filter by provider or status (e.g. status "error" for accounts that need attention), or search by name, AWS account id, tenant id or cloudlink id.',
  input: z
    .object({
      provider: Provider.optional().describe('Only accounts of this provider.'),
      status: AccountStatus.optional().describe('Only accounts with this status.'),
      search: z.string().max(200).optional().describe('Only accounts whose name, summary (AWS account id, tenant id…) or id contains this text, case-insensitive.'),
      limit: z.number().int().min(1).max(10_000).default(100).describe('At most this many accounts (100 when absent).'),
      offset: z.number().int().min(0).default(0).describe('Skip this many (for paging).'),
    })
    .strict(),
  output: z.object({
    accounts: z.array(AccountView),
    total: z.number().describe('How many match, before limit and offset.'),
    offset: z.number(),
    linked: z.number().describe('How many accounts are linked in all, before any filter.'),
  }),
  permission: 'read',
  nature: READS,
  fromSnapshot: true,
  summarize(out) {
    if (!out.linked) return 'No accounts are linked yet. Start with start_aws_setup (kind "management") or another start_*_setup tool.';
    if (!out.total) return `None of the ${out.linked} linked account${out.linked === 1 ? '' : 's'} match that provider, status or search. Try without a filter, or another search.`;
    if (!out.accounts.length) return `${out.total} account${out.total === 1 ? '' : 's'} match, none from offset ${out.offset}: use an offset below ${out.total}.`;
    const more = out.total > out.offset + out.accounts.length ? `\n(${out.accounts.length} shown of ${out.total}: page with offset.)` : '';
    return `${out.total} account${out.total === 1 ? '' : 's'}:\n${out.accounts.map(accountLine).join('\n')}${more}`;
  },
  async run(ctx, input) {
    const all = sortedViews(ctx, await ctx.store.read());
    const q = input.search?.trim().toLowerCase();
    // Unfiltered and unpaged, the shared (read-only) array itself: callers may memoise on its identity.
    const matching =
      input.provider || input.status || q
        ? all.filter((a) => (!input.provider || a.provider === input.provider) && (!input.status || a.status === input.status) && (!q || haystackOf(a).includes(q)))
        : all;
    const page = input.offset === 0 && input.limit >= matching.length ? matching : matching.slice(input.offset, input.offset + input.limit);
    return { accounts: page, total: matching.length, offset: input.offset, linked: all.length };
  },
});

export const getAccount = defineOperation({
  name: 'get_account',
  title: 'Get one linked account',
  description: 'Shows one linked account by name (case-insensitive) or id: status, last error, provider details (AWS account id, role ARN, tenant, subscriptions, certificate expiry).',
  input: z.object({ account: AccountRef }).strict(),
  output: z.object({ account: AccountView }),
  permission: 'read',
  nature: READS,
  fromSnapshot: true,
  summarize: (o) => accountLine(o.account),
  async run(ctx, input) {
    const db = await ctx.store.read();
    return { account: accountView(ctx, requireAccount(db, input.account), db, ctx.reader) };
  },
});
