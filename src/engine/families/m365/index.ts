import { CloudlinkError } from '../../errors.js';
import type { AccountOf } from '../../domain/records.js';
import { appFamily, requireGrantedRole, STEPS } from '../app-certificate/kit.js';
import { completeMicrosoftSetup } from '../app-certificate/operations.js';
import { ROTATION_OPERATIONS } from '../app-certificate/rotation.js';
import { getAccessToken } from '../app-certificate/credentials.js';

/**
 * Exchange Online app-only access: Microsoft now documents Exchange.ManageAsAppV2 (the Exchange Online
 * Admin API); apps granted the older Exchange.ManageAsApp (app-only PowerShell) keep working. Either
 * is accepted; the checklist names the current one.
 */
export const EXCHANGE_ROLE = 'Exchange.ManageAsAppV2';
export const EXCHANGE_ROLE_OLDER = 'Exchange.ManageAsApp';
const NEED = { scope: 'exchange', role: EXCHANGE_ROLE, also: [EXCHANGE_ROLE_OLDER], api: 'Office 365 Exchange Online' } as const;

export const m365Family = appFamily(
  {
    id: 'm365',
    label: 'Microsoft 365',
    shortLabel: 'Microsoft 365',
    start: { name: 'start_m365_setup', title: 'Start linking Microsoft 365', description: 'Starts linking a Microsoft 365 organization (Office 365 Exchange Online Exchange.ManageAsAppV2, or the older Exchange.ManageAsApp; Global Reader).' },
    needsOrganization: true,
    checklist: (tenantId, clientId) => [
      STEPS.register,
      `API permissions → Add a permission → APIs my organization uses → Office 365 Exchange Online → Application permissions → ${EXCHANGE_ROLE} → Add permissions. (An app that already has the older ${EXCHANGE_ROLE_OLDER} works too.)`,
      STEPS.consent(tenantId, clientId),
      STEPS.globalReader,
      STEPS.upload,
      'Scans need every user to hold an O365_BUSINESS_PREMIUM licence; missing licences make scans fail.',
    ],
    async check(core, cred, app) {
      const v = await requireGrantedRole(core, cred, app, NEED);
      const warnings: string[] = [];
      const organization = app.organization;
      if (organization) {
        if (!v.organization) warnings.push(`cloudlink could not read the organization to confirm ${organization}: assign the app the Global Reader role.`);
        else if (!v.organization.verifiedDomains.map((d) => d.toLowerCase()).includes(organization)) {
          throw new CloudlinkError('INVALID_INPUT', `The organization ${organization} does not belong to tenant ${app.tenantId}; its organization id is ${v.organization.initialDomain ?? v.organization.verifiedDomains[0]}. Start a new setup with that organization id.`, { organization: "Not this tenant's organization." });
        }
      }
      return {
        details: { organization: organization ?? '', grantedPermissions: v.roles },
        patch: (a) => void ((a as AccountOf<'m365'>).m365.grantedPermissions = v.roles),
        warnings,
      };
    },
    describe: (a) => ({ view: { grantedPermissions: (a as AccountOf<'m365'>).m365.grantedPermissions }, summary: '', capabilities: [] }),
    operations: [...ROTATION_OPERATIONS, getAccessToken],
    tokenScope: 'https://outlook.office365.com/.default',
  },
  { complete: completeMicrosoftSetup },
);
