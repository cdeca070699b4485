import { CloudlinkError } from '../../errors.js';
import type { AccountOf } from '../../domain/records.js';
import { appFamily, STEPS } from '../app-certificate/kit.js';
import { completeMicrosoftSetup } from '../app-certificate/operations.js';
import { listAzureSubscriptions, selectAzureSubscriptions } from './operations.js';
import { mergeSubscriptions } from './subscriptions.js';

type AzureAccount = AccountOf<'azure'>;

export const azureFamily = appFamily(
  {
    id: 'azure',
    label: 'Azure',
    shortLabel: 'Azure',
    start: { name: 'start_azure_setup', title: 'Start linking Azure', description: 'Starts linking an Azure tenant (subscriptions are chosen after linking).' },
    needsOrganization: false,
    checklist: () => [
      STEPS.register,
      STEPS.globalReader,
      'Management groups → your root (or chosen) group → Access control (IAM) → Add role assignment → Reader → select the app. (Or Reader on each subscription.)',
      'Optional, where wanted: Key Vault Reader (and List/Get access policies for vaults without RBAC), Cost Management Reader, Billing Reader.',
      STEPS.upload,
      'Role assignments can take up to 30 minutes to apply: if no subscriptions show up yet, wait and refresh.',
    ],
    async check(core, cred, app, previous) {
      const found = await core.gateways.microsoft.listAzureSubscriptions(cred);
      if (!found.length) {
        throw new CloudlinkError('NO_SUBSCRIPTIONS', `The app signed in, but it sees no subscriptions in tenant ${app.tenantId}: it lacks the Reader role. Assign Reader at the management group (or on each subscription). Role assignments can take up to 30 minutes to apply; try again after that.`);
      }
      const now = core.now();
      const before = previous ? (previous as AzureAccount).azure.subscriptions : [];
      const subscriptions = mergeSubscriptions(before, found, now, !previous);
      return {
        details: { subscriptions },
        patch: (a) => {
          const az = (a as AzureAccount).azure;
          az.subscriptions = mergeSubscriptions(az.subscriptions, found, now, false);
        },
        warnings: [],
        note: `${subscriptions.filter((s) => s.selected).length} of ${subscriptions.length} subscriptions selected.`,
      };
    },
    describe(a) {
      const subs = (a as AzureAccount).azure.subscriptions;
      return {
        view: { subscriptions: subs.map((s) => ({ subscriptionId: s.subscriptionId, displayName: s.displayName, state: s.state, selected: s.selected, missing: Boolean(s.missingSince) })) },
        summary: ` · ${subs.filter((s) => s.selected).length}/${subs.length} subscriptions`,
        capabilities: ['subscriptions'],
      };
    },
    operations: [listAzureSubscriptions, selectAzureSubscriptions],
  },
  { complete: completeMicrosoftSetup },
);
