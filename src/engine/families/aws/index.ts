import { z } from 'zod';
import { CloudlinkError } from '../../errors.js';
import { findAccount } from '../../lookup.js';
import { accountsOf } from '../../setups.js';
import { AccountName, AwsAccountId, AwsRegion, type AccountOf, type Database } from '../../domain/records.js';
import { accountNameOf } from '../../views.js';
import { roleFamily, type RoleFamilySpec } from '../aws-role/kit.js';
import { completeAwsSetup, watchSetup } from '../aws-role/operations.js';

type AwsAccount = AccountOf<'aws'>;
const managementAccounts = (db: Readonly<Database>) => accountsOf(db, 'aws').filter((a) => a.aws.kind === 'management');
const linkedAccountsOf = (db: Readonly<Database>, managementId: string) => accountsOf(db, 'aws').filter((a) => a.aws.kind === 'linked' && a.aws.managementAccountId === managementId);

const StartInput = z
  .object({
    kind: z.enum(['management', 'linked']).default('management').describe('The organization management (payer) account, or a linked member account. The first AWS account must be a management account.'),
    name: AccountName.optional().describe('Display name for the account (1–64 characters, unique).'),
    accountId: AwsAccountId.optional().describe('The 12-digit AWS account id, if known: cloudlink then watches for the role and finishes the link by itself.'),
    region: AwsRegion.optional().describe('Region to open the CloudFormation console in (IAM is global; any works).'),
    managementAccount: z.string().min(1).max(200).optional().describe('Linked accounts: name or id of the management account it belongs to, when several are linked.'),
  })
  .strict();
type StartInput = z.infer<typeof StartInput>;

/** Which management account a linked account belongs to: the one named, else its organization's, else the only one. */
function pickManagement(db: Readonly<Database>, named: string | undefined, org: { state: string; managementAccountId?: string }): string {
  const managers = managementAccounts(db);
  if (named && db.accounts.some((a) => a.id === named)) return named;
  if (org.state === 'member') {
    const match = managers.find((m) => m.aws.accountId === org.managementAccountId);
    if (match) return match.id;
  }
  if (managers.length === 1) return managers[0]!.id;
  if (managers.length === 0) throw new CloudlinkError('MANAGEMENT_REQUIRED', 'The management account this setup belonged to is no longer linked. Link the management account again, then retry.');
  throw new CloudlinkError('MANAGEMENT_AMBIGUOUS', `Several management accounts are linked (${managers.map((m) => m.name).join(', ')}) and this account's organization does not match one. Start a new linked setup naming its management account.`);
}

const spec: RoleFamilySpec = {
  id: 'aws',
  label: 'AWS',
  shortLabel: 'AWS',
  template: 'aws',
  roleNamePrefix: 'CloudlinkIntegration',
  start: {
    name: 'start_aws_setup',
    title: 'Start linking an AWS account',
    description:
      "Starts linking an AWS account: returns a fresh External ID, the CloudFormation template, a console quick-create link and step-by-step instructions for the user. The first AWS account must be the organization's management account (kind \"management\"); linked member accounts come after. If you know the 12-digit account id, pass it: cloudlink then watches for the role and finishes the link by itself.",
    input: StartInput,
  },
  async linkForm(ctx) {
    const hasManagement = managementAccounts(await ctx.store.read()).length > 0;
    return {
      provider: 'aws',
      title: 'Link an AWS account',
      intro: '*Select AWS account type*',
      choice: {
        field: 'kind',
        label: 'AWS account type',
        options: [{ value: 'management', label: 'Management account' }, ...(hasManagement ? [{ value: 'linked', label: 'Linked account' }] : [])],
        note: hasManagement ? 'A *linked* account is a member of an organization whose management account is already linked.' : "Start with your organization's *management* (payer) account. Linked member accounts can be added once it is linked.",
      },
      fields: [],
      submitLabel: 'Next',
    };
  },
  inviteOptions: (db) => [
    { value: 'aws:management', label: 'AWS management account', provider: 'aws', start: { kind: 'management' } },
    ...(managementAccounts(db).length ? [{ value: 'aws:linked', label: 'AWS linked account', provider: 'aws' as const, start: { kind: 'linked' } }] : []),
  ],
  startRules(db, raw) {
    const input = raw as StartInput;
    if (input.kind !== 'linked') return { kind: 'management' };
    const managers = managementAccounts(db);
    if (managers.length === 0) {
      throw new CloudlinkError('MANAGEMENT_REQUIRED', 'Link your AWS management account first: a linked account belongs to an organization whose management account cloudlink already knows. Start a management account setup, then come back for the linked accounts.', { kind: 'Link a management account first.' });
    }
    if (input.managementAccount) {
      const m = findAccount(db, input.managementAccount);
      if (!m || !managers.some((x) => x.id === m.id)) {
        throw new CloudlinkError('NOT_FOUND', `"${input.managementAccount}" is not a linked AWS management account. Choose one of: ${managers.map((x) => x.name).join(', ')}.`, { managementAccount: 'Not a management account.' });
      }
      return { kind: 'linked', managementAccountId: m.id };
    }
    return { kind: 'linked', ...(managers.length === 1 ? { managementAccountId: managers[0]!.id } : {}) };
  },
  verifiedRules(setup, arn, verified) {
    const org = verified.organization;
    if (setup.aws.kind === 'management' && org.state === 'member' && org.managementAccountId !== arn.accountId) {
      throw new CloudlinkError('NOT_ORGANIZATION_MANAGEMENT', `AWS account ${arn.accountId} is a member of organization ${org.id}, whose management account is ${org.managementAccountId}. Link ${org.managementAccountId} as the management account, or start a linked-account setup for ${arn.accountId}.`, { roleArn: "Not the organization's management account." });
    }
  },
  details(db, setup, base, verified) {
    const org = verified.organization;
    const managementAccountId = setup.aws.kind === 'linked' ? pickManagement(db, setup.aws.managementAccountId, org) : undefined;
    return { ...base, kind: setup.aws.kind, ...(org.state === 'member' ? { organizationId: org.id } : {}), ...(managementAccountId ? { managementAccountId } : {}) };
  },
  what: (setup) => `an AWS ${setup.aws.kind} account`,
  where: (setup) => (setup.aws.kind === 'management' ? "your organization's management (payer) account" : 'the AWS account to link'),
  extraInstructions: (setup) =>
    setup.aws.kind === 'management'
      ? ['Optional: to cover every member account, deploy aws-organization-stackset.yaml in this management account afterwards (a StackSet never deploys to the management account itself, which is why this stack comes first).']
      : [],
  describe(account, db) {
    const a = (account as AwsAccount).aws;
    const mgmt = a.managementAccountId ? accountNameOf(db, a.managementAccountId) : undefined;
    return {
      view: { kind: a.kind, ...(a.organizationId ? { organizationId: a.organizationId } : {}), ...(mgmt ? { managementAccountName: mgmt } : {}) },
      summary: ` · ${a.kind}${mgmt ? ` of ${mgmt}` : ''}`,
    };
  },
  revokeExtra: (account) => ((account as AwsAccount).aws.kind === 'management' ? ['If you rolled the role out with the cloudlink StackSet, delete its stack instances and then the StackSet too.'] : []),
  assertDeletable(db, account) {
    if ((account as AwsAccount).aws.kind !== 'management') return;
    const linked = linkedAccountsOf(db, account.id);
    if (linked.length) {
      const names = linked.map((a) => `"${a.name}"`).join(', ');
      throw new CloudlinkError('HAS_LINKED_ACCOUNTS', `"${account.name}" is a management account with ${linked.length} linked account${linked.length > 1 ? 's' : ''} (${names}). Delete those first, then the management account.`);
    }
  },
};

export const awsFamily = roleFamily(spec, { complete: completeAwsSetup, operations: [watchSetup] });
