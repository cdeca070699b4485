import { z } from 'zod';
import { AppDetails, AppSetup, AppSetupView, AppView } from '../app-certificate/schema.js';
import { catalogRow } from '../catalog-row.js';

export const M365Details = AppDetails.extend({ organization: z.string(), grantedPermissions: z.array(z.string()).default([]) });

export const m365Row = catalogRow({ id: 'm365', label: 'Microsoft 365', details: M365Details, setup: { key: 'microsoft', schema: AppSetup, view: AppSetupView }, view: { key: 'microsoft', schema: AppView } });
