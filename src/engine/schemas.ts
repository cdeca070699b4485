import { z } from 'zod';

/** Domain schemas: the single source of the engine's types (everything else is z.infer of these). */

export const PROVIDERS = ['aws', 'eks', 'azure', 'm365', 'entra'] as const;
export const Provider = z.enum(PROVIDERS);
export type Provider = z.infer<typeof Provider>;

export const PROVIDER_LABELS: Record<Provider, string> = {
  aws: 'AWS',
  eks: 'Amazon EKS',
  azure: 'Azure',
  m365: 'Microsoft 365',
  entra: 'Microsoft Entra ID',
};

export const AccountStatus = z.enum(['pending', 'connected', 'error']);
export type AccountStatus = z.infer<typeof AccountStatus>;

export const FrontEnd = z.enum(['slack', 'mcp', 'cli', 'system']);
export type FrontEnd = z.infer<typeof FrontEnd>;

export const Role = z.enum(['admin', 'member']);
export type Role = z.infer<typeof Role>;

export const Actor = z.object({
  id: z.string().min(1).max(200),
  name: z.string().max(200).optional(),
  via: FrontEnd,
  role: Role,
});
export type Actor = z.infer<typeof Actor>;

/** Who did something, as stored (the role is not kept: it may change later). */
export const ActorRef = Actor.pick({ id: true, name: true, via: true });
export type ActorRef = z.infer<typeof ActorRef>;

const NAME_CHARS = /^[\p{L}\p{N} ._\-()'&/:@+#]+$/u;
// Checks run in order: control characters are refused before white space is folded, and the
// length and character rules apply to the folded name. (overwrite keeps the JSON Schema a string.)
export const AccountName = z
  .string({ error: 'a name is required' })
  .refine((s) => !/\p{Cc}/u.test(s), 'the name cannot contain control characters (tabs, line breaks…)')
  .overwrite((s) => s.trim().replace(/\s+/g, ' '))
  .min(1, 'the name cannot be empty')
  .max(64, 'the name must be at most 64 characters')
  .regex(NAME_CHARS, "the name may use letters, digits, spaces and - _ . ( ) ' & / : @ + # only");

export const AwsAccountId = z.string().regex(/^\d{12}$/, 'an AWS account id is exactly 12 digits');
export const Guid = z
  .string()
  .trim()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a GUID like 00000000-0000-0000-0000-000000000000')
  .transform((s) => s.toLowerCase());
export const AwsRegion = z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, 'must be an AWS region such as us-east-1');

export const LastError = z.object({ code: z.string(), message: z.string(), at: z.string() });

export const StoredCertificate = z.object({
  /** Public certificate, PEM. Safe to show. */
  pem: z.string(),
  thumbprint: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  /** The private key, AES-256-GCM encrypted with the configured key. Never leaves the engine. */
  encryptedKey: z.object({ iv: z.string(), tag: z.string(), data: z.string(), keyId: z.string() }),
});
export type StoredCertificate = z.infer<typeof StoredCertificate>;

export const StackInfo = z.object({
  name: z.string(),
  status: z.string().optional(),
  outputs: z.record(z.string(), z.string()).default({}),
  region: z.string(),
  checkedAt: z.string(),
});

const AccountBase = z.object({
  id: z.string(),
  name: z.string(),
  status: AccountStatus,
  lastError: LastError.optional(),
  createdBy: ActorRef,
  createdAt: z.string(),
  updatedAt: z.string(),
  lastCheckedAt: z.string().optional(),
  setupId: z.string().optional(),
});

export const AwsDetails = z.object({
  kind: z.enum(['management', 'linked']),
  accountId: AwsAccountId,
  roleArn: z.string(),
  partition: z.string(),
  externalId: z.string(),
  templateVersion: z.string(),
  organizationId: z.string().optional(),
  /** Internal id of the management account a linked account belongs to. */
  managementAccountId: z.string().optional(),
  stack: StackInfo.optional(),
});

export const EksDetails = AwsDetails.omit({ kind: true, managementAccountId: true, organizationId: true }).extend({
  clusterName: z.string().optional(),
});

export const AzureSubscription = z.object({
  subscriptionId: z.string(),
  displayName: z.string(),
  state: z.string(),
  selected: z.boolean(),
  /** Set when a refresh no longer sees the subscription: flagged, never silently dropped. */
  missingSince: z.string().optional(),
});
export type AzureSubscription = z.infer<typeof AzureSubscription>;

export const AzureDetails = z.object({
  tenantId: z.string(),
  clientId: z.string(),
  certificate: StoredCertificate,
  subscriptions: z.array(AzureSubscription).default([]),
});
export const M365Details = z.object({
  tenantId: z.string(),
  clientId: z.string(),
  organization: z.string(),
  certificate: StoredCertificate,
  grantedPermissions: z.array(z.string()).default([]),
});
export const EntraDetails = M365Details.omit({ organization: true }).extend({ organization: z.string().optional() });

export const Account = z.discriminatedUnion('provider', [
  AccountBase.extend({ provider: z.literal('aws'), aws: AwsDetails }),
  AccountBase.extend({ provider: z.literal('eks'), eks: EksDetails }),
  AccountBase.extend({ provider: z.literal('azure'), azure: AzureDetails }),
  AccountBase.extend({ provider: z.literal('m365'), m365: M365Details }),
  AccountBase.extend({ provider: z.literal('entra'), entra: EntraDetails }),
]);
export type Account = z.infer<typeof Account>;
export type AccountOf<P extends Provider> = Extract<Account, { provider: P }>;

export const SetupStatus = z.enum(['open', 'completed', 'expired']);

export const Setup = z.object({
  id: z.string(),
  provider: Provider,
  status: SetupStatus,
  name: z.string().optional(),
  createdBy: ActorRef,
  createdAt: z.string(),
  expiresAt: z.string(),
  completedAccountId: z.string().optional(),
  /** AWS / EKS */
  aws: z
    .object({
      kind: z.enum(['management', 'linked']),
      externalId: z.string(),
      region: z.string(),
      roleName: z.string(),
      stackName: z.string(),
      templateVersion: z.string(),
      trustedPrincipalArn: z.string(),
      partition: z.string(),
      accountId: AwsAccountId.optional(),
      managementAccountId: z.string().optional(),
      clusterName: z.string().optional(),
      /** Last time the watcher tried the role, and what it saw. */
      lastWatchAt: z.string().optional(),
      lastWatchError: z.string().optional(),
    })
    .optional(),
  /** Azure / M365 / Entra */
  microsoft: z
    .object({
      tenantId: z.string(),
      clientId: z.string(),
      organization: z.string().optional(),
      certificate: StoredCertificate,
    })
    .optional(),
});
export type Setup = z.infer<typeof Setup>;

export const InviteStatus = z.enum(['pending', 'accepted', 'completed', 'revoked', 'expired']);
export const Invite = z.object({
  id: z.string(),
  setupId: z.string(),
  provider: Provider,
  inviter: ActorRef,
  invitee: z.object({ id: z.string(), name: z.string().optional() }),
  message: z.string().optional(),
  status: InviteStatus,
  createdAt: z.string(),
  expiresAt: z.string(),
  acceptedAt: z.string().optional(),
  completedAt: z.string().optional(),
  accountId: z.string().optional(),
  /** Set once both people were told the account connected (whichever process completed it). */
  notifiedAt: z.string().optional(),
});
export type Invite = z.infer<typeof Invite>;

export const AuditEntry = z.object({
  id: z.string(),
  at: z.string(),
  actor: ActorRef,
  operation: z.string(),
  target: z.object({ type: z.enum(['account', 'setup', 'invite']), id: z.string(), name: z.string().optional() }),
  outcome: z.enum(['ok', 'refused']).default('ok'),
  details: z.record(z.string(), z.unknown()).default({}),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const SCHEMA_VERSION = 2;
export const Database = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  accounts: z.array(Account),
  setups: z.array(Setup),
  invites: z.array(Invite),
  audit: z.array(AuditEntry),
});
export type Database = z.infer<typeof Database>;

export const emptyDatabase = (): Database => ({
  schemaVersion: SCHEMA_VERSION,
  accounts: [],
  setups: [],
  invites: [],
  audit: [],
});
