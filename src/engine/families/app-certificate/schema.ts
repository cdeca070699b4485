import { z } from 'zod';
import { ActorRef, StoredCertificate } from '../../domain/base.js';

/**
 * A certificate renewal under way: the new key pair, sealed like the working one. The account keeps
 * signing in with `certificate` until the new one has signed in for real; then they switch and the
 * old key is dropped. Cancelled or abandoned, it is simply removed: the working link never changes.
 */
export const PendingRotation = z.object({
  certificate: StoredCertificate,
  startedAt: z.string(),
  startedBy: ActorRef,
});
export type PendingRotation = z.infer<typeof PendingRotation>;

/** What the app-registration kit stores: shared by every family that signs in with a certificate (Azure, M365, Entra ID). */
export const AppDetails = z.object({
  tenantId: z.string(),
  clientId: z.string(),
  certificate: StoredCertificate,
  rotation: PendingRotation.optional(),
  /** Which expiry notices (days before `notAfter`) went out for the certificate with this thumbprint: each once. */
  expiryNotices: z.object({ thumbprint: z.string(), days: z.array(z.number()) }).optional(),
});

export const AppSetup = z.object({
  tenantId: z.string(),
  clientId: z.string(),
  organization: z.string().optional(),
  /** Azure: the management group the app's Reader role is granted at (the tenant root group when absent). */
  managementGroupId: z.string().optional(),
  /** The key is dropped once the setup linked its account: the account holds it from then on. */
  certificate: StoredCertificate.extend({ encryptedKey: StoredCertificate.shape.encryptedKey.optional() }),
});
export type AppSetup = z.infer<typeof AppSetup>;

export const SubscriptionView = z.object({
  subscriptionId: z.string(),
  displayName: z.string(),
  state: z.string(),
  selected: z.boolean(),
  missing: z.boolean(),
  /** The management group it sits directly in, when cloudlink can read the groups. */
  group: z.object({ id: z.string(), displayName: z.string() }).optional(),
  /** Selected because it is under a group chosen whole (not chosen by hand). */
  throughGroup: z.boolean().optional(),
  /** The last move between groups seen at a resync. */
  moved: z.object({ at: z.string(), from: z.string() }).optional(),
  missingSince: z.string().optional(),
});
export type SubscriptionView = z.infer<typeof SubscriptionView>;

export const ManagementGroupScopeView = z.object({
  id: z.string().describe('The management group the Reader role is granted at (the tenant root group by default; its id is the tenant id).'),
  displayName: z.string().optional(),
  access: z.enum(['granted', 'denied']).describe('denied: the app may not read the group; subscriptions are then chosen one by one.'),
  error: z.string().optional(),
  syncedAt: z.string().optional(),
  groups: z.number().describe('Management groups below it.'),
  followed: z.array(z.object({ id: z.string(), displayName: z.string() })).describe('Groups chosen whole: what appears under them is selected at each resync.'),
});

export const RotationView = z.object({
  certificateThumbprint: z.string(),
  certificateExpiresAt: z.string(),
  certificatePem: z.string().describe('The new public certificate to upload beside the current one.'),
  startedAt: z.string(),
  startedBy: ActorRef,
});
export type RotationView = z.infer<typeof RotationView>;

export const AppView = z.object({
  tenantId: z.string(),
  clientId: z.string(),
  organization: z.string().optional(),
  certificateThumbprint: z.string(),
  certificateExpiresAt: z.string(),
  rotation: RotationView.optional().describe('A certificate renewal under way: the current certificate stays in use until the new one signs in.'),
  subscriptions: z.array(SubscriptionView).optional(),
  managementGroup: ManagementGroupScopeView.optional(),
  grantedPermissions: z.array(z.string()).optional(),
});
export type AppView = z.infer<typeof AppView>;

export const AppSetupView = z.object({
  tenantId: z.string(),
  clientId: z.string(),
  organization: z.string().optional(),
  managementGroupId: z.string().optional(),
  certificatePem: z.string(),
  certificateThumbprint: z.string(),
  certificateExpiresAt: z.string(),
});
