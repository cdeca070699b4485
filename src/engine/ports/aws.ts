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

export interface AwsGateway {
  /** The IAM principal customers must trust (configured, or learnt from STS GetCallerIdentity). */
  platformPrincipalArn(): Promise<string>;
  /**
   * AssumeRole with the External ID (retrying AccessDenied for `retryForMs` while IAM propagates),
   * GetCallerIdentity with the assumed credentials, a second AssumeRole without the External ID (to
   * prove the trust policy demands it), and the organization the account belongs to.
   */
  verifyRole(input: { roleArn: string; externalId: string; region: string; retryForMs: number }): Promise<VerifiedRole>;
  describeStack(session: AwsSession, stackName: string, region: string): Promise<StackDescription | null>;
}
