import { z } from 'zod';
import { AwsAccountId } from '../../domain/base.js';

/** What the CloudFormation-role kit stores: shared by every family whose access is an IAM role (AWS, EKS). */
export const StackInfo = z.object({
  name: z.string(),
  status: z.string().optional(),
  outputs: z.record(z.string(), z.string()).default({}),
  region: z.string(),
  checkedAt: z.string(),
});

export const RoleDetails = z.object({
  accountId: AwsAccountId,
  roleArn: z.string(),
  partition: z.string(),
  externalId: z.string(),
  templateVersion: z.string(),
  stack: StackInfo.optional(),
});
export type RoleDetails = z.infer<typeof RoleDetails>;

export const RoleSetup = z.object({
  kind: z.enum(['management', 'linked']).default('management'),
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
  /** Management accounts: the member role rolled out by a StackSet in the same stack. */
  rollout: z.object({ ouIds: z.array(z.string()), externalId: z.string(), memberRoleName: z.string() }).optional(),
});
export type RoleSetup = z.infer<typeof RoleSetup>;

/** What readers see of a role-based account. The External ID only for readers who may link. */
export const RoleView = z.object({
  kind: z.enum(['management', 'linked']).optional(),
  accountId: z.string(),
  roleArn: z.string(),
  externalId: z.string().optional().describe('Present for readers who may link accounts.'),
  templateVersion: z.string(),
  organizationId: z.string().optional(),
  managementAccountName: z.string().optional(),
  clusterName: z.string().optional(),
  stack: z.object({ name: z.string(), status: z.string().optional(), region: z.string() }).optional(),
});
export type RoleView = z.infer<typeof RoleView>;

export const RoleSetupView = z.object({
  kind: z.enum(['management', 'linked']),
  externalId: z.string().optional().describe('Present for the setup\'s starter, its invitee and readers who may link.'),
  trustedPrincipalArn: z.string(),
  region: z.string(),
  stackName: z.string(),
  roleName: z.string(),
  awsAccountId: z.string().optional(),
  expectedRoleArn: z.string().optional(),
  watching: z.boolean(),
  lastWatchError: z.string().optional(),
  templateVersion: z.string(),
});
