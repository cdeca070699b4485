import { z } from 'zod';
import { CloudlinkError } from '../../errors.js';
import { requireNameFree, requireSetup } from '../../lookup.js';
import { defineOperation, WRITES, WRITES_CLOUD } from '../../registry/operation.js';
import { AccountName, AwsAccountId, SetupId } from '../../domain/records.js';
import { acceptedInvitee, finishName, requireOpenSetup } from '../../setups.js';
import { accountView, AccountView, setupView, SetupView } from '../../views.js';
import type { OpContext } from '../../context.js';
import { parseRoleArn } from './arn.js';
import { assertNotLinked, assertSetupAccount, linkRole, requireRoleFamily } from './kit.js';

const CompleteAwsSetupInput = z
  .object({
    setupId: SetupId,
    name: AccountName.optional().describe('Display name for the account; required unless the setup already has one.'),
    roleArn: z.string().max(2048).describe('The RoleArn output of the CloudFormation stack, e.g. arn:aws:iam::123456789012:role/CloudlinkIntegration-1a2b3c4d.'),
    accountId: AwsAccountId.optional().describe('The 12-digit AWS account id, if the user gave it too: it must be the account in the ARN.'),
  })
  .strict();
type CompleteInput = z.infer<typeof CompleteAwsSetupInput>;

/** Everything about a completion that can be checked without calling AWS. */
async function checkCompletion(ctx: OpContext, input: CompleteInput) {
  const db = await ctx.store.read();
  const { family, setup } = requireRoleFamily(ctx, requireSetup(db, input.setupId));
  requireOpenSetup(setup, ctx.now());
  const name = finishName(input.name, setup);
  requireNameFree(db, name);
  const arn = parseRoleArn(input.roleArn);
  if (input.accountId && input.accountId !== arn.accountId) {
    throw new CloudlinkError('ACCOUNT_MISMATCH', `The role ARN is in AWS account ${arn.accountId}, but the account id given is ${input.accountId}. Copy both from the same stack (its Outputs tab shows the RoleArn), or leave the account id empty.`, { accountId: `The ARN is in account ${arn.accountId}.`, roleArn: `This ARN is not in account ${input.accountId}.` });
  }
  assertSetupAccount(setup, arn);
  assertNotLinked(db, family.spec, arn.accountId);
  return { family, setup, name, arn };
}

/** The invitee who took an invite for the setup may finish it, even where members may not link. */
const invitee = async (ctx: OpContext, input: { setupId: string }) => acceptedInvitee(await ctx.store.read(), ctx.actor.id, input.setupId.trim());

export const completeAwsSetup = defineOperation({
  name: 'complete_aws_setup',
  title: 'Finish linking an AWS or EKS account',
  description:
    "Finishes an AWS or EKS setup with the RoleArn from the stack's Outputs tab: cloudlink assumes the role with the setup's External ID, checks the account, and stores it as connected. A role created seconds ago may take up to a minute to work; this waits for it. Errors say exactly what to check.",
  input: CompleteAwsSetupInput,
  output: z.object({ account: AccountView, message: z.string() }),
  permission: 'link',
  alsoAllowed: invitee,
  nature: WRITES_CLOUD,
  async precheck(ctx, input) {
    await checkCompletion(ctx, input);
  },
  summarize: (o) => o.message,
  async run(ctx, input) {
    const { family, setup, name, arn } = await checkCompletion(ctx, input);
    const account = await linkRole(ctx, family, setup, name, arn, ctx.actor);
    return { account: accountView(ctx, account, await ctx.store.read(), ctx.reader), message: `${account.name} (AWS account ${arn.accountId}) is linked and verified.` };
  },
});

export const watchSetup = defineOperation({
  name: 'watch_setup',
  title: 'Let cloudlink finish an AWS setup by itself',
  description: 'Gives an open AWS or EKS setup the 12-digit account id the stack is (or will be) deployed in: cloudlink then watches for the role and finishes the link by itself as soon as the stack is done, telling whoever started the setup.',
  input: z.object({ setupId: SetupId, accountId: AwsAccountId.describe('The 12-digit AWS account id the stack is deployed in.'), name: AccountName.optional() }).strict(),
  output: z.object({ setup: SetupView }),
  permission: 'link',
  alsoAllowed: invitee,
  nature: WRITES,
  summarize: (o) => `cloudlink is watching AWS account ${o.setup.aws?.awsAccountId} for role ${o.setup.aws?.roleName}; the link finishes by itself once the stack is done.`,
  async run(ctx, input) {
    const now = ctx.now();
    return ctx.store.mutate((db) => {
      const { family, setup } = requireRoleFamily(ctx, requireSetup(db, input.setupId));
      requireOpenSetup(setup, now);
      if (input.name) requireNameFree(db, input.name);
      assertNotLinked(db, family.spec, input.accountId, 'accountId');
      if (setup.aws.accountId && setup.aws.accountId !== input.accountId) {
        throw new CloudlinkError('ACCOUNT_MISMATCH', `This setup was started for AWS account ${setup.aws.accountId}. Give that account id, or start a new setup for ${input.accountId}.`, { accountId: `Expected ${setup.aws.accountId}.` });
      }
      setup.aws.accountId = input.accountId;
      delete setup.lastWatchError;
      if (input.name) setup.name = input.name;
      ctx.audit(db, { type: 'setup', id: setup.id, name: setup.name }, { awsAccountId: input.accountId });
      return { setup: setupView(ctx, setup, db, ctx.reader) };
    });
  },
});
