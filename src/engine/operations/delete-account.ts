import { z } from 'zod';
import { audit } from '../audit.js';
import type { EngineContext } from '../context.js';
import { CloudlinkError } from '../errors.js';
import { linkedAccountsOf, requireAccount } from '../lookup.js';
import { requirePermission } from '../permissions.js';
import type { Account, Actor, Database } from '../schemas.js';
import { parseInput } from '../validate.js';
import { accountView, AccountView } from '../views.js';

export const DeleteAccountInput = z
  .object({
    account: z.string().min(1).max(200).describe('Name (case-insensitive) or id of the account to delete.'),
    confirmName: z.string().max(200).describe('The account name exactly as stored, typed by the human to confirm.'),
    expectedId: z.string().max(100).optional().describe('The account id the confirmation was given for; the delete is refused if the name now points elsewhere.'),
  })
  .strict();

export const DeleteAccountOutput = z.object({ deleted: AccountView, revokeInstructions: z.array(z.string()) });

/** Checks everything a delete needs without changing anything: front ends use it before asking. */
export function assertDeletable(db: Readonly<Database>, account: Account) {
  if (account.provider === 'aws' && account.aws.kind === 'management') {
    const linked = linkedAccountsOf(db, account.id);
    if (linked.length) {
      const names = linked.map((a) => `"${a.name}"`).join(', ');
      throw new CloudlinkError('HAS_LINKED_ACCOUNTS', `"${account.name}" is a management account with ${linked.length} linked account${linked.length > 1 ? 's' : ''} (${names}). Delete those first, then the management account.`);
    }
  }
}

export async function deleteAccount(ctx: EngineContext, actor: Actor, raw: unknown) {
  const input = parseInput(DeleteAccountInput, raw);
  requirePermission(actor, 'delete', ctx.settings);
  const now = ctx.now();
  const deleted = await ctx.store.mutate((db) => {
    const account = requireAccount(db, input.account);
    if (input.expectedId && account.id !== input.expectedId) {
      throw new CloudlinkError('CONFIRMATION_MISMATCH', `The name "${input.account}" now belongs to a different account than the one you confirmed. Nothing was deleted; look the account up again.`);
    }
    if (input.confirmName !== account.name) {
      throw new CloudlinkError('CONFIRMATION_MISMATCH', `To delete, type the account name exactly as it is: "${account.name}" (case and spaces matter). Nothing was deleted.`, { confirmName: `Type "${account.name}" exactly.` });
    }
    assertDeletable(db, account);
    const view = accountView(account, db);
    db.accounts = db.accounts.filter((a) => a.id !== account.id);
    audit(db, now, actor, 'account.delete', { type: 'account', id: account.id, name: account.name }, { provider: account.provider });
    return { account, view };
  });
  ctx.events.emit('account.deleted', { account: deleted.account });
  return { deleted: deleted.view, revokeInstructions: revokeInstructions(deleted.account) };
}

/** cloudlink forgets the account; access on the cloud side lasts until the customer removes it. */
export function revokeInstructions(a: Account): string[] {
  switch (a.provider) {
    case 'aws':
    case 'eks': {
      const d = a.provider === 'aws' ? a.aws : a.eks;
      const stack = d.stack?.name ?? 'the cloudlink stack';
      return [
        `cloudlink no longer uses ${d.roleArn}, but the role still exists in AWS account ${d.accountId}.`,
        `To remove the access, delete the CloudFormation stack ${stack}${d.stack?.region ? ` (region ${d.stack.region})` : ''}: CloudFormation → Stacks → ${stack} → Delete. This deletes the role.`,
        ...(a.provider === 'aws' && a.aws.kind === 'management' ? ['If you rolled the role out with the cloudlink StackSet, delete its stack instances and then the StackSet too.'] : []),
      ];
    }
    case 'azure':
    case 'm365':
    case 'entra': {
      const d = a.provider === 'azure' ? a.azure : a.provider === 'm365' ? a.m365 : a.entra;
      return [
        `cloudlink no longer uses app registration ${d.clientId} in tenant ${d.tenantId}, but it still exists.`,
        `To remove the access, delete the app registration (Microsoft Entra admin center → App registrations → ${d.clientId} → Delete), or at least remove the certificate with thumbprint ${d.certificate.thumbprint} under Certificates & secrets, and remove its role assignments.`,
      ];
    }
  }
}

export const PrepareDeleteInput = DeleteAccountInput.pick({ account: true });

/**
 * Everything a delete checks except the typed name, without changing anything: front ends call it
 * before asking a person to type the name, so nobody types a name only to be told "no".
 */
export async function prepareDelete(ctx: EngineContext, actor: Actor, raw: unknown): Promise<AccountView> {
  const input = parseInput(PrepareDeleteInput, raw);
  requirePermission(actor, 'delete', ctx.settings);
  const db = await ctx.store.read();
  const account = requireAccount(db, input.account);
  assertDeletable(db, account);
  return accountView(account, db);
}
