import { z } from 'zod';
import { CloudlinkError } from '../../errors.js';
import { findAccount } from '../../lookup.js';
import { accountsOf } from '../../setups.js';
import { AccountName, AwsAccountId, AwsRegion, type AccountOf, type Database } from '../../domain/records.js';
import { accountNameOf } from '../../views.js';
import { roleFamily, type RoleFamilySpec } from '../aws-role/kit.js';
import { completeAwsSetup, watchSetup } from '../aws-role/operations.js';
import { getAwsCredentials } from '../aws-role/credentials.js';
import { listAwsProfiles } from '../aws-role/profiles.js';
import { generateExternalId } from '../aws-role/external-id.js';
import { systemActor } from '../../registry/context.js';
import type { EngineCore } from '../../context.js';
import { MEMBER_ROLE_NAME, newOrganization, ORGANIZATION_OPERATIONS, organizationsPass } from './organization/operations.js';

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
    rollOutTo: z
      .array(z.string().regex(/^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/, 'must be a root id (r-ab12) or an OU id (ou-ab12-cd34ef56)'))
      .min(1)
      .max(100)
      .optional()
      .describe('Management accounts: also roll the member role out to these roots/OUs in the same stack (a StackSet), so cloudlink links the whole organization. The root id (r-…) covers every account; it is shown in the AWS Organizations console.'),
  })
  .strict()
  .refine((v) => !v.rollOutTo || v.kind === 'management', { message: 'only a management account rolls the member role out to the organization', path: ['rollOutTo'] });
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
    if (input.kind !== 'linked') return { kind: 'management', ...(input.rollOutTo ? { rollout: { ouIds: input.rollOutTo, externalId: generateExternalId(), memberRoleName: MEMBER_ROLE_NAME } } : {}) };
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
  extraParameters: (setup) => (setup.aws.rollout ? { OrganizationalUnitIds: setup.aws.rollout.ouIds.join(','), MemberExternalId: setup.aws.rollout.externalId, MemberRoleName: setup.aws.rollout.memberRoleName } : {}),
  afterLink(db, account, setup, ctx) {
    // The same stack rolled the member role out: the organization is linked with it, and resynced soon.
    if (!setup.aws.rollout || db.organizations.some((o) => o.managementAccountId === account.id)) return;
    db.organizations.push(newOrganization(ctx, account as AwsAccount, setup.aws.stackName, { externalId: setup.aws.rollout.externalId, includeOus: setup.aws.rollout.ouIds.filter((id) => id.startsWith('ou-')) }));
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
    setup.aws.rollout
      ? [`The same stack rolls the member role out to ${setup.aws.rollout.ouIds.join(', ')} with a StackSet (trusted access for CloudFormation StackSets must be on in AWS Organizations). cloudlink then links every member account as its role appears.`]
      : setup.aws.kind === 'management'
        ? ['To cover every member account later, link the organization once this account is linked (cloudlink gives you a one-click StackSet for the members).']
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
      const names = linked.slice(0, 5).map((a) => `"${a.name}"`).join(', ') + (linked.length > 5 ? ` and ${linked.length - 5} more` : '');
      const org = db.organizations.some((o) => o.managementAccountId === account.id);
      throw new CloudlinkError('HAS_LINKED_ACCOUNTS', `"${account.name}" is a management account with ${linked.length} linked account${linked.length > 1 ? 's' : ''} (${names}). ${org ? 'Unlink its organization first (unlink_organization), then' : 'Delete those first, then'} the management account.`);
    }
  },
};

const ORG_ACTOR = systemActor('cloudlink-organizations', 'organization resync');

export const awsFamily = Object.assign(roleFamily(spec, { complete: completeAwsSetup, operations: [watchSetup, getAwsCredentials, listAwsProfiles, ...ORGANIZATION_OPERATIONS] }), {
  periodic: (core: EngineCore) => organizationsPass(core, ORG_ACTOR, { waitingEveryMs: 60_000 }),
});
