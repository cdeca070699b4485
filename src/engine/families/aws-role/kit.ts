import { z } from 'zod';
import type { EngineCore, OpContext } from '../../context.js';
import { CloudlinkError } from '../../errors.js';
import { freeName, requireNameFree } from '../../lookup.js';
import { defineOperation, WRITES_CLOUD, type AnyOperation } from '../../registry/operation.js';
import type { Account, Database, Setup } from '../../domain/records.js';
import { connectedAccountBase, newSetupBase, stillOpen, closeSetup } from '../../setups.js';
import { announceLinked } from '../../setup-finished.js';
import { accountView, PUBLIC_READER, seesSetupDetails, setupView, type Reader } from '../../views.js';
import type { VerifiedRole } from '../../ports/aws.js';
import { operationContext, systemActor } from '../../registry/context.js';
import type { InviteOption, LinkForm, ProviderFamily } from '../types.js';
import { parseRoleArn, partitionOf, roleArn, type RoleArn } from './arn.js';
import { generateExternalId } from './external-id.js';
import { RoleHandout, roleHandoutText } from './handout.js';
import { quickCreateUrl } from './quick-create.js';
import type { RoleDetails, RoleSetup, RoleView } from './schema.js';
import { TEMPLATE_FILES, TEMPLATE_VERSION, templateBody, templateUrl, type TemplateKey } from './templates.js';

export type RoleSetupRecord = Setup & { aws: RoleSetup };
type StartInput = { name?: string; accountId?: string; region?: string } & Record<string, unknown>;

/** What a role-based family adds to the kit: its template, its rules and what it stores. */
export type RoleFamilySpec = {
  id: 'aws' | 'eks';
  label: string;
  /** How default names and duplicate messages call it ("AWS 123456789012", "EKS 123456789012"). */
  shortLabel: string;
  template: Exclude<TemplateKey, 'organization'>;
  roleNamePrefix: string;
  start: { name: string; title: string; description: string; input: z.ZodObject };
  linkForm(ctx: OpContext): Promise<LinkForm>;
  inviteOptions(db: Readonly<Database>): InviteOption[];
  /** Rules for starting; returns the setup fields the family decides (kind, management account, cluster, rollout). */
  startRules(db: Readonly<Database>, input: StartInput): Pick<RoleSetup, 'kind'> & Partial<Pick<RoleSetup, 'managementAccountId' | 'clusterName' | 'rollout'>>;
  /** More quick-create parameters the family's template takes for this setup. */
  extraParameters?(setup: RoleSetupRecord): Record<string, string | undefined>;
  /** Inside the write that links the account: what else the family records (an organization). */
  afterLink?(db: Database, account: Account, setup: RoleSetupRecord, ctx: OpContext): void;
  /** Rules once AWS answered: who the account says it is in its organization. */
  verifiedRules?(setup: RoleSetupRecord, arn: RoleArn, verified: VerifiedRole): void;
  /** The account's stored details, inside the write that links it. */
  details(db: Database, setup: RoleSetupRecord, base: RoleDetails, verified: VerifiedRole): Record<string, unknown>;
  /** What is being linked, in words ("an AWS management account"). */
  what(setup: RoleSetupRecord): string;
  /** Who should deploy the stack, in the first instruction. */
  where(setup: RoleSetupRecord): string;
  extraInstructions(setup: RoleSetupRecord): string[];
  /** The family's part of the view and of the one-line summary. */
  describe(account: Account, db: Readonly<Database>): { view: Partial<RoleView>; summary: string };
  revokeExtra(account: Account): string[];
  assertDeletable?(db: Readonly<Database>, account: Account): void;
};

export type RoleFamily = ProviderFamily & { spec: RoleFamilySpec };

/** The role details of an account of a role-based family (stored under the family's id). */
export const roleDetails = (a: Account): RoleDetails => (a as unknown as Record<string, RoleDetails>)[a.provider]!;

/** The role family of a setup, refusing another kit's setup with the way to finish it. */
export function requireRoleFamily(ctx: EngineCore, setup: Setup): { family: RoleFamily; setup: RoleSetupRecord } {
  const family = ctx.families.of(setup.provider) as RoleFamily;
  if (family.kit !== 'cloudformation-role' || !setup.aws) {
    throw new CloudlinkError('WRONG_PROVIDER', `Setup ${setup.id} is a ${family.label} setup; finish it with the completion step its start gave you (complete_microsoft_setup).`, { setupId: 'Not an AWS setup.' });
  }
  return { family, setup: setup as RoleSetupRecord };
}

/** The account of this family already linked for an AWS account id, if any. */
export const linkedFor = (db: Readonly<Database>, provider: string, accountId: string) => db.accounts.find((a) => a.provider === provider && roleDetails(a).accountId === accountId);

export function assertNotLinked(db: Readonly<Database>, spec: Pick<RoleFamilySpec, 'id' | 'shortLabel'>, accountId: string, field = 'roleArn') {
  const existing = linkedFor(db, spec.id, accountId);
  if (existing) {
    throw new CloudlinkError('DUPLICATE_ACCOUNT', `AWS account ${accountId} is already linked as the ${spec.shortLabel} account "${existing.name}". Nothing was added; delete that account first if you want to link it again.`, { [field]: 'This AWS account is already linked.' });
  }
}

/** A setup started for one AWS account is finished only with a role in that account. */
export function assertSetupAccount(setup: RoleSetupRecord, arn: RoleArn) {
  const expected = setup.aws.accountId;
  if (expected && expected !== arn.accountId) {
    throw new CloudlinkError('ACCOUNT_MISMATCH', `This setup was started for AWS account ${expected}, but the role ARN is in account ${arn.accountId}. Paste the RoleArn from the stack in ${expected}, or start a new setup for ${arn.accountId}.`, { roleArn: `Expected a role in account ${expected}.` });
  }
}

async function handout(ctx: EngineCore, spec: RoleFamilySpec, setup: RoleSetupRecord, db: Readonly<Database>, reader: Reader): Promise<RoleHandout> {
  const aws = setup.aws;
  const full = seesSetupDetails(reader, setup, db);
  const url = templateUrl(ctx.settings.templateBaseUrl, spec.template);
  const parameters = { ExternalId: aws.externalId, TrustedPrincipalArn: aws.trustedPrincipalArn, RoleName: aws.roleName, ClusterName: aws.clusterName, ...spec.extraParameters?.(setup) };
  const quick = url && full ? quickCreateUrl({ partition: aws.partition, region: aws.region, templateUrl: url, stackName: aws.stackName, parameters }) : undefined;
  const instructions = [
    `Sign in to the AWS console as someone who can create IAM roles with CloudFormation, in ${spec.where(setup)}${aws.accountId ? ` (${aws.accountId})` : ''}.`,
    quick
      ? 'Open the quick-create link: the template and its parameters are filled in for you. Leave them as they are.'
      : `Open CloudFormation → Create stack → "Upload a template file" and upload ${TEMPLATE_FILES[spec.template]} (shown below). Stack name: ${aws.stackName}. Parameters: ${Object.entries(parameters).filter(([k, v]) => v && (full || !k.endsWith('ExternalId'))).map(([k, v]) => `${k} = ${v}`).join(', ')}.`,
    'Tick "I acknowledge that AWS CloudFormation might create IAM resources with custom names" and choose Create stack.',
    'Wait for the stack to reach CREATE_COMPLETE (about a minute).',
    aws.accountId
      ? "That is all: cloudlink is watching for the role and finishes the link by itself. (You can also paste the RoleArn from the stack's Outputs tab to finish at once.)"
      : "Open the stack's Outputs tab, copy RoleArn, and paste it into cloudlink with the account name.",
    ...spec.extraInstructions(setup),
  ];
  return {
    ...setupView(ctx, setup, db, reader),
    kit: 'cloudformation-role',
    ...(quick ? { quickCreateUrl: quick } : {}),
    ...(url ? { templateUrl: url } : {}),
    templateFile: TEMPLATE_FILES[spec.template],
    templateBody: await templateBody(spec.template),
    instructions,
  };
}

/**
 * Verifies the role for real and stores the account, all or nothing. Shared by a person finishing a
 * setup and by the watcher that notices the stack is done.
 */
export async function linkRole(ctx: OpContext, family: RoleFamily, setup: RoleSetupRecord, name: string, arn: RoleArn, finisher: OpContext['actor'] | undefined): Promise<Account> {
  const { spec } = family;
  const s = setup.aws;
  assertSetupAccount(setup, arn);
  const before = await ctx.store.read();
  requireNameFree(before, name);
  assertNotLinked(before, spec, arn.accountId);

  const verified = await ctx.gateways.aws.verifyRole({ roleArn: arn.arn, externalId: s.externalId, region: s.region, retryForMs: finisher ? ctx.settings.awsPropagationTimeoutMs : 0 });
  if (verified.accountId !== arn.accountId) {
    throw new CloudlinkError('ACCOUNT_MISMATCH', `The role answered from AWS account ${verified.accountId || '(unknown)'}, not ${arn.accountId} as its ARN says. cloudlink did not link it: check that the ARN is copied from the stack's Outputs.`, { roleArn: 'The account does not match the ARN.' });
  }
  spec.verifiedRules?.(setup, arn, verified);
  const stack = await ctx.gateways.aws.describeStack(verified.session, s.stackName, s.region).catch((e: Error) => {
    ctx.log.debug('describeStack failed; linking without stack details', { setupId: setup.id, error: e.name });
    return null;
  });

  const now = ctx.now();
  return ctx.store.mutate((db) => {
    const current = stillOpen(db, setup.id, now) as RoleSetupRecord;
    requireNameFree(db, name);
    assertNotLinked(db, spec, arn.accountId);
    const base: RoleDetails = {
      accountId: arn.accountId,
      roleArn: arn.arn,
      partition: arn.partition,
      externalId: s.externalId,
      templateVersion: s.templateVersion,
      ...(stack ? { stack: { name: s.stackName, status: stack.status, outputs: stack.outputs, region: s.region, checkedAt: now.toISOString() } } : {}),
    };
    const account = { ...connectedAccountBase(setup, name, now), provider: spec.id, [spec.id]: spec.details(db, current, base, verified) } as Account;
    db.accounts.push(account);
    spec.afterLink?.(db, account, current, ctx);
    const invite = closeSetup(db, setup.id, account.id, now);
    ctx.audit(db, { type: 'account', id: account.id, name }, { provider: spec.id, kind: s.kind, awsAccountId: arn.accountId, via: finisher ? 'request' : 'watcher', setupId: setup.id, ...(invite ? { inviteId: invite.id } : {}) });
    announceLinked(ctx, db, { account: accountView(ctx, account, db, PUBLIC_READER), setup: current, ...(invite ? { invite } : {}), ...(finisher ? { finisher } : {}) });
    return account;
  });
}

/** A role-based family from its spec: the kit supplies the setup, hand-out, verification and views. */
export function roleFamily(spec: RoleFamilySpec, shared: { complete: AnyOperation; operations: AnyOperation[] }): RoleFamily {
  const family: RoleFamily = {
    id: spec.id,
    label: spec.label,
    kit: 'cloudformation-role',
    spec,
    complete: shared.complete,
    operations: shared.operations,
    start: defineOperation({
      name: spec.start.name,
      title: spec.start.title,
      description: spec.start.description,
      input: spec.start.input,
      output: RoleHandout,
      permission: 'link',
      nature: WRITES_CLOUD,
      summarize: roleHandoutText,
      async run(ctx, input: StartInput) {
        const db = await ctx.store.read();
        if (input.name) requireNameFree(db, input.name);
        if (input.accountId) assertNotLinked(db, spec, input.accountId, 'accountId');
        const rules = spec.startRules(db, input);
        const principal = await ctx.gateways.aws.platformPrincipalArn();
        const base = newSetupBase(ctx, spec.id, input.name);
        const short = base.id.slice(0, 8);
        const setup: RoleSetupRecord = {
          ...base,
          aws: {
            ...rules,
            externalId: generateExternalId(),
            region: input.region ?? ctx.settings.awsDefaultRegion,
            roleName: `${spec.roleNamePrefix}-${short}`,
            stackName: `cloudlink-${spec.id}-${short}`,
            templateVersion: TEMPLATE_VERSION,
            trustedPrincipalArn: principal,
            partition: partitionOf(principal),
            ...(input.accountId ? { accountId: input.accountId } : {}),
          },
        };
        await ctx.store.mutate((d) => {
          d.setups.push(setup);
          ctx.audit(d, { type: 'setup', id: setup.id, name: input.name }, { provider: spec.id, kind: rules.kind, awsAccountId: input.accountId });
        });
        return handout(ctx, spec, setup, await ctx.store.read(), ctx.reader);
      },
    }),
    linkForm: spec.linkForm,
    inviteOptions: spec.inviteOptions,
    handout: (ctx, setup, db) => handout(ctx, spec, setup as RoleSetupRecord, db, ctx.reader),
    async verify(core, account) {
      const d = roleDetails(account);
      const v = await core.gateways.aws.verifyRole({ roleArn: d.roleArn, externalId: d.externalId, region: d.stack?.region ?? core.settings.awsDefaultRegion, retryForMs: 0 });
      if (v.accountId !== d.accountId) throw new CloudlinkError('ACCOUNT_MISMATCH', `The role now answers from AWS account ${v.accountId}, not ${d.accountId}. Relink the account.`);
      return undefined;
    },
    healthWording(e) {
      if (e.code !== 'ASSUME_ROLE_DENIED') return e;
      return new CloudlinkError(e.code, 'cloudlink can no longer assume the role: the role or its stack was deleted, or its trust policy changed (External ID changed, or cloudlink is no longer trusted). Redeploy the cloudlink stack with the original parameters, or delete the account here and link it again.');
    },
    describe(account, db, reader) {
      const d = roleDetails(account);
      const own = spec.describe(account, db);
      const view: RoleView = {
        ...own.view,
        accountId: d.accountId,
        roleArn: d.roleArn,
        ...(reader.linker ? { externalId: d.externalId } : {}),
        templateVersion: d.templateVersion,
        ...(d.stack ? { stack: { name: d.stack.name, status: d.stack.status, region: d.stack.region } } : {}),
      };
      return { summary: `AWS ${d.accountId}${own.summary}`, capabilities: [], block: { key: 'aws', value: view } };
    },
    describeSetup(s, status, full) {
      const a = (s as RoleSetupRecord).aws;
      return {
        key: 'aws',
        what: spec.what(s as RoleSetupRecord),
        value: {
          kind: a.kind,
          ...(full ? { externalId: a.externalId } : {}),
          trustedPrincipalArn: a.trustedPrincipalArn,
          region: a.region,
          stackName: a.stackName,
          roleName: a.roleName,
          ...(a.accountId ? { awsAccountId: a.accountId, expectedRoleArn: roleArn(a.partition, a.accountId, a.roleName) } : {}),
          watching: Boolean(a.accountId) && status === 'open',
          ...(s.lastWatchError ? { lastWatchError: s.lastWatchError } : {}),
          templateVersion: a.templateVersion,
        },
      };
    },
    revokeInstructions(account) {
      const d = roleDetails(account);
      const role = d.roleArn.split('/').at(-1) ?? d.roleArn;
      // The stack is known when cloudlink found it under the name it suggested; a role linked by its
      // ARN may come from a stack named otherwise, or from no stack at all.
      const remove = d.stack
        ? `To remove the access, delete the CloudFormation stack ${d.stack.name} (region ${d.stack.region}): CloudFormation → Stacks → ${d.stack.name} → Delete. This deletes the role.`
        : `To remove the access, delete the role: if a CloudFormation stack made it, delete that stack (CloudFormation → Stacks → the stack whose Outputs show this RoleArn → Delete); otherwise IAM → Roles → ${role} → Delete.`;
      return [`cloudlink no longer uses ${d.roleArn}, but the role still exists in AWS account ${d.accountId}.`, remove, ...spec.revokeExtra(account)];
    },
    ...(spec.assertDeletable ? { assertDeletable: spec.assertDeletable } : {}),
    async finishWatched(core, setup) {
      const s = (setup as RoleSetupRecord).aws;
      if (!s.accountId) return false;
      const db = await core.store.read();
      const name = freeName(db, setup.name ?? `${spec.shortLabel} ${s.accountId}`);
      const ctx = operationContext(core, WATCHER, shared.complete.name, () => Promise.reject(new Error('the watcher runs no other operation')));
      await linkRole(ctx, family, setup as RoleSetupRecord, name, parseRoleArn(roleArn(s.partition, s.accountId, s.roleName)), undefined);
      return true;
    },
  };
  return family;
}

/** The watcher links as the system, audited under the operation a person would have used. */
const WATCHER = systemActor('cloudlink-watcher', 'cloudlink watcher');

export { parseRoleArn };
