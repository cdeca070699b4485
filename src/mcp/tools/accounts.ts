import { z } from 'zod';
import { ListAuditInput, ListAuditOutput } from '../../engine/operations/audit-log.js';
import { DeleteAccountOutput } from '../../engine/operations/delete-account.js';
import { GetAccountInput, ListAccountsInput, ListAccountsOutput } from '../../engine/operations/list-accounts.js';
import { RenameAccountInput, RenameAccountOutput } from '../../engine/operations/rename-account.js';
import { AccountView } from '../../engine/views.js';
import { confirmDelete } from '../confirm.js';
import { accountLine } from '../format.js';
import { defineTool, READ } from '../tool.js';

export const listAccountsTool = defineTool({
  name: 'list_accounts',
  title: 'List linked cloud accounts',
  description: 'Lists the cloud accounts linked to cloudlink (AWS, EKS, Azure, Microsoft 365, Entra ID) with their status, 100 at a time unless you pass limit (use offset to page; total says how many match). Optionally filter by provider or status (e.g. status "error" for accounts that need attention).',
  input: ListAccountsInput,
  output: ListAccountsOutput,
  annotations: READ,
  async run({ engine, actor }, input) {
    const out = await engine.listAccounts(actor, { ...input, limit: input.limit ?? 100 });
    const more = out.total > (input.offset ?? 0) + out.accounts.length ? `\n(${out.accounts.length} shown of ${out.total}: page with offset.)` : '';
    const text = out.total ? `${out.total} account${out.total === 1 ? '' : 's'}:\n${out.accounts.map(accountLine).join('\n')}${more}` : 'No accounts are linked yet. Start with start_aws_setup (kind "management") or another start_*_setup tool.';
    return { structured: out, text };
  },
});

export const getAccountTool = defineTool({
  name: 'get_account',
  title: 'Get one linked account',
  description: 'Shows one linked account by name (case-insensitive) or id: status, last error, provider details (AWS account id, role ARN, External ID, tenant, subscriptions, certificate expiry).',
  input: GetAccountInput,
  output: z.object({ account: AccountView }),
  annotations: READ,
  async run({ engine, actor }, input) {
    const account = await engine.getAccount(actor, input);
    return { structured: { account }, text: accountLine(account) };
  },
});

export const renameAccountTool = defineTool({
  name: 'rename_account',
  title: 'Rename a linked account',
  description: 'Gives a linked account a new display name (1–64 characters, unique, case-insensitive). The account keeps its id, link and history. Renaming to the current name changes nothing.',
  input: RenameAccountInput,
  output: RenameAccountOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ engine, actor }, input) {
    const out = await engine.renameAccount(actor, input);
    return { structured: out, text: out.changed ? `Renamed to "${out.account.name}".` : `"${out.account.name}" already has that name; nothing changed.` };
  },
});

export const DeleteToolInput = z
  .object({
    account: z.string().min(1).max(200).describe('Name (case-insensitive) or id of the account to delete.'),
    confirm_account_name: z
      .string()
      .max(200)
      .optional()
      .describe('Only for clients without elicitation: the account name exactly as stored, TYPED BY THE HUMAN. Never fill this in yourself: ask the user to type the name.'),
  })
  .strict();

export const deleteAccountTool = defineTool({
  name: 'delete_account',
  title: 'Delete a linked account',
  description:
    'Removes a linked account from cloudlink. Irreversible. The human must confirm by typing the account name: when your client supports elicitation, cloudlink asks them directly; otherwise ask the user to type the exact account name and pass it as confirm_account_name (do not type it for them). A management account that still has linked accounts cannot be deleted. The result says how to remove the access on the cloud side.',
  input: DeleteToolInput,
  output: DeleteAccountOutput,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  async run(t, input) {
    const account = await t.engine.prepareDelete(t.actor, { account: input.account });
    const confirmName = await confirmDelete(t, account, input.confirm_account_name);
    const out = await t.engine.deleteAccount(t.actor, { account: account.id, confirmName, expectedId: account.id });
    return { structured: out, text: `Deleted "${out.deleted.name}".\n${out.revokeInstructions.join('\n')}` };
  },
});

export const auditLogTool = defineTool({
  name: 'get_audit_log',
  title: 'Read the audit log',
  description: 'Lists recent changes (who, from which front end, what, when), newest first; optionally only those about one account (name or id).',
  input: ListAuditInput,
  output: ListAuditOutput,
  annotations: READ,
  async run({ engine, actor }, input) {
    const out = await engine.listAudit(actor, input);
    const text = out.entries.length ? out.entries.map((e) => `${e.at} ${e.actor.name ?? e.actor.id} (${e.actor.via}) ${e.operation} ${e.target.name ?? e.target.id}${e.outcome === 'refused' ? ' [refused]' : ''}`).join('\n') : 'No audit entries.';
    return { structured: out, text };
  },
});
