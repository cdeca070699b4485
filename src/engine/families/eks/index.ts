import { z } from 'zod';
import { AccountName, AwsAccountId, AwsRegion, type AccountOf } from '../../domain/records.js';
import { roleFamily } from '../aws-role/kit.js';
import { completeAwsSetup, watchSetup } from '../aws-role/operations.js';
import { getAwsCredentials } from '../aws-role/credentials.js';
import { listAwsProfiles } from '../aws-role/profiles.js';

const StartInput = z
  .object({
    name: AccountName.optional().describe('Display name for the account (1–64 characters, unique).'),
    accountId: AwsAccountId.optional().describe('The 12-digit AWS account id, if known: cloudlink then watches for the role and finishes the link by itself.'),
    region: AwsRegion.optional().describe('Region to open the CloudFormation console in (IAM is global; any works).'),
    clusterName: z.string().regex(/^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/, 'must be an EKS cluster name').optional().describe('A cluster to grant view-only Kubernetes access to.'),
  })
  .strict();

export const eksFamily = roleFamily(
  {
    id: 'eks',
    label: 'Amazon EKS',
    shortLabel: 'EKS',
    template: 'eks',
    roleNamePrefix: 'CloudlinkEks',
    start: {
      name: 'start_eks_setup',
      title: 'Start linking Amazon EKS',
      description: 'Starts linking an AWS account for Amazon EKS: External ID, EKS CloudFormation template (optionally granting view-only Kubernetes access to one cluster), quick-create link and instructions.',
      input: StartInput,
    },
    linkForm: async () => ({ provider: 'eks', title: 'Link Amazon EKS', intro: '', fields: [], submitLabel: 'Next' }),
    inviteOptions: () => [{ value: 'eks:management', label: 'Amazon EKS', provider: 'eks', start: {} }],
    startRules: (_db, input) => ({ kind: 'management', ...(typeof input.clusterName === 'string' ? { clusterName: input.clusterName } : {}) }),
    details: (_db, setup, base) => ({ ...base, ...(setup.aws.clusterName ? { clusterName: setup.aws.clusterName } : {}) }),
    what: () => 'an AWS account for Amazon EKS',
    where: () => 'the AWS account to link',
    extraInstructions: (setup) =>
      setup.aws.clusterName
        ? []
        : ["EKS: the IAM role alone does not grant Kubernetes API access. Give a ClusterName parameter to create a view-only access entry, or add the role to the cluster's access entries with AmazonEKSViewPolicy."],
    describe(account) {
      const e = (account as AccountOf<'eks'>).eks;
      return { view: e.clusterName ? { clusterName: e.clusterName } : {}, summary: e.clusterName ? ` · cluster ${e.clusterName}` : '' };
    },
    revokeExtra: () => [],
  },
  { complete: completeAwsSetup, operations: [watchSetup, getAwsCredentials, listAwsProfiles] },
);
