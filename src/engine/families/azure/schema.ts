import { z } from 'zod';
import { AppDetails, AppSetup, AppSetupView, AppView } from '../app-certificate/schema.js';
import { catalogRow } from '../catalog-row.js';

export const AzureSubscription = z.object({
  subscriptionId: z.string(),
  displayName: z.string(),
  state: z.string(),
  selected: z.boolean(),
  /** Set when a refresh no longer sees the subscription: flagged, never silently dropped. */
  missingSince: z.string().optional(),
});
export type AzureSubscription = z.infer<typeof AzureSubscription>;

export const AzureDetails = AppDetails.extend({ subscriptions: z.array(AzureSubscription).default([]) });

export const azureRow = catalogRow({ id: 'azure', label: 'Azure', details: AzureDetails, setup: { key: 'microsoft', schema: AppSetup, view: AppSetupView }, view: { key: 'microsoft', schema: AppView } });
