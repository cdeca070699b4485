import { z } from 'zod';
import { AwsRegion } from '../../domain/records.js';
import { defineOperation, READS } from '../../registry/operation.js';
import { roleDetails } from './kit.js';

/** A name the AWS CLI, the SDKs, Prowler and Steampipe all take as a profile: lower-case letters, digits and dashes. */
export function profileSlug(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
}

const Profile = z.object({
  profile: z.string().describe('The profile name: safe for every AWS tool, unique in the file.'),
  account: z.object({ id: z.string(), name: z.string() }).describe('The cloudlink account: `id` is what credential_process asks for (it survives renames).'),
  provider: z.string(),
  label: z.string().describe('What kind of account, in words (AWS, Amazon EKS).'),
  awsAccountId: z.string(),
  roleArn: z.string(),
  kind: z.string().optional().describe('AWS accounts: management or linked.'),
  region: z.string(),
});

export const listAwsProfiles = defineOperation({
  name: 'list_aws_profiles',
  title: 'AWS config profiles for every linked AWS account',
  description:
    'One AWS config profile per linked AWS and EKS account (management and members): a name safe for every AWS tool and unique, the cloudlink account it asks credentials for, its AWS account id, role and region. `cloudlink export aws-config` writes them as ~/.aws/config profiles whose credential_process is `cloudlink credentials <account id>`. Nothing secret: credentials are vended when a tool asks.',
  input: z
    .object({
      prefix: z.string().regex(/^[a-z0-9][a-z0-9-]{0,19}$/, 'a prefix is up to 20 lower-case letters, digits and dashes').optional().describe('Put before every profile name (e.g. "cl" → cl-prod-payer).'),
      region: AwsRegion.optional().describe('The region every profile names; each account\'s own (where its stack is) when absent.'),
    })
    .strict(),
  output: z.object({ profiles: z.array(Profile) }),
  permission: 'read',
  nature: READS,
  summarize: (o) => (o.profiles.length ? o.profiles.map((p) => `[profile ${p.profile}] ${p.account.name} (AWS ${p.awsAccountId})`).join('\n') : 'No AWS accounts are linked yet.'),
  async run(ctx, input) {
    const db = await ctx.store.read();
    const roleAccounts = db.accounts.filter((a) => ctx.families.of(a.provider).kit === 'cloudformation-role').sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    const taken = new Set<string>();
    const profiles = roleAccounts.map((a) => {
      const d = roleDetails(a);
      const base = [input.prefix, profileSlug(a.name) || `aws-${d.accountId}`].filter(Boolean).join('-');
      // Two names that differ only in what the slug drops (case, accents, punctuation) get their AWS account id, then a number.
      let profile = taken.has(base) ? `${base}-${d.accountId}` : base;
      for (let n = 2; taken.has(profile); n++) profile = `${base}-${d.accountId}-${n}`;
      taken.add(profile);
      const kind = (d as { kind?: string }).kind;
      return { profile, account: { id: a.id, name: a.name }, provider: a.provider, label: ctx.families.of(a.provider).label, awsAccountId: d.accountId, roleArn: d.roleArn, ...(kind ? { kind } : {}), region: input.region ?? d.stack?.region ?? ctx.settings.awsDefaultRegion };
    });
    return { profiles };
  },
});
