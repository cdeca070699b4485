import { z } from 'zod';
import { AppDetails, AppSetup, AppSetupView, AppView } from '../app-certificate/schema.js';
import { catalogRow } from '../catalog-row.js';

export const EntraDetails = AppDetails.extend({ organization: z.string().optional(), grantedPermissions: z.array(z.string()).default([]) });

export const entraRow = catalogRow({ id: 'entra', label: 'Microsoft Entra ID', details: EntraDetails, setup: { key: 'microsoft', schema: AppSetup, view: AppSetupView }, view: { key: 'microsoft', schema: AppView } });
