import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { audit, actorRef } from '../audit.js';
import { partitionOf } from '../aws/arn.js';
import { generateExternalId } from '../aws/external-id.js';
import { quickCreateUrl } from '../aws/quick-create.js';
import { TEMPLATE_FILES, TEMPLATE_VERSION, templateBody, templateUrl } from '../aws/templates.js';
import type { EngineContext } from '../context.js';
import { CloudlinkError } from '../errors.js';
import { awsAccountLinked, findAccount, managementAccounts, requireNameFree, requireSetup } from '../lookup.js';
import { requireOpenSetup } from '../setups.js';
import { requirePermission } from '../permissions.js';
import { AccountName, AwsAccountId, AwsRegion, type Actor, type Setup } from '../schemas.js';
import { parseInput } from '../validate.js';
import { setupView, SetupView } from '../views.js';

export const StartAwsSetupInput = z
  .object({
    provider: z.enum(['aws', 'eks']).default('aws').describe('aws for an AWS account, eks for Amazon EKS.'),
    kind: z.enum(['management', 'linked']).default('management').describe('AWS only: the organization management (payer) account, or a linked member account. The first AWS account must be a management account.'),
    name: AccountName.optional().describe('Display name for the account (1–64 characters, unique).'),
    accountId: AwsAccountId.optional().describe('The 12-digit AWS account id, if known: cloudlink then watches for the role and finishes the link by itself.'),
    region: AwsRegion.optional().describe('Region to open the CloudFormation console in (IAM is global; any works).'),
    managementAccount: z.string().min(1).max(200).optional().describe('Linked accounts: name or id of the management account it belongs to, when several are linked.'),
    clusterName: z.string().regex(/^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/, 'must be an EKS cluster name').optional().describe('EKS only: a cluster to grant view-only Kubernetes access to.'),
  })
  .strict();
export type StartAwsSetupInput = z.input<typeof StartAwsSetupInput>;

export const StartAwsSetupOutput = SetupView.extend({
  quickCreateUrl: z.string().optional().describe('Opens the AWS console with the stack pre-filled. Absent when no template URL is configured.'),
  templateUrl: z.string().optional(),
  templateFile: z.string(),
  templateBody: z.string(),
  instructions: z.array(z.string()),
});
export type StartAwsSetupOutput = z.infer<typeof StartAwsSetupOutput>;

export async function startAwsSetup(ctx: EngineContext, actor: Actor, raw: unknown): Promise<StartAwsSetupOutput> {
  const input = parseInput(StartAwsSetupInput, raw);
  requirePermission(actor, 'link', ctx.settings);
  const provider = input.provider;
  const kind = provider === 'eks' ? 'management' : input.kind;
  const db = await ctx.store.read();
  if (input.name) requireNameFree(db, input.name);
  if (input.accountId) {
    const existing = awsAccountLinked(db, provider, input.accountId);
    if (existing) {
      throw new CloudlinkError('DUPLICATE_ACCOUNT', `AWS account ${input.accountId} is already linked as "${existing.name}". Use that account, or delete it first.`, { accountId: 'Already linked.' });
    }
  }
  let managementAccountId: string | undefined;
  if (provider === 'aws' && kind === 'linked') {
    const managers = managementAccounts(db);
    if (managers.length === 0) {
      throw new CloudlinkError('MANAGEMENT_REQUIRED', 'Link your AWS management account first: a linked account belongs to an organization whose management account cloudlink already knows. Start a management account setup, then come back for the linked accounts.', { kind: 'Link a management account first.' });
    }
    if (input.managementAccount) {
      const m = findAccount(db, input.managementAccount);
      if (!m || m.provider !== 'aws' || m.aws.kind !== 'management') {
        throw new CloudlinkError('NOT_FOUND', `"${input.managementAccount}" is not a linked AWS management account. Choose one of: ${managers.map((x) => x.name).join(', ')}.`, { managementAccount: 'Not a management account.' });
      }
      managementAccountId = m.id;
    } else if (managers.length === 1) {
      managementAccountId = managers[0]!.id;
    }
  }

  const principal = await ctx.aws.platformPrincipalArn();
  const partition = partitionOf(principal);
  const id = randomUUID();
  const short = id.slice(0, 8);
  const now = ctx.now();
  const region = input.region ?? ctx.settings.awsDefaultRegion;
  const setup: Setup = {
    id,
    provider,
    status: 'open',
    ...(input.name ? { name: input.name } : {}),
    createdBy: actorRef(actor),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ctx.settings.setupTtlMs).toISOString(),
    aws: {
      kind,
      externalId: generateExternalId(),
      region,
      roleName: provider === 'eks' ? `CloudlinkEks-${short}` : `CloudlinkIntegration-${short}`,
      stackName: `cloudlink-${provider}-${short}`,
      templateVersion: TEMPLATE_VERSION,
      trustedPrincipalArn: principal,
      partition,
      ...(input.accountId ? { accountId: input.accountId } : {}),
      ...(managementAccountId ? { managementAccountId } : {}),
      ...(input.clusterName ? { clusterName: input.clusterName } : {}),
    },
  };
  await ctx.store.mutate((d) => {
    d.setups.push(setup);
    audit(d, now, actor, 'setup.start', { type: 'setup', id, name: input.name }, { provider, kind, awsAccountId: input.accountId });
  });
  return awsSetupDetails(ctx, setup);
}

/** The full hand-out for a setup: shown when it starts, and again to a colleague who accepts an invite. */
export async function awsSetupDetails(ctx: EngineContext, setup: Setup): Promise<StartAwsSetupOutput> {
  const aws = setup.aws!;
  const key = setup.provider === 'eks' ? 'eks' : 'aws';
  const url = templateUrl(ctx.settings.templateBaseUrl, key);
  const quick = url
    ? quickCreateUrl({
        partition: aws.partition,
        region: aws.region,
        templateUrl: url,
        stackName: aws.stackName,
        parameters: { ExternalId: aws.externalId, TrustedPrincipalArn: aws.trustedPrincipalArn, RoleName: aws.roleName, ClusterName: aws.clusterName },
      })
    : undefined;
  const where = aws.kind === 'management' && setup.provider === 'aws' ? 'your organization\'s management (payer) account' : 'the AWS account to link';
  const instructions = [
    `Sign in to the AWS console as someone who can create IAM roles with CloudFormation, in ${where}${aws.accountId ? ` (${aws.accountId})` : ''}.`,
    quick
      ? 'Open the quick-create link: the template and its parameters are filled in for you. Leave them as they are.'
      : `Open CloudFormation → Create stack → "Upload a template file" and upload ${TEMPLATE_FILES[key]} (shown below). Stack name: ${aws.stackName}. Parameters: ExternalId = ${aws.externalId}, TrustedPrincipalArn = ${aws.trustedPrincipalArn}, RoleName = ${aws.roleName}${aws.clusterName ? `, ClusterName = ${aws.clusterName}` : ''}.`,
    'Tick "I acknowledge that AWS CloudFormation might create IAM resources with custom names" and choose Create stack.',
    'Wait for the stack to reach CREATE_COMPLETE (about a minute).',
    aws.accountId
      ? 'That is all: cloudlink is watching for the role and finishes the link by itself. (You can also paste the RoleArn from the stack\'s Outputs tab to finish at once.)'
      : 'Open the stack\'s Outputs tab, copy RoleArn, and paste it into cloudlink with the account name.',
    ...(setup.provider === 'aws' && aws.kind === 'management'
      ? ['Optional: to cover every member account, deploy aws-organization-stackset.yaml in this management account afterwards (a StackSet never deploys to the management account itself, which is why this stack comes first).']
      : []),
    ...(setup.provider === 'eks' && !aws.clusterName
      ? ['EKS: the IAM role alone does not grant Kubernetes API access. Give a ClusterName parameter to create a view-only access entry, or add the role to the cluster\'s access entries with AmazonEKSViewPolicy.']
      : []),
  ];
  return {
    ...setupView(setup, ctx.now()),
    ...(quick ? { quickCreateUrl: quick } : {}),
    ...(url ? { templateUrl: url } : {}),
    templateFile: TEMPLATE_FILES[key],
    templateBody: await templateBody(key),
    instructions,
  };
}

export const WatchSetupInput = z
  .object({
    setupId: z.string().min(1).max(100),
    accountId: AwsAccountId.describe('The 12-digit AWS account id the stack is deployed in.'),
    name: AccountName.optional(),
  })
  .strict();

/** Gives an open AWS setup the account id (and name) so the watcher can finish it by itself. */
export async function watchSetup(ctx: EngineContext, actor: Actor, raw: unknown) {
  const input = parseInput(WatchSetupInput, raw);
  requirePermission(actor, 'link', ctx.settings);
  const now = ctx.now();
  const setup = await ctx.store.mutate((db) => {
    const setup = requireSetup(db, input.setupId);
    requireOpenSetup(setup, now);
    if (!setup.aws) throw new CloudlinkError('WRONG_PROVIDER', 'Only AWS and EKS setups can be watched.');
    if (input.name) requireNameFree(db, input.name);
    const existing = awsAccountLinked(db, setup.provider as 'aws' | 'eks', input.accountId);
    if (existing) throw new CloudlinkError('DUPLICATE_ACCOUNT', `AWS account ${input.accountId} is already linked as "${existing.name}".`, { accountId: 'Already linked.' });
    setup.aws.accountId = input.accountId;
    if (input.name) setup.name = input.name;
    audit(db, now, actor, 'setup.watch', { type: 'setup', id: setup.id, name: setup.name }, { awsAccountId: input.accountId });
    return { ...setup };
  });
  return setupView(setup, now);
}
