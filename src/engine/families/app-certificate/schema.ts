import { z } from 'zod';
import { StoredCertificate } from '../../domain/base.js';

/** What the app-registration kit stores: shared by every family that signs in with a certificate (Azure, M365, Entra ID). */
export const AppDetails = z.object({
  tenantId: z.string(),
  clientId: z.string(),
  certificate: StoredCertificate,
});

export const AppSetup = z.object({
  tenantId: z.string(),
  clientId: z.string(),
  organization: z.string().optional(),
  certificate: StoredCertificate,
});
export type AppSetup = z.infer<typeof AppSetup>;

export const SubscriptionView = z.object({
  subscriptionId: z.string(),
  displayName: z.string(),
  state: z.string(),
  selected: z.boolean(),
  missing: z.boolean(),
});
export type SubscriptionView = z.infer<typeof SubscriptionView>;

export const AppView = z.object({
  tenantId: z.string(),
  clientId: z.string(),
  organization: z.string().optional(),
  certificateThumbprint: z.string(),
  certificateExpiresAt: z.string(),
  subscriptions: z.array(SubscriptionView).optional(),
  grantedPermissions: z.array(z.string()).optional(),
});
export type AppView = z.infer<typeof AppView>;

export const AppSetupView = z.object({
  tenantId: z.string(),
  clientId: z.string(),
  organization: z.string().optional(),
  certificatePem: z.string(),
  certificateThumbprint: z.string(),
  certificateExpiresAt: z.string(),
});
