import { CloudlinkError } from '../../errors.js';

// AWS's own pattern for an IAM role ARN, every partition, with an optional path.
const ROLE_ARN =
  /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]):iam::([0-9]{12}):role\/((?:[^/][\x21-\x7E]+\/){1,511})?([A-Za-z0-9_+=,.@-]{1,64})$/;

export type RoleArn = { arn: string; partition: string; accountId: string; path: string; roleName: string };

export function parseRoleArn(input: string): RoleArn {
  const arn = input.trim();
  const m = ROLE_ARN.exec(arn);
  if (!m) {
    let hint = 'It looks like arn:aws:iam::123456789012:role/CloudlinkIntegrationRole — copy it from the stack\'s Outputs tab (RoleArn).';
    if (/^arn:[^:]+:sts::/.test(arn)) hint = 'That is an STS assumed-role ARN; use the IAM role ARN from the stack\'s Outputs tab (arn:…:iam::<account>:role/<name>).';
    else if (/^arn:[^:]+:iam::\d{12}:user\//.test(arn)) hint = 'That is an IAM user ARN; cloudlink needs the role the stack created (see its Outputs tab, RoleArn).';
    else if (/^arn:[^:]+:iam::\d{1,11}:|^arn:[^:]+:iam::\d{13,}:/.test(arn)) hint = 'The account id inside an ARN is exactly 12 digits.';
    else if (/\s/.test(arn)) hint = 'Remove the spaces inside the ARN.';
    throw new CloudlinkError('INVALID_INPUT', `"${arn.slice(0, 200)}" is not an IAM role ARN. ${hint}`, { roleArn: `Not an IAM role ARN. ${hint}` });
  }
  return { arn, partition: m[1]!, accountId: m[2]!, path: m[3] ? `/${m[3]}` : '/', roleName: m[4]! };
}

export function roleArn(partition: string, accountId: string, roleName: string) {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

/** The IAM principal to trust, from whatever GetCallerIdentity said about the platform. */
export function principalFromCallerArn(callerArn: string): string {
  // An assumed-role session cannot be named in a trust policy; its role can.
  const m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
  if (m) return `arn:${m[1]}:iam::${m[2]}:role/${m[3]}`;
  return callerArn;
}

export function partitionOf(arn: string): string {
  return /^arn:([^:]+):/.exec(arn)?.[1] ?? 'aws';
}
