import { z } from 'zod';
import { ActorRef, AccountStatus, LastError, Provider, type Account, type Database, type Invite, type Setup } from './schemas.js';

/**
 * What front ends show. Views never carry a private key (encrypted or not); everything in them is
 * safe to print in a channel or return to an assistant.
 */
export type SubscriptionView = z.infer<typeof SubscriptionView>;
export const SubscriptionView = z.object({
  subscriptionId: z.string(),
  displayName: z.string(),
  state: z.string(),
  selected: z.boolean(),
  missing: z.boolean(),
});

export const AccountView = z.object({
  id: z.string(),
  name: z.string(),
  provider: Provider,
  status: AccountStatus,
  lastError: LastError.optional(),
  createdBy: ActorRef,
  createdAt: z.string(),
  lastCheckedAt: z.string().optional(),
  aws: z
    .object({
      kind: z.enum(['management', 'linked']).optional(),
      accountId: z.string(),
      roleArn: z.string(),
      externalId: z.string(),
      templateVersion: z.string(),
      organizationId: z.string().optional(),
      managementAccountName: z.string().optional(),
      clusterName: z.string().optional(),
      stack: z.object({ name: z.string(), status: z.string().optional(), region: z.string() }).optional(),
    })
    .optional(),
  microsoft: z
    .object({
      tenantId: z.string(),
      clientId: z.string(),
      organization: z.string().optional(),
      certificateThumbprint: z.string(),
      certificateExpiresAt: z.string(),
      subscriptions: z.array(SubscriptionView).optional(),
      grantedPermissions: z.array(z.string()).optional(),
    })
    .optional(),
});
export type AccountView = z.infer<typeof AccountView>;

// Views are derived from a store snapshot, which is never mutated: index it once per snapshot.
const nameIndexes = new WeakMap<object, Map<string, string>>();
function nameOf(db: Readonly<Database>, id: string): string | undefined {
  let index = nameIndexes.get(db);
  if (!index) {
    index = new Map(db.accounts.map((x) => [x.id, x.name]));
    nameIndexes.set(db, index);
  }
  return index.get(id);
}

export function accountView(a: Account, db?: Readonly<Database>): AccountView {
  const base = {
    id: a.id,
    name: a.name,
    provider: a.provider,
    status: a.status,
    ...(a.lastError ? { lastError: a.lastError } : {}),
    createdBy: a.createdBy,
    createdAt: a.createdAt,
    ...(a.lastCheckedAt ? { lastCheckedAt: a.lastCheckedAt } : {}),
  };
  switch (a.provider) {
    case 'aws':
    case 'eks': {
      const d = a.provider === 'aws' ? a.aws : a.eks;
      const mgmt = a.provider === 'aws' && a.aws.managementAccountId && db ? nameOf(db, a.aws.managementAccountId) : undefined;
      return {
        ...base,
        aws: {
          ...(a.provider === 'aws' ? { kind: a.aws.kind } : {}),
          accountId: d.accountId,
          roleArn: d.roleArn,
          externalId: d.externalId,
          templateVersion: d.templateVersion,
          ...(a.provider === 'aws' && a.aws.organizationId ? { organizationId: a.aws.organizationId } : {}),
          ...(mgmt ? { managementAccountName: mgmt } : {}),
          ...(a.provider === 'eks' && a.eks.clusterName ? { clusterName: a.eks.clusterName } : {}),
          ...(d.stack ? { stack: { name: d.stack.name, status: d.stack.status, region: d.stack.region } } : {}),
        },
      };
    }
    case 'azure':
    case 'm365':
    case 'entra': {
      const d = a.provider === 'azure' ? a.azure : a.provider === 'm365' ? a.m365 : a.entra;
      return {
        ...base,
        microsoft: {
          tenantId: d.tenantId,
          clientId: d.clientId,
          ...('organization' in d && d.organization ? { organization: d.organization } : {}),
          certificateThumbprint: d.certificate.thumbprint,
          certificateExpiresAt: d.certificate.notAfter,
          ...(a.provider === 'azure'
            ? {
                subscriptions: a.azure.subscriptions.map((s) => ({
                  subscriptionId: s.subscriptionId,
                  displayName: s.displayName,
                  state: s.state,
                  selected: s.selected,
                  missing: Boolean(s.missingSince),
                })),
              }
            : { grantedPermissions: (d as { grantedPermissions?: string[] }).grantedPermissions ?? [] }),
        },
      };
    }
  }
}

export const SetupView = z.object({
  setupId: z.string(),
  provider: Provider,
  status: z.enum(['open', 'completed', 'expired']),
  name: z.string().optional(),
  expiresAt: z.string(),
  accountId: z.string().optional().describe('Internal id of the account this setup created, once completed.'),
  aws: z
    .object({
      kind: z.enum(['management', 'linked']),
      externalId: z.string(),
      trustedPrincipalArn: z.string(),
      region: z.string(),
      stackName: z.string(),
      roleName: z.string(),
      awsAccountId: z.string().optional(),
      expectedRoleArn: z.string().optional(),
      watching: z.boolean(),
      lastWatchError: z.string().optional(),
      templateVersion: z.string(),
    })
    .optional(),
  microsoft: z
    .object({
      tenantId: z.string(),
      clientId: z.string(),
      organization: z.string().optional(),
      certificatePem: z.string(),
      certificateThumbprint: z.string(),
      certificateExpiresAt: z.string(),
    })
    .optional(),
});
export type SetupView = z.infer<typeof SetupView>;

export function setupView(s: Setup, now: Date): SetupView {
  const status = s.status === 'open' && Date.parse(s.expiresAt) <= now.getTime() ? 'expired' : s.status;
  return {
    setupId: s.id,
    provider: s.provider,
    status,
    ...(s.name ? { name: s.name } : {}),
    expiresAt: s.expiresAt,
    ...(s.completedAccountId ? { accountId: s.completedAccountId } : {}),
    ...(s.aws
      ? {
          aws: {
            kind: s.aws.kind,
            externalId: s.aws.externalId,
            trustedPrincipalArn: s.aws.trustedPrincipalArn,
            region: s.aws.region,
            stackName: s.aws.stackName,
            roleName: s.aws.roleName,
            ...(s.aws.accountId
              ? { awsAccountId: s.aws.accountId, expectedRoleArn: `arn:${s.aws.partition}:iam::${s.aws.accountId}:role/${s.aws.roleName}` }
              : {}),
            watching: Boolean(s.aws.accountId) && status === 'open',
            ...(s.aws.lastWatchError ? { lastWatchError: s.aws.lastWatchError } : {}),
            templateVersion: s.aws.templateVersion,
          },
        }
      : {}),
    ...(s.microsoft
      ? {
          microsoft: {
            tenantId: s.microsoft.tenantId,
            clientId: s.microsoft.clientId,
            ...(s.microsoft.organization ? { organization: s.microsoft.organization } : {}),
            certificatePem: s.microsoft.certificate.pem,
            certificateThumbprint: s.microsoft.certificate.thumbprint,
            certificateExpiresAt: s.microsoft.certificate.notAfter,
          },
        }
      : {}),
  };
}

export const InviteView = z.object({
  inviteId: z.string(),
  setupId: z.string(),
  provider: Provider,
  inviter: ActorRef,
  invitee: z.object({ id: z.string(), name: z.string().optional() }),
  message: z.string().optional(),
  status: z.enum(['pending', 'accepted', 'completed', 'revoked', 'expired']),
  createdAt: z.string(),
  expiresAt: z.string(),
  accountId: z.string().optional(),
});
export type InviteView = z.infer<typeof InviteView>;

export function inviteView(i: Invite, now: Date): InviteView {
  const expired = (i.status === 'pending' || i.status === 'accepted') && Date.parse(i.expiresAt) <= now.getTime();
  return {
    inviteId: i.id,
    setupId: i.setupId,
    provider: i.provider,
    inviter: i.inviter,
    invitee: i.invitee,
    ...(i.message ? { message: i.message } : {}),
    status: expired ? 'expired' : i.status,
    createdAt: i.createdAt,
    expiresAt: i.expiresAt,
    ...(i.accountId ? { accountId: i.accountId } : {}),
  };
}

