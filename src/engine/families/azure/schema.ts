import { z } from 'zod';
import { AppDetails, AppSetup, AppSetupView, AppView } from '../app-certificate/schema.js';
import { catalogRow } from '../catalog-row.js';

export const AzureSubscription = z.object({
  subscriptionId: z.string(),
  displayName: z.string(),
  state: z.string(),
  /** Whether cloudlink covers it: chosen by hand (`pinned`), or under a management group chosen whole. */
  selected: z.boolean(),
  /** Chosen by hand. Absent in stores from before management groups: then it is `selected`. */
  pinned: z.boolean().optional(),
  /** The management group it sits directly in, at the last discovery (absent: not known, or outside the scope). */
  groupId: z.string().optional(),
  /** The last move between groups seen at a resync: when, and the group it left. */
  movedAt: z.string().optional(),
  movedFrom: z.string().optional(),
  /** Set when a refresh no longer sees the subscription: flagged, never silently dropped. */
  missingSince: z.string().optional(),
});
export type AzureSubscription = z.infer<typeof AzureSubscription>;

export const AzureManagementGroup = z.object({ id: z.string(), displayName: z.string(), parentId: z.string().optional() });
export type AzureManagementGroup = z.infer<typeof AzureManagementGroup>;

/** What the last management-group discovery found, or why it could not look. */
export const AzureGroupTree = z.object({
  /** `granted`: the tree below is current; `denied`: the app may not read the group (the tree, if any, is from before). */
  access: z.enum(['granted', 'denied']),
  root: AzureManagementGroup.optional(),
  groups: z.array(AzureManagementGroup).default([]),
  checkedAt: z.string(),
  syncedAt: z.string().optional(),
  error: z.string().optional(),
  calls: z.number().optional(),
  throttled: z.number().optional(),
});
export type AzureGroupTree = z.infer<typeof AzureGroupTree>;

export const AzureDetails = AppDetails.extend({
  subscriptions: z.array(AzureSubscription).default([]),
  /** The management group the app's Reader role is granted at; the tenant root group when absent. */
  managementGroupId: z.string().optional(),
  managementGroups: AzureGroupTree.optional(),
  /** Groups chosen whole ("everything under this group"): what appears under them is selected at each resync. */
  followGroups: z.array(z.string()).default([]),
});

export const azureRow = catalogRow({ id: 'azure', label: 'Azure', details: AzureDetails, setup: { key: 'microsoft', schema: AppSetup, view: AppSetupView }, view: { key: 'microsoft', schema: AppView } });
