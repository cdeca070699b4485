/**
 * What the engine needs from Microsoft's clouds. Credentials are built from the setup's certificate
 * inside the gateway; the private key is handed over decrypted only for the length of one call.
 */
export type CertificateCredential = {
  tenantId: string;
  clientId: string;
  /** Certificate and private key, PEM: in memory only, never logged. */
  pem: string;
};

export type AzureSubscriptionInfo = { subscriptionId: string; displayName: string; state: string; tenantId?: string };

export type GraphVerification = {
  /** Application permissions granted to the app (the token's `roles` claim). */
  roles: string[];
  organization?: { id: string; displayName?: string; initialDomain?: string; verifiedDomains: string[] };
};

export interface MicrosoftGateway {
  /** A token for Azure Resource Manager, then GET /subscriptions. */
  listAzureSubscriptions(cred: CertificateCredential): Promise<AzureSubscriptionInfo[]>;
  /** An app-only token for `scope`, its granted roles, and (for Graph) GET /organization. */
  verifyGraph(cred: CertificateCredential, opts: { scope: 'graph' | 'exchange'; readOrganization: boolean }): Promise<GraphVerification>;
}
