import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { actorRef, audit } from '../audit.js';
import { parseRoleArn, type RoleArn } from '../aws/arn.js';
import type { StackDescription } from '../aws/gateway.js';
import type { EngineContext } from '../context.js';
import { CloudlinkError } from '../errors.js';
import { awsAccountLinked, managementAccounts, requireNameFree, requireSetup } from '../lookup.js';
import { AccountName, type Account, type Actor, type Setup } from '../schemas.js';
import { closeSetup, connectedAccountBase, finishName, requireFinisher, requireOpenSetup, stillOpen } from '../setups.js';
import { parseInput } from '../validate.js';
import { accountView, AccountView } from '../views.js';

export const CompleteAwsSetupInput = z
  .object({
    setupId: z.string().min(1).max(100).describe('The setup id returned when the setup started.'),
    name: AccountName.optional().describe('Display name for the account; required unless the setup already has one.'),
    roleArn: z.string().max(2048).describe('The RoleArn output of the CloudFormation stack, e.g. arn:aws:iam::123456789012:role/CloudlinkIntegration-1a2b3c4d.'),
  })
  .strict();

export const CompleteAwsSetupOutput = z.object({ account: AccountView, message: z.string() });

/**
 * Everything about a completion that can be checked without calling AWS: front ends run it before
 * acknowledging a form, so a bad ARN or a taken name shows beside its field at once.
 */
export async function checkAwsCompletion(ctx: EngineContext, actor: Actor, raw: unknown) {
  const input = parseInput(CompleteAwsSetupInput, raw);
  const db = await ctx.store.read();
  const setup = requireSetup(db, input.setupId);
  requireFinisher(db, actor, setup, ctx.settings);
  if (setup.provider !== 'aws' && setup.provider !== 'eks') {
    throw new CloudlinkError('WRONG_PROVIDER', `Setup ${setup.id} is a ${setup.provider} setup; finish it with the matching ${setup.provider} step.`, { setupId: 'Not an AWS setup.' });
  }
  requireOpenSetup(setup, ctx.now());
  const name = finishName(input.name, setup);
  requireNameFree(db, name);
  const arn = parseRoleArn(input.roleArn);
  assertSetupAccount(setup, arn);
  assertNotLinked(db, setup.provider, arn.accountId);
  return { setup, name, arn };
}

export async function completeAwsSetup(ctx: EngineContext, actor: Actor, raw: unknown) {
  const { setup, name, arn } = await checkAwsCompletion(ctx, actor, raw);
  const account = await linkAwsRole(ctx, actor, setup, name, arn, 'request');
  return { account: accountView(account, await ctx.store.read()), message: `${account.name} (AWS account ${arn.accountId}) is linked and verified.` };
}

/**
 * Verifies the role for real and stores the account, all or nothing. Shared by a person finishing a
 * setup and by the watcher that notices the stack is done.
 */
export async function linkAwsRole(ctx: EngineContext, actor: Actor, setup: Setup, name: string, arn: RoleArn, via: 'request' | 'watcher'): Promise<Account> {
  const provider = setup.provider as 'aws' | 'eks';
  const s = setup.aws!;
  assertSetupAccount(setup, arn);
  const before = await ctx.store.read();
  requireNameFree(before, name);
  assertNotLinked(before, provider, arn.accountId);

  const verified = await ctx.aws.verifyRole({ roleArn: arn.arn, externalId: s.externalId, region: s.region, retryForMs: via === 'watcher' ? 0 : ctx.settings.awsPropagationTimeoutMs });
  if (verified.accountId !== arn.accountId) {
    throw new CloudlinkError('ACCOUNT_MISMATCH', `The role answered from AWS account ${verified.accountId || '(unknown)'}, not ${arn.accountId} as its ARN says. cloudlink did not link it: check that the ARN is copied from the stack's Outputs.`, { roleArn: 'The account does not match the ARN.' });
  }
  const org = verified.organization;
  if (provider === 'aws' && s.kind === 'management' && org.state === 'member' && org.managementAccountId !== arn.accountId) {
    throw new CloudlinkError('NOT_ORGANIZATION_MANAGEMENT', `AWS account ${arn.accountId} is a member of organization ${org.id}, whose management account is ${org.managementAccountId}. Link ${org.managementAccountId} as the management account, or start a linked-account setup for ${arn.accountId}.`, { roleArn: 'Not the organization\'s management account.' });
  }
  let stack: StackDescription | null = null;
  try {
    stack = await ctx.aws.describeStack(verified.session, s.stackName, s.region);
  } catch (e) {
    ctx.log.debug('describeStack failed; linking without stack details', { setupId: setup.id, error: (e as Error).name });
  }

  const now = ctx.now();
  const result = await ctx.store.mutate((db) => {
    const current = stillOpen(db, setup.id, now);
    requireNameFree(db, name);
    assertNotLinked(db, provider, arn.accountId);
    const managementAccountId = provider === 'aws' && s.kind === 'linked' ? pickManagement(db, s.managementAccountId, org) : undefined;
    const common = connectedAccountBase(setup, name, randomUUID(), now);
    const details = {
      accountId: arn.accountId,
      roleArn: arn.arn,
      partition: arn.partition,
      externalId: s.externalId,
      templateVersion: s.templateVersion,
      ...(stack ? { stack: { name: s.stackName, status: stack.status, outputs: stack.outputs, region: s.region, checkedAt: now.toISOString() } } : {}),
    };
    const account: Account =
      provider === 'aws'
        ? { ...common, provider: 'aws', aws: { ...details, kind: s.kind, ...(org.state === 'member' ? { organizationId: org.id } : {}), ...(managementAccountId ? { managementAccountId } : {}) } }
        : { ...common, provider: 'eks', eks: { ...details, ...(s.clusterName ? { clusterName: s.clusterName } : {}) } };
    db.accounts.push(account);
    const invite = closeSetup(db, setup.id, account.id, now);
    audit(db, now, actor, 'account.link', { type: 'account', id: account.id, name }, { provider, kind: s.kind, awsAccountId: arn.accountId, via, setupId: setup.id, ...(invite ? { inviteId: invite.id } : {}) });
    return { account, invite, setup: { ...current } };
  });
  ctx.events.emit('account.linked', { account: result.account, setup: result.setup, via, ...(result.invite ? { invite: result.invite } : {}) });
  return result.account;
}

/** A setup started for one AWS account is finished only with a role in that account. */
function assertSetupAccount(setup: Setup, arn: RoleArn) {
  const expected = setup.aws?.accountId;
  if (expected && expected !== arn.accountId) {
    throw new CloudlinkError('ACCOUNT_MISMATCH', `This setup was started for AWS account ${expected}, but the role ARN is in account ${arn.accountId}. Paste the RoleArn from the stack in ${expected}, or start a new setup for ${arn.accountId}.`, { roleArn: `Expected a role in account ${expected}.` });
  }
}

function assertNotLinked(db: Parameters<typeof awsAccountLinked>[0], provider: 'aws' | 'eks', accountId: string) {
  const existing = awsAccountLinked(db, provider, accountId);
  if (existing) {
    throw new CloudlinkError('DUPLICATE_ACCOUNT', `AWS account ${accountId} is already linked${provider === 'eks' ? ' for EKS' : ''} as "${existing.name}". Nothing was added; delete that account first if you want to link it again.`, { roleArn: 'This AWS account is already linked.' });
  }
}

/** Which management account a linked account belongs to: the one named, else its organization's, else the only one. */
function pickManagement(db: Parameters<typeof managementAccounts>[0], named: string | undefined, org: { state: string; managementAccountId?: string }): string {
  const managers = managementAccounts(db);
  if (named && db.accounts.some((a) => a.id === named)) return named;
  if (org.state === 'member') {
    const match = managers.find((m) => m.aws.accountId === org.managementAccountId);
    if (match) return match.id;
  }
  if (managers.length === 1) return managers[0]!.id;
  if (managers.length === 0) {
    throw new CloudlinkError('MANAGEMENT_REQUIRED', 'The management account this setup belonged to is no longer linked. Link the management account again, then retry.');
  }
  throw new CloudlinkError('MANAGEMENT_AMBIGUOUS', `Several management accounts are linked (${managers.map((m) => m.name).join(', ')}) and this account's organization does not match one. Start a new linked setup naming its management account.`);
}

