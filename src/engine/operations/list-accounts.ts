import { z } from 'zod';
import type { EngineContext } from '../context.js';
import { requirePermission } from '../permissions.js';
import { AccountStatus, Provider, type Actor, type Database } from '../schemas.js';
import { parseInput } from '../validate.js';
import { accountView, AccountView } from '../views.js';
import { requireAccount } from '../lookup.js';

export const ListAccountsInput = z
  .object({
    provider: Provider.optional().describe('Only accounts of this provider.'),
    status: AccountStatus.optional().describe('Only accounts with this status.'),
    limit: z.number().int().min(1).max(10_000).optional().describe('At most this many accounts (all when absent).'),
    offset: z.number().int().min(0).default(0).describe('Skip this many (for paging).'),
  })
  .strict();

export const ListAccountsOutput = z.object({ accounts: z.array(AccountView), total: z.number().describe('How many match, before limit and offset.') });

export async function listAccounts(ctx: EngineContext, actor: Actor, raw: unknown = {}) {
  const input = parseInput(ListAccountsInput, raw);
  requirePermission(actor, 'read', ctx.settings);
  const db = await ctx.store.read();
  const all = sortedViews(db);
  // Unfiltered, the shared (read-only) array itself: callers may memoise on its identity.
  const matching = input.provider || input.status ? all.filter((a) => (!input.provider || a.provider === input.provider) && (!input.status || a.status === input.status)) : all;
  const page = input.limit === undefined && input.offset === 0 ? matching : matching.slice(input.offset, input.offset + (input.limit ?? matching.length));
  return { accounts: page, total: matching.length };
}

/**
 * Every account's view, sorted by provider then name, computed once per store snapshot: a busy Slack
 * workspace listing 5,000 accounts pays for it once per change, not once per request. Snapshots are
 * read-only, so the views cannot go stale.
 */
const viewsBySnapshot = new WeakMap<object, AccountView[]>();
function sortedViews(db: Readonly<Database>): AccountView[] {
  let views = viewsBySnapshot.get(db);
  if (!views) {
    const key = (a: AccountView) => `${a.provider}\u0000${a.name.toLowerCase()}`;
    views = db.accounts
      .map((a) => accountView(a, db))
      .map((v) => [key(v), v] as const)
      .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
      .map(([, v]) => v);
    viewsBySnapshot.set(db, views);
  }
  return views;
}

export const GetAccountInput = z.object({ account: z.string().min(1).max(200).describe('Account name (case-insensitive) or id.') }).strict();

export async function getAccount(ctx: EngineContext, actor: Actor, raw: unknown): Promise<AccountView> {
  const input = parseInput(GetAccountInput, raw);
  requirePermission(actor, 'read', ctx.settings);
  const db = await ctx.store.read();
  return accountView(requireAccount(db, input.account), db);
}
