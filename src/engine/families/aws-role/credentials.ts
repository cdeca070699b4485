import { z } from 'zod';
import { auditVend, credentialSettings, digest, sessionNameFor, vendCache } from '../../credentials/vend.js';
import { CloudlinkError } from '../../errors.js';
import { requireAccount } from '../../lookup.js';
import { AccountRef } from '../../domain/records.js';
import { defineOperation, WRITES_CLOUD } from '../../registry/operation.js';
import type { TemporaryCredentials } from '../../ports/aws.js';
import { roleDetails } from './kit.js';

const SessionName = z
  .string()
  .regex(/^[\w+=,.@-]{2,64}$/, 'a session name is 2–64 letters, digits and + = , . @ _ -')
  .describe('The role session name AWS records in CloudTrail (2–64 characters of letters, digits and + = , . @ _ -). Default: cloudlink-<who asked>.');

/** An IAM policy document: STS checks the rest (and answers MalformedPolicyDocument). */
const SessionPolicy = z
  .string()
  .max(2048, 'a session policy is at most 2,048 characters (AWS packs it further)')
  .refine((s) => {
    try {
      const v = JSON.parse(s) as unknown;
      return Boolean(v) && typeof v === 'object' && !Array.isArray(v);
    } catch {
      return false;
    }
  }, 'the session policy must be an IAM policy document in JSON ({"Version":"2012-10-17","Statement":[…]})')
  .describe('An inline IAM session policy (JSON) to narrow the credentials: they can do only what both it and the role allow.');

/** The `credential_process` format the AWS CLI and SDKs read (Version 1). */
export const ProcessCredentials = z.object({
  Version: z.literal(1),
  AccessKeyId: z.string(),
  SecretAccessKey: z.string(),
  SessionToken: z.string(),
  Expiration: z.string().describe('ISO 8601: the SDK asks again shortly before.'),
});
export type ProcessCredentials = z.infer<typeof ProcessCredentials>;

export const getAwsCredentials = defineOperation({
  name: 'get_aws_credentials',
  title: 'Get temporary AWS credentials for a linked account',
  description:
    "Returns temporary credentials for a linked AWS or EKS account in the AWS credential_process format (Version 1, AccessKeyId, SecretAccessKey, SessionToken, Expiration): cloudlink assumes the account's role with its External ID, which never leaves cloudlink. Optionally a duration (900 s up to the configured maximum), a session name and an inline session policy to narrow them. The same credentials are handed out again while they have most of their life left. Every request is in the audit log.",
  input: z
    .object({
      account: AccountRef,
      durationSeconds: z.number().int().min(900, 'AWS issues sessions of at least 900 seconds').max(43_200, 'AWS issues sessions of at most 43,200 seconds (12 hours)').optional().describe('How long the credentials last, in seconds (900 up to the configured maximum; default configured, 3600).'),
      sessionName: SessionName.optional(),
      policy: SessionPolicy.optional(),
    })
    .strict(),
  output: ProcessCredentials,
  permission: 'credentials',
  nature: WRITES_CLOUD,
  // A live cloud credential does not belong in a model's context: the CLI, the REST API and credential_process only.
  exposure: { mcp: false },
  summarize: (o) => `Temporary AWS credentials (access key ${o.AccessKeyId}), valid until ${o.Expiration}. Use --output json, or \`cloudlink credentials <account>\` for the credential_process format.`,
  async run(ctx, input) {
    const account = requireAccount(await ctx.store.read(), input.account);
    const family = ctx.families.of(account.provider);
    if (family.kit !== 'cloudformation-role') {
      throw new CloudlinkError('WRONG_PROVIDER', `"${account.name}" is a ${family.label} account: it has no AWS role. Ask for an access token instead (get_access_token, or \`cloudlink credentials "${account.name}" --scope <resource>/.default\`).`, { account: 'Not an AWS account.' });
    }
    const settings = credentialSettings(ctx.settings);
    const durationSeconds = input.durationSeconds ?? settings.defaultDurationSeconds;
    if (durationSeconds > settings.maxDurationSeconds) {
      throw new CloudlinkError('INVALID_INPUT', `cloudlink hands out AWS sessions of at most ${settings.maxDurationSeconds} seconds here (CLOUDLINK_CREDENTIALS_MAX_DURATION_SECONDS). Ask for ${settings.maxDurationSeconds} or less.`, { durationSeconds: `At most ${settings.maxDurationSeconds}.` });
    }
    const d = roleDetails(account);
    const sessionName = input.sessionName ?? sessionNameFor(settings.sessionName, ctx.actor.id);
    const request = { roleArn: d.roleArn, externalId: d.externalId, region: d.stack?.region ?? ctx.settings.awsDefaultRegion, sessionName, durationSeconds, ...(input.policy ? { policy: input.policy } : {}) };
    // The External ID is in the key only as a digest: a relinked account (new External ID) never reuses the old session.
    const key = [account.id, d.roleArn, digest(d.externalId), sessionName, durationSeconds, input.policy ? digest(input.policy) : '-'].join('\u0000');
    const target = { type: 'account' as const, id: account.id, name: account.name };
    const asked = { provider: account.provider, awsAccountId: d.accountId, roleArn: d.roleArn, sessionName, durationSeconds, ...(input.policy ? { sessionPolicy: input.policy } : {}) };
    let vended: { value: TemporaryCredentials & { expiration: string }; hit: boolean };
    try {
      vended = await vendCache<TemporaryCredentials>(ctx.gateways.aws, ctx.now).get(key, () => ctx.gateways.aws.assumeRole(request));
    } catch (e) {
      if (e instanceof CloudlinkError) await auditVend(ctx, target, { ...asked, code: e.code }, 'refused');
      throw e;
    }
    await auditVend(ctx, target, { ...asked, expiresAt: vended.value.expiration, cached: vended.hit });
    const c = vended.value;
    return { Version: 1 as const, AccessKeyId: c.accessKeyId, SecretAccessKey: c.secretAccessKey, SessionToken: c.sessionToken, Expiration: c.expiration };
  },
});
