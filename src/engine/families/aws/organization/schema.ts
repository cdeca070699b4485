import { z } from 'zod';
import { ActorRef, AwsAccountId } from '../../../domain/base.js';

/**
 * A linked AWS Organization: its tree as last discovered, the filter that says which members to link,
 * and every member's state. Members are never dropped: a removed or suspended account is flagged.
 */
export const MemberState = z.enum(['linked', 'waiting_for_role', 'role_missing', 'access_denied', 'suspended', 'excluded', 'removed', 'error']);
export type MemberState = z.infer<typeof MemberState>;

export const OrgNodeRecord = z.object({ id: z.string(), name: z.string(), kind: z.enum(['root', 'ou']), parentId: z.string().optional() });

export const OrgMember = z.object({
  accountId: AwsAccountId,
  name: z.string(),
  email: z.string(),
  /** Organizations' own status: ACTIVE, SUSPENDED, PENDING_CLOSURE. */
  status: z.string(),
  joinedMethod: z.string().optional(),
  joinedAt: z.string().optional(),
  parentId: z.string(),
  state: MemberState,
  /** What happened, and what to do about it, in words for the person who owns the account. */
  reason: z.string().optional(),
  fix: z.string().optional(),
  /** The cloudlink account that links it, once linked. */
  linkedAccountId: z.string().optional(),
  /** Excluded by hand (not by an OU filter). */
  excludedByHand: z.boolean().optional(),
  firstSeenAt: z.string(),
  changedAt: z.string(),
  lastTriedAt: z.string().optional(),
});
export type OrgMember = z.infer<typeof OrgMember>;

export const OrgFilter = z.object({
  /** Roots or OUs whose accounts (their children's too) are linked; empty: the whole organization. */
  includeOus: z.array(z.string()).default([]),
  excludeOus: z.array(z.string()).default([]),
  excludeAccounts: z.array(AwsAccountId).default([]),
});
export type OrgFilter = z.infer<typeof OrgFilter>;

export const Organization = z.object({
  id: z.string(),
  provider: z.literal('aws'),
  /** The cloudlink id of the linked management account it was discovered through. */
  managementAccountId: z.string(),
  awsOrganizationId: z.string().optional(),
  rootId: z.string().optional(),
  /** The members' External ID, set on the StackSet that creates their roles. One per organization. */
  externalId: z.string(),
  memberRoleName: z.string(),
  stackSetName: z.string(),
  region: z.string(),
  filter: OrgFilter,
  nodes: z.array(OrgNodeRecord).default([]),
  members: z.array(OrgMember).default([]),
  createdBy: ActorRef,
  createdAt: z.string(),
  syncedAt: z.string().optional(),
  lastSync: z.object({ at: z.string(), calls: z.number(), ms: z.number(), error: z.string().optional() }).optional(),
});
export type Organization = z.infer<typeof Organization>;
