import type { AccountOf } from '../../domain/records.js';
import { appFamily, STEPS } from '../app-certificate/kit.js';
import { completeMicrosoftSetup } from '../app-certificate/operations.js';
import { ROTATION_OPERATIONS } from '../app-certificate/rotation.js';
import { getAccessToken } from '../app-certificate/credentials.js';
import { firstAzureCheck, resyncAzure } from './check.js';
import { listAzureSubscriptions, selectAzureSubscriptions } from './operations.js';
import { coverage } from './subscriptions.js';
import { groupNames, scopeView, subscriptionView } from './views.js';

type AzureAccount = AccountOf<'azure'>;

/** Reader, the built-in role cloudlink needs at the management group (or on each subscription). */
export const READER_ROLE_DEFINITION = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';

export const azureFamily = appFamily(
  {
    id: 'azure',
    label: 'Azure',
    shortLabel: 'Azure',
    start: {
      name: 'start_azure_setup',
      title: 'Start linking Azure',
      description:
        'Starts linking an Azure tenant with Reader at a management group (the tenant root group unless managementGroupId names another), or on subscriptions only. Subscriptions are chosen after linking: one by one, by group, or everything under a group.',
    },
    needsOrganization: false,
    acceptsManagementGroup: true,
    checklist: (tenantId) => [
      STEPS.register,
      STEPS.globalReader,
      `Management groups → Tenant Root Group (id ${tenantId}), or the group you gave cloudlink → Access control (IAM) → Add role assignment → Reader (role definition ${READER_ROLE_DEFINITION}) → select the app. Reader at a group covers every subscription below it, including ones added later. (Without access to management groups, Reader on each subscription works too: subscriptions are then chosen one by one.)`,
      'Optional, where wanted: Key Vault Reader (and List/Get access policies for vaults without RBAC), Cost Management Reader, Billing Reader.',
      STEPS.upload,
      'Role assignments can take up to 30 minutes to apply: if no subscriptions show up yet, wait and refresh.',
    ],
    async check(core, cred, app, previous) {
      if (!previous) return firstAzureCheck(core, cred, app);
      const resync = await resyncAzure(core, cred, previous as AzureAccount);
      return { details: {}, patch: (a) => void resync.apply(a), warnings: [] };
    },
    describe(a) {
      const d = (a as AzureAccount).azure;
      const names = groupNames(d);
      const covered = coverage(d.followGroups, d.managementGroups);
      const scope = scopeView(d, d.tenantId);
      const followed = scope?.followed.length ? ` · everything under ${scope.followed.map((g) => g.displayName).join(', ')}` : '';
      return {
        view: { subscriptions: d.subscriptions.map((s) => subscriptionView(d, s, names, covered)), ...(scope ? { managementGroup: scope } : {}) },
        summary: ` · ${d.subscriptions.filter((s) => s.selected).length}/${d.subscriptions.length} subscriptions${followed}`,
        capabilities: ['subscriptions'],
      };
    },
    operations: [listAzureSubscriptions, selectAzureSubscriptions, ...ROTATION_OPERATIONS, getAccessToken],
    tokenScope: 'https://management.azure.com/.default',
  },
  { complete: completeMicrosoftSetup },
);
