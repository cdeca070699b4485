import type { AccountOf } from '../../domain/records.js';
import { appFamily, requireGrantedRole, STEPS } from '../app-certificate/kit.js';
import { completeMicrosoftSetup } from '../app-certificate/operations.js';
import { ROTATION_OPERATIONS } from '../app-certificate/rotation.js';
import { getAccessToken } from '../app-certificate/credentials.js';

const NEED = { scope: 'graph', role: 'AccessReview.Read.All', api: 'Microsoft Graph' } as const;

export const entraFamily = appFamily(
  {
    id: 'entra',
    label: 'Microsoft Entra ID',
    shortLabel: 'Entra ID',
    start: { name: 'start_entra_setup', title: 'Start linking Entra ID', description: 'Starts linking a Microsoft Entra ID tenant (AccessReview.Read.All, Global Reader).' },
    needsOrganization: false,
    checklist: (tenantId, clientId) => [STEPS.register, 'API permissions → Add a permission → Microsoft Graph → Application permissions → AccessReview.Read.All → Add permissions.', STEPS.consent(tenantId, clientId), STEPS.globalReader, STEPS.upload],
    async check(core, cred, app) {
      const v = await requireGrantedRole(core, cred, app, NEED);
      return {
        details: { ...(app.organization ? { organization: app.organization } : {}), grantedPermissions: v.roles },
        patch: (a) => void ((a as AccountOf<'entra'>).entra.grantedPermissions = v.roles),
        warnings: [],
      };
    },
    describe: (a) => ({ view: { grantedPermissions: (a as AccountOf<'entra'>).entra.grantedPermissions }, summary: '', capabilities: [] }),
    operations: [...ROTATION_OPERATIONS, getAccessToken],
    tokenScope: 'https://graph.microsoft.com/.default',
  },
  { complete: completeMicrosoftSetup },
);
