import { CloudlinkError } from '../../engine/errors.js';

type AwsLikeError = Error & { name: string; code?: string; $metadata?: { httpStatusCode?: number }; $fault?: string };

const THROTTLE = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown']);
const PLATFORM_CREDS = new Set([
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'UnrecognizedClientException',
  'CredentialsProviderError',
  'IncompleteSignature',
]);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET']);

export const isAccessDenied = (e: unknown) => (e as AwsLikeError)?.name === 'AccessDenied' || (e as AwsLikeError)?.name === 'AccessDeniedException';
export const isThrottle = (e: unknown) => THROTTLE.has((e as AwsLikeError)?.name);
export const isNetwork = (e: unknown) => {
  const err = e as AwsLikeError & { cause?: { code?: string } };
  return NETWORK.has(err?.code ?? '') || NETWORK.has(err?.cause?.code ?? '') || err?.name === 'TimeoutError' || err?.name === 'AbortError';
};

export type RoleContext = { roleArn: string; externalId: string; principalArn: string; propagating?: boolean };

/** Wording users know from other onboarding products, with the checklist that fixes most cases. */
export function deniedMessage(ctx: RoleContext): string {
  return [
    `AWS says cloudlink is not authorized to perform sts:AssumeRole on ${ctx.roleArn}.`,
    ctx.propagating ? 'The role may still be propagating inside IAM (this takes up to a minute after the stack finishes); try again shortly. If it keeps failing, check:' : 'Check:',
    '• the CloudFormation stack finished (status CREATE_COMPLETE) in the account in the ARN;',
    '• the role name in the ARN is exactly as in the stack\'s Outputs (it is case-sensitive) and has no stray spaces;',
    `• the role's trust policy requires the External ID ${ctx.externalId} (a stack from another setup has another one);`,
    `• the role trusts ${ctx.principalArn}.`,
  ].join('\n');
}

export function mapAwsError(e: unknown, ctx: RoleContext): CloudlinkError {
  if (e instanceof CloudlinkError) return e;
  const err = e as AwsLikeError;
  if (isAccessDenied(e)) return new CloudlinkError('ASSUME_ROLE_DENIED', deniedMessage(ctx), { roleArn: 'AWS refused to let cloudlink assume this role.' });
  if (isThrottle(e)) return new CloudlinkError('CLOUD_THROTTLED', 'AWS is throttling requests right now (rate exceeded). Nothing was stored; try again in a minute.');
  if (PLATFORM_CREDS.has(err?.name)) {
    return new CloudlinkError('PLATFORM_NOT_CONFIGURED', `cloudlink's own AWS credentials were refused (${err.name}). This is not your role's fault: ask the operator to fix the service's AWS credentials.`);
  }
  if (err?.name === 'RegionDisabledException') {
    return new CloudlinkError('CLOUD_ERROR', 'STS is not activated in that region for the account. Activate the region in IAM account settings, or link with region us-east-1.');
  }
  if (isNetwork(e)) return new CloudlinkError('CLOUD_UNREACHABLE', 'cloudlink could not reach AWS (network error or timeout). Nothing was stored; try again in a moment.');
  const status = err?.$metadata?.httpStatusCode;
  if (status && status >= 500) return new CloudlinkError('CLOUD_ERROR', `AWS answered with a server error (HTTP ${status}). Nothing was stored; try again in a moment.`, {}, { transient: true, status });
  return new CloudlinkError('CLOUD_ERROR', `AWS refused the request (${err?.name ?? 'unknown error'}). Nothing was stored; check the role and try again.`);
}

/** What the management account's role needs to read the organization (granted by cloudlink's template). */
export const ORGANIZATIONS_READ_ACTIONS = ['organizations:ListRoots', 'organizations:ListOrganizationalUnitsForParent', 'organizations:ListAccountsForParent'];

/**
 * Organizations errors during discovery, in words for the person linking the organization. `operation`
 * is the API that failed (ListRoots, ListAccountsForParent…), so a missing permission is named.
 */
export function mapOrganizationsError(e: unknown, operation: string, attempts?: number): CloudlinkError {
  if (e instanceof CloudlinkError) return e;
  const err = e as AwsLikeError;
  if (isAccessDenied(e)) {
    return new CloudlinkError(
      'PERMISSION_MISSING',
      `AWS Organizations refused organizations:${operation} to cloudlink's role in the management account, so cloudlink cannot read the organization's accounts. The role needs ${ORGANIZATIONS_READ_ACTIONS.join(', ')} (organizations:List*). Update the management account's cloudlink stack to the current template (it grants them), then try again. Nothing was stored.`,
      {},
      { operation, missing: `organizations:${operation}` },
    );
  }
  if (err?.name === 'AWSOrganizationsNotInUseException') {
    return new CloudlinkError(
      'NOT_ORGANIZATION_MANAGEMENT',
      'This AWS account is not part of an AWS Organization, so there is no organization to link. Link its accounts one by one instead, or create the organization in AWS Organizations first. Nothing was stored.',
    );
  }
  if (isThrottle(e)) {
    return new CloudlinkError(
      'CLOUD_THROTTLED',
      `AWS Organizations kept throttling cloudlink (${err.name} on ${operation}${attempts ? ` after ${attempts} attempts` : ''}). Organizations allows only a few requests per second per account, shared with every other tool using it. Nothing was stored; try again in a few minutes.`,
      {},
      { operation },
    );
  }
  if (err?.name === 'ExpiredToken' || err?.name === 'ExpiredTokenException') {
    return new CloudlinkError('CLOUD_ERROR', 'The session in the management account expired while cloudlink read the organization. Nothing was stored; try again.');
  }
  return mapAwsError(e, { roleArn: '', externalId: '', principalArn: '' });
}
