import { z } from 'zod';
import { audit } from '../audit.js';
import type { EngineContext } from '../context.js';
import { requireAccount, requireNameFree } from '../lookup.js';
import { requirePermission } from '../permissions.js';
import { AccountName, type Actor } from '../schemas.js';
import { parseInput } from '../validate.js';
import { accountView, AccountView } from '../views.js';

export const RenameAccountInput = z
  .object({
    account: z.string().min(1).max(200).describe('Current name (case-insensitive) or id of the account.'),
    newName: AccountName.describe('The new display name: 1–64 characters, unique (case-insensitive).'),
  })
  .strict();

export const RenameAccountOutput = z.object({ account: AccountView, changed: z.boolean() });

/** Renames keep the account's id, links and history; renaming to the current name changes nothing. */
export async function renameAccount(ctx: EngineContext, actor: Actor, raw: unknown) {
  const input = parseInput(RenameAccountInput, raw);
  requirePermission(actor, 'rename', ctx.settings);
  const now = ctx.now();
  const out = await ctx.store.mutate((db) => {
    const account = requireAccount(db, input.account);
    const previousName = account.name;
    if (previousName === input.newName) return { account, previousName, changed: false, view: accountView(account, db) };
    requireNameFree(db, input.newName, account.id, 'newName');
    account.name = input.newName;
    account.updatedAt = now.toISOString();
    audit(db, now, actor, 'account.rename', { type: 'account', id: account.id, name: input.newName }, { from: previousName, to: input.newName });
    return { account, previousName, changed: true, view: accountView(account, db) };
  });
  if (out.changed) ctx.events.emit('account.renamed', { account: out.account, previousName: out.previousName });
  return { account: out.view, changed: out.changed };
}
