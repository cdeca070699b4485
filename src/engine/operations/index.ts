import type { FamilyTable } from '../families/types.js';
import type { AnyOperation } from '../registry/operation.js';
import { getAccount, listAccounts } from './accounts.js';
import { getAuditLog } from './audit-log.js';
import { deleteAccount } from './delete-account.js';
import { checkAccount, checkAllAccounts, listConfigurationErrors } from './health.js';
import { acceptInvite, getInviteOptions, inviteColleague, listInvites, revokeInvite } from './invites.js';
import { INVITE_LINK_OPERATIONS } from './invite-links.js';
import { renameAccount } from './rename-account.js';
import { getLinkForm, getSetupHandout, getSetupStatus } from './setups.js';
import { listViewers, rememberViewer } from './viewers.js';
import { listSetups } from './list-setups.js';
import { WEBHOOK_OPERATIONS } from '../webhooks/operations.js';

/** The operations every deployment has, whatever its providers. */
export const CORE_OPERATIONS: AnyOperation[] = [
  listAccounts,
  getAccount,
  getSetupStatus,
  getSetupHandout,
  listSetups,
  getLinkForm,
  renameAccount,
  deleteAccount,
  getInviteOptions,
  inviteColleague,
  acceptInvite,
  listInvites,
  revokeInvite,
  ...INVITE_LINK_OPERATIONS,
  checkAccount,
  checkAllAccounts,
  listConfigurationErrors,
  getAuditLog,
  rememberViewer,
  listViewers,
  ...WEBHOOK_OPERATIONS,
];

/** The registry: the core operations and each family's, once each (families of one kit share some). */
export function allOperations(families: FamilyTable): AnyOperation[] {
  const byName = new Map<string, AnyOperation>();
  for (const op of [...CORE_OPERATIONS, ...families.all().flatMap((f) => [f.start, f.complete, ...f.operations])]) {
    const seen = byName.get(op.name);
    if (seen && seen !== op) throw new Error(`two operations are called ${op.name}`);
    byName.set(op.name, op);
  }
  return [...byName.values()];
}
