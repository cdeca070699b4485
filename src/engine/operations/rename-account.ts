import { z } from 'zod';
import { requireAccount, requireNameFree } from '../lookup.js';
import { defineOperation, REWRITES } from '../registry/operation.js';
import { AccountName, AccountRef } from '../domain/records.js';
import { accountView, AccountView } from '../views.js';
import { announceAccount } from '../webhooks/announce.js';

/** Renames keep the account's id, links and history; renaming to the current name changes nothing. */
export const renameAccount = defineOperation({
  name: 'rename_account',
  title: 'Rename a linked account',
  description: 'Gives a linked account a new display name (1–64 characters, unique, case-insensitive). The account keeps its id, link and history. Renaming to the current name changes nothing.',
  input: z.object({ account: AccountRef.describe('Current name (case-insensitive) or id of the account.'), newName: AccountName.describe('The new display name: 1–64 characters, unique (case-insensitive).') }).strict(),
  output: z.object({ account: AccountView, changed: z.boolean() }),
  permission: 'rename',
  nature: REWRITES,
  summarize: (o) => (o.changed ? `Renamed to "${o.account.name}".` : `"${o.account.name}" already has that name; nothing changed.`),
  async run(ctx, input) {
    const now = ctx.now();
    const out = await ctx.store.mutate((db) => {
      const account = requireAccount(db, input.account);
      const previousName = account.name;
      if (previousName !== input.newName) {
        requireNameFree(db, input.newName, account.id, 'newName');
        account.name = input.newName;
        account.updatedAt = now.toISOString();
        ctx.audit(db, { type: 'account', id: account.id, name: input.newName }, { from: previousName, to: input.newName });
        announceAccount(ctx, db, 'cloudlink.account.renamed', account, { previousName });
      }
      return { changed: previousName !== input.newName, view: accountView(ctx, account, db, ctx.reader) };
    });
    if (out.changed) ctx.events.emit('account.changed', { change: 'renamed', account: out.view });
    return { account: out.view, changed: out.changed };
  },
});
