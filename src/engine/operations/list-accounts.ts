import { z } from 'zod';
import type { EngineContext } from '../context.js';
import { requirePermission } from '../permissions.js';
import { AccountStatus, Provider, type Actor } from '../schemas.js';
import { parseInput } from '../validate.js';
import { accountView, AccountView } from '../views.js';
import { requireAccount } from '../lookup.js';

export const ListAccountsInput = z
  .object({
    provider: Provider.optional().describe('Only accounts of this provider.'),
    status: AccountStatus.optional().describe('Only accounts with this status.'),
  })
  .strict();

export const ListAccountsOutput = z.object({ accounts: z.array(AccountView), total: z.number() });

export async function listAccounts(ctx: EngineContext, actor: Actor, raw: unknown = {}) {
  const input = parseInput(ListAccountsInput, raw);
  requirePermission(actor, 'read', ctx.settings);
  const db = await ctx.store.read();
  const accounts = db.accounts
    .filter((a) => (!input.provider || a.provider === input.provider) && (!input.status || a.status === input.status))
    .map((a) => accountView(a, db))
    .sort((a, b) => a.provider.localeCompare(b.provider) || a.name.localeCompare(b.name));
  return { accounts, total: accounts.length };
}

export const GetAccountInput = z.object({ account: z.string().min(1).max(200).describe('Account name (case-insensitive) or id.') }).strict();

export async function getAccount(ctx: EngineContext, actor: Actor, raw: unknown): Promise<AccountView> {
  const input = parseInput(GetAccountInput, raw);
  requirePermission(actor, 'read', ctx.settings);
  const db = await ctx.store.read();
  return accountView(requireAccount(db, input.account), db);
}
