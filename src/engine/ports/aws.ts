/**
 * What the engine needs from AWS. The engine holds the rules; a gateway only talks to AWS and turns
 * its errors into CloudlinkErrors. Sessions hold temporary credentials: opaque, never logged.
 */
export type AwsSession = { readonly __brand: 'AwsSession' };

export type OrganizationInfo =
  | { state: 'member'; id: string; managementAccountId: string }
  | { state: 'none' }
  | { state: 'unknown'; reason: string };

export type VerifiedRole = {
  accountId: string;
  callerArn: string;
  organization: OrganizationInfo;
  session: AwsSession;
};

export type StackDescription = { status?: string; outputs: Record<string, string> };

export interface AwsGateway extends AwsOrganizationsGateway {
  /** The IAM principal customers must trust (configured, or learnt from STS GetCallerIdentity). */
  platformPrincipalArn(): Promise<string>;
  /**
   * AssumeRole with the External ID (retrying AccessDenied for `retryForMs` while IAM propagates),
   * GetCallerIdentity with the assumed credentials, a second AssumeRole without the External ID (to
   * prove the trust policy demands it), and the organization the account belongs to.
   */
  verifyRole(input: { roleArn: string; externalId: string; region: string; retryForMs: number; skipOrganization?: boolean }): Promise<VerifiedRole>;
  describeStack(session: AwsSession, stackName: string, region: string): Promise<StackDescription | null>;
  /**
   * One AssumeRole with the External ID, for a caller who asked for credentials (no propagation wait,
   * no probe). Errors never carry the External ID: their text may reach the person who asked.
   */
  assumeRole(input: AssumeRoleRequest): Promise<TemporaryCredentials>;
}

export type AssumeRoleRequest = {
  roleArn: string;
  externalId: string;
  region: string;
  sessionName: string;
  durationSeconds: number;
  /** An inline session policy (JSON): the credentials can do at most what both it and the role allow. */
  policy?: string;
};

/** Temporary credentials as STS hands them out. Secret: only ever returned to the caller who asked. */
export type TemporaryCredentials = { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string };

/** An organization's structure as AWS Organizations reports it. */
export type OrgNode = { id: string; name: string; kind: 'root' | 'ou'; parentId?: string };
export type OrgAccount = {
  id: string;
  name: string;
  email: string;
  /** ACTIVE, SUSPENDED or PENDING_CLOSURE (Organizations' Status). */
  status: string;
  joinedMethod?: string;
  joinedAt?: string;
  /** The root or OU the account sits in directly. */
  parentId: string;
};
export type OrgDiscovery = { rootId: string; nodes: OrgNode[]; accounts: OrgAccount[]; calls: number };

/** One StackSet instance: where the member role is (being) deployed, and how that went. */
export type StackInstance = { accountId: string; status: string; detailedStatus?: string; reason?: string };

/**
 * What the engine needs from AWS for a whole organization. Implementations page every list (pages
 * hold at most 20 items and may be empty before the last), rate-limit themselves and back off on
 * TooManyRequestsException, and count the calls they made.
 */
export interface AwsOrganizationsGateway {
  /** AssumeRole into the management account (with its External ID): the session discovery runs as. */
  openSession(input: { roleArn: string; externalId: string; region: string }): Promise<AwsSession>;
  /** Roots, every OU below them (ListOrganizationalUnitsForParent) and the accounts directly in each (ListAccountsForParent). */
  discoverOrganization(session: AwsSession): Promise<OrgDiscovery>;
  /** The StackSet's instances (service-managed, in the management account); null when there is no such StackSet or no permission to read it. */
  listStackInstances(session: AwsSession, stackSetName: string, region: string): Promise<StackInstance[] | null>;
}
