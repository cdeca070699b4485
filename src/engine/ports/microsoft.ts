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

/** One management group: its id (the last segment of its resource id), name and parent group. */
export type ManagementGroupInfo = { id: string; displayName: string; parentId?: string };

/**
 * A management group and everything below it, as Resource Manager lists it (`…/descendants`, paged):
 * the groups with their parents, and which group each subscription sits directly in.
 */
export type ManagementGroupDiscovery = {
  /** The group asked for (the tenant root group's id is the tenant id). */
  root: ManagementGroupInfo;
  /** Every group below the root (not the root itself), each with its parent. */
  groups: ManagementGroupInfo[];
  /** Every subscription below the root, with the group it sits directly in. */
  subscriptions: { subscriptionId: string; displayName: string; parentId: string }[];
  /** Requests made, and how many of them Resource Manager throttled (429) and were retried. */
  calls: number;
  throttled: number;
};

export type GraphVerification = {
  /** Application permissions granted to the app (the token's `roles` claim). */
  roles: string[];
  organization?: { id: string; displayName?: string; initialDomain?: string; verifiedDomains: string[] };
};

export interface MicrosoftGateway {
  /** A token for Azure Resource Manager, then GET /subscriptions. */
  listAzureSubscriptions(cred: CertificateCredential): Promise<AzureSubscriptionInfo[]>;
  /**
   * The management group `groupId` and its descendants (Reader at the group, or above it, is needed).
   * Throws a CloudlinkError `MANAGEMENT_GROUP_DENIED` when the app may not read the group, and
   * `MANAGEMENT_GROUP_NOT_FOUND` when there is no such group: callers fall back to subscriptions only.
   */
  discoverManagementGroups(cred: CertificateCredential, groupId: string): Promise<ManagementGroupDiscovery>;
  /** An app-only token for `scope`, its granted roles, and (for Graph) GET /organization. */
  verifyGraph(cred: CertificateCredential, opts: { scope: 'graph' | 'exchange'; readOrganization: boolean }): Promise<GraphVerification>;
  /** An app-only access token for `scope` (`<resource>/.default`), signed in with the certificate. Secret: only for the caller who asked. */
  accessToken(cred: CertificateCredential, scope: string): Promise<AccessToken>;
}

export type AccessToken = { token: string; expiresAt: string };
