import { z } from 'zod';
import type { OpContext } from '../context.js';
import { CloudlinkError } from '../errors.js';
import { requireAccount } from '../lookup.js';
import { defineOperation, DESTROYS } from '../registry/operation.js';
import { AccountRef, PROVIDER_LABELS, type Account, type Database } from '../domain/records.js';
import { accountView, AccountView } from '../views.js';
import { announceAccount } from '../webhooks/announce.js';

const Input = z
  .object({
    account: AccountRef.describe('Name (case-insensitive) or id of the account to delete.'),
    confirmName: z.string().max(200).describe('The account name exactly as stored, typed by the human to confirm.'),
    expectedId: z.string().max(100).optional().describe('The account id the confirmation was given for; the delete is refused if the name now points elsewhere.'),
  })
  .strict();

/** Everything a delete checks except the typed name: what the person will be asked to confirm. */
function deletable(ctx: OpContext, db: Readonly<Database>, ref: string): Account {
  const account = requireAccount(db, ref);
  ctx.families.of(account.provider).assertDeletable?.(db, account);
  return account;
}

export const deleteAccount = defineOperation({
  name: 'delete_account',
  title: 'Delete a linked account',
  description:
    'Deletes a linked account from cloudlink. The human must confirm by typing the account name: cloudlink asks them directly where the client can (never type it for them). A management account that still has linked accounts cannot be deleted. The result says how to remove the access on the cloud side.',
  input: Input,
  output: z.object({ deleted: AccountView, revokeInstructions: z.array(z.string()) }),
  permission: 'delete',
  nature: DESTROYS,
  confirm: {
    field: 'confirmName',
    idField: 'expectedId',
    refField: 'account',
    async subject(ctx, input) {
      const db = await ctx.store.read();
      const account = deletable(ctx, db, input.account);
      const view = accountView(ctx, account, db, ctx.reader);
      return { id: account.id, name: account.name, question: `Delete the ${PROVIDER_LABELS[account.provider]} account "${account.name}" (${view.summary}) from cloudlink? This cannot be undone. Type the account name to confirm.` };
    },
  },
  summarize: (o) => `Deleted "${o.deleted.name}".\n${o.revokeInstructions.join('\n')}`,
  async run(ctx, input) {
    const now = ctx.now();
    const out = await ctx.store.mutate((db) => {
      const account = requireAccount(db, input.account);
      if (input.expectedId && account.id !== input.expectedId) {
        throw new CloudlinkError('CONFIRMATION_MISMATCH', `The name "${input.account}" now belongs to a different account than the one you confirmed. Nothing was deleted; look the account up again.`);
      }
      if (input.confirmName !== account.name) {
        throw new CloudlinkError('CONFIRMATION_MISMATCH', `To delete, type the account name exactly as it is: "${account.name}" (case and spaces matter). Nothing was deleted.`, { confirmName: `Type "${account.name}" exactly.` });
      }
      deletable(ctx, db, account.id);
      const view = accountView(ctx, account, db, ctx.reader);
      announceAccount(ctx, db, 'cloudlink.account.deleted', account);
      db.accounts = db.accounts.filter((a) => a.id !== account.id);
      ctx.audit(db, { type: 'account', id: account.id, name: account.name }, { provider: account.provider });
      return { view, revoke: ctx.families.of(account.provider).revokeInstructions(account) };
    });
    ctx.events.emit('account.changed', { change: 'deleted', account: out.view });
    return { deleted: out.view, revokeInstructions: out.revoke };
  },
});
