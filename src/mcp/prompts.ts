import { completable, type GetPromptResult, type McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import type { Actor } from '../engine/domain/records.js';
import { accountLine, listAccounts } from '../engine/operations/accounts.js';
import type { AccountView } from '../engine/views.js';
import type { Completions } from './completions.js';

const say = (text: string): GetPromptResult => ({ messages: [{ role: 'user', content: { type: 'text', text } }] });
const steps = (lines: string[]) => lines.map((l, i) => `${i + 1}. ${l}`).join('\n');

/**
 * Guided flows, as prompts a person picks in their assistant: each one is the conversation to have
 * with cloudlink's tools, with the current state of cloudlink filled in where it helps.
 */
export function registerPrompts(server: McpServer, engine: Engine, actor: () => Actor, complete: Completions) {
  const accounts = async (input: Record<string, unknown>) => (await engine.run(listAccounts, actor(), { limit: 10_000, ...input })).accounts as AccountView[];
  const managements = async () => (await accounts({ provider: 'aws' })).filter((a) => (a as { aws?: { kind?: string } }).aws?.kind === 'management');

  server.registerPrompt(
    'link_aws_account',
    {
      title: 'Link an AWS account',
      description: 'Walks through linking an AWS management or linked account with cloudlink: the CloudFormation quick-create link, the role ARN, the verification. Pass a setupId to resume a setup already started.',
      argsSchema: z.object({
        kind: completable(z.enum(['management', 'linked']).describe('management (the organization payer, first) or linked (a member account)'), (v) => (['management', 'linked'] as const).filter((k) => k.startsWith(v ?? ''))).optional(),
        accountId: z.string().max(12).optional().describe('The 12-digit AWS account id, if known: cloudlink then finishes the link by itself once the stack is deployed.'),
        setupId: completable(z.string().max(100).describe('An open AWS setup to resume'), (v) => complete.setupIds(v ?? '', 'aws')).optional(),
      }),
    },
    async ({ kind, accountId, setupId }) => {
      if (setupId) {
        return say(
          `Help me finish the cloudlink AWS setup ${setupId}.\n${steps([
            `Call get_setup_status with {"setupId": "${setupId}"} and tell me whether it is still open.`,
            'If it is open, call get_setup_handout with the same setupId and give me the quick-create link, the External ID and the steps again.',
            'Once my CloudFormation stack is CREATE_COMPLETE, ask me for the RoleArn from its Outputs tab and a name for the account, then call complete_aws_setup with {setupId, name, roleArn}.',
            'If it fails, show me the reason and the checklist from the error, and let me retry with the same setup (nothing to redo in AWS).',
          ])}`,
        );
      }
      const k = kind ?? 'management';
      const hasManagement = (await managements().catch(() => [])).length > 0;
      const note = k === 'linked' && !hasManagement ? '\nNote: no AWS management account is linked yet, and cloudlink needs it first. Link the management account (kind "management") before the linked ones.\n' : '';
      return say(
        `Help me link an AWS ${k} account to cloudlink.${note}\n${steps([
          `Call start_aws_setup with {"kind": "${k}"${accountId ? `, "accountId": "${accountId}"` : ''}}.`,
          'Give me the quick-create link (it opens the AWS console with the template and the External ID filled in) and the numbered steps. Never ask me to type the External ID.',
          accountId
            ? 'cloudlink watches for the role and finishes by itself once the stack is done: check with get_setup_status if I ask.'
            : 'When the stack is CREATE_COMPLETE, ask me for the RoleArn from its Outputs tab and a name for the account; then call complete_aws_setup with {setupId, name, roleArn}. (If I give you the 12-digit account id instead, call watch_setup and cloudlink finishes by itself.)',
          'Tell me the result: connected, or the reason with its fix (a role that works without the External ID is refused on purpose).',
        ])}`,
      );
    },
  );

  server.registerPrompt(
    'link_organization',
    {
      title: 'Link a whole AWS organization',
      description: 'Walks through linking every member account of an AWS organization through its linked management account: the StackSet rollout, the resync with progress, the review by OU.',
      argsSchema: z.object({
        managementAccount: completable(z.string().max(200).describe('The linked AWS management account (name)'), (v) => complete.managementAccounts(v ?? '')).optional(),
      }),
    },
    async ({ managementAccount }) => {
      const found = await managements().catch(() => []);
      if (!found.length) {
        return say('I want to link a whole AWS organization with cloudlink, but no AWS management account is linked yet. First help me link the management account (the link_aws_account flow with kind "management"), then we continue with link_organization.');
      }
      const target = managementAccount ?? (found.length === 1 ? found[0]!.name : undefined);
      const which = target ? `the organization managed by "${target}"` : `one of these organizations (ask me which management account): ${found.map((a) => `"${a.name}"`).join(', ')}`;
      return say(
        `Help me link ${which} to cloudlink, every member account.\n${steps([
          `Call link_organization with {"managementAccount": ${target ? `"${target}"` : '<the one I choose>'}} (I may narrow it with includeOus, excludeOus or excludeAccounts).`,
          'Show me what it found (OUs and accounts) and, until the StackSet exists, its rollout quick-create link and steps: the member role reaches every account through it.',
          'Once it is deployed, call resync_organization (it reports progress; I may cancel) and summarise what changed.',
          'Call list_organization to show me the accounts in trouble, worst first, each with its reason and fix.',
        ])}`,
      );
    },
  );

  server.registerPrompt(
    'review_accounts_in_trouble',
    {
      title: 'Review accounts in trouble',
      description: 'Lists the linked accounts that need attention (errors first), then goes through them one by one: re-check, reason, fix. Optionally for one provider.',
      argsSchema: z.object({
        provider: completable(z.string().max(20).describe('Only this provider (aws, eks, azure, m365, entra)'), (v) => complete.providers(v ?? '')).optional(),
      }),
    },
    async ({ provider }) => {
      const filter = provider ? { provider } : {};
      const [errors, pending] = await Promise.all([accounts({ ...filter, status: 'error' }).catch(() => []), accounts({ ...filter, status: 'pending' }).catch(() => [])]);
      const scope = provider ? `${provider} accounts` : 'accounts';
      if (!errors.length && !pending.length) return say(`cloudlink shows no ${scope} in trouble right now. Call list_configuration_errors to double-check, and tell me if anything needs attention.`);
      const list = (xs: AccountView[]) => xs.slice(0, 50).map(accountLine).join('\n') + (xs.length > 50 ? `\n…and ${xs.length - 50} more (list_accounts with offset).` : '');
      return say(
        `Help me fix the cloudlink ${scope} that need attention.\n${errors.length ? `\nIn error (${errors.length}):\n${list(errors)}\n` : ''}${pending.length ? `\nPending (${pending.length}):\n${list(pending)}\n` : ''}\n${steps([
          'Go through them one by one, errors first: call check_account to re-verify it now.',
          'Tell me in one or two sentences what is wrong and the fix cloudlink gives (for AWS, usually the role or its trust policy; for Microsoft, a certificate or a permission).',
          'Do not delete or rename anything unless I ask; deleting needs me to type the name myself.',
        ])}`,
      );
    },
  );
}
