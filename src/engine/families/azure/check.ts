import type { EngineCore } from '../../context.js';
import { CloudlinkError } from '../../errors.js';
import type { Account, AccountOf } from '../../domain/records.js';
import type { CertificateCredential, ManagementGroupDiscovery } from '../../ports/microsoft.js';
import type { AppCheck } from '../app-certificate/kit.js';
import { mergeSubscriptions, nextTree, type SubscriptionChanges } from './subscriptions.js';

type AzureAccount = AccountOf<'azure'>;
type AzureApp = { tenantId: string; managementGroupId?: string };

/**
 * One look at the tenant: the subscriptions the app can see (GET /subscriptions), and the management
 * group it was granted Reader at with everything below it (the tenant root group by default). No access
 * to the groups is not an error: the account then works with subscriptions chosen one by one.
 */
export async function lookAtTenant(core: EngineCore, cred: CertificateCredential, app: AzureApp) {
  const gw = core.gateways.microsoft;
  const groupId = app.managementGroupId ?? app.tenantId;
  const found = await gw.listAzureSubscriptions(cred);
  let discovery: ManagementGroupDiscovery | undefined;
  let groupError: string | undefined;
  try {
    discovery = await gw.discoverManagementGroups(cred, groupId);
  } catch (e) {
    if (!(e instanceof CloudlinkError && (e.code === 'MANAGEMENT_GROUP_DENIED' || e.code === 'MANAGEMENT_GROUP_NOT_FOUND'))) throw e;
    groupError = e.message;
  }
  if (!found.length) {
    throw new CloudlinkError(
      'NO_SUBSCRIPTIONS',
      `The app signed in, but it sees no subscriptions in tenant ${app.tenantId}: it lacks the Reader role. Assign Reader at the management group${app.managementGroupId ? ` ${app.managementGroupId}` : ' (the tenant root group covers every subscription)'}, or on each subscription. Role assignments can take up to 30 minutes to apply; try again after that.`,
    );
  }
  return { found, discovery, groupError };
}

/** The resync of an existing account, applied inside the write that records it; says what changed. */
export type AzureResync = { apply(a: Account): SubscriptionChanges; groupError?: string };

export async function resyncAzure(core: EngineCore, cred: CertificateCredential, account: AzureAccount): Promise<AzureResync> {
  const look = await lookAtTenant(core, cred, { tenantId: account.azure.tenantId, ...(account.azure.managementGroupId ? { managementGroupId: account.azure.managementGroupId } : {}) });
  const now = core.now();
  return {
    ...(look.groupError ? { groupError: look.groupError } : {}),
    apply(a) {
      const az = (a as AzureAccount).azure;
      az.managementGroups = nextTree(az.managementGroups, look.discovery, look.groupError, now);
      const merged = mergeSubscriptions(az.subscriptions, look.found, now, false, { ...(look.discovery ? { discovery: look.discovery } : {}), tree: az.managementGroups, followed: az.followGroups });
      az.subscriptions = merged.subscriptions;
      return merged.changes;
    },
  };
}

/** The first link: every enabled subscription is selected; the groups are read when the app may. */
export async function firstAzureCheck(core: EngineCore, cred: CertificateCredential, app: AzureApp): Promise<AppCheck> {
  const look = await lookAtTenant(core, cred, app);
  const now = core.now();
  const managementGroups = nextTree(undefined, look.discovery, look.groupError, now);
  const { subscriptions } = mergeSubscriptions([], look.found, now, true, { ...(look.discovery ? { discovery: look.discovery } : {}), tree: managementGroups, followed: [] });
  const groups = look.discovery ? ` Management group ${look.discovery.root.displayName}: ${look.discovery.groups.length} group${look.discovery.groups.length === 1 ? '' : 's'} below it; choose subscriptions by group, or everything under a group.` : ' cloudlink cannot read the management groups (Reader is on subscriptions only), so subscriptions are chosen one by one.';
  return {
    details: { subscriptions, ...(app.managementGroupId ? { managementGroupId: app.managementGroupId } : {}), managementGroups, followGroups: [] },
    patch: () => undefined,
    warnings: [],
    note: `${subscriptions.filter((s) => s.selected).length} of ${subscriptions.length} subscriptions selected.${groups}`,
  };
}
