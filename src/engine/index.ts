import type { EngineContext } from './context.js';
import { listAudit } from './operations/audit-log.js';
import { checkAccount, checkAll, listConfigurationErrors } from './operations/check-accounts.js';
import { checkAwsCompletion, completeAwsSetup } from './operations/complete-aws-setup.js';
import { deleteAccount, prepareDelete } from './operations/delete-account.js';
import { claimInviteNotification, unnotifiedInvites } from './operations/invite-notifications.js';
import { acceptInvite, createInvite, listInvites, revokeInvite } from './operations/invites.js';
import { getAccount, listAccounts } from './operations/list-accounts.js';
import { renameAccount } from './operations/rename-account.js';
import { getSetupStatus, setupDetails } from './operations/setup-status.js';
import { startAwsSetup, watchSetup } from './operations/start-aws-setup.js';
import { listAzureSubscriptions, selectAzureSubscriptions } from './operations/azure-subscriptions.js';
import { completeMicrosoftSetup, microsoftSetupDetails, startMicrosoftSetup } from './operations/microsoft-setups.js';
import type { Actor } from './schemas.js';
import { SetupWatcher } from './watcher.js';

type Op<R> = (ctx: EngineContext, actor: Actor, input: unknown) => Promise<R>;
const bind =
  <R>(ctx: EngineContext, op: Op<R>) =>
  (actor: Actor, input: unknown = {}) =>
    op(ctx, actor, input);

/**
 * The integration engine: every operation takes an actor (who, from which front end, with which role)
 * and raw input, validates it, enforces the rules and records the change. It knows nothing of Slack
 * or MCP.
 */
export function createEngine(ctx: EngineContext) {
  return {
    ctx,
    events: ctx.events,
    watcher: new SetupWatcher(ctx),
    listAccounts: bind(ctx, listAccounts),
    getAccount: bind(ctx, getAccount),
    startAwsSetup: bind(ctx, startAwsSetup),
    checkAwsCompletion: bind(ctx, checkAwsCompletion),
    completeAwsSetup: bind(ctx, completeAwsSetup),
    watchSetup: bind(ctx, watchSetup),
    getSetupStatus: bind(ctx, getSetupStatus),
    setupDetails: (_actor: Actor, setupId: string) => setupDetails(ctx, setupId),
    startMicrosoftSetup: bind(ctx, startMicrosoftSetup),
    completeMicrosoftSetup: bind(ctx, completeMicrosoftSetup),
    listAzureSubscriptions: bind(ctx, listAzureSubscriptions),
    selectAzureSubscriptions: bind(ctx, selectAzureSubscriptions),
    renameAccount: bind(ctx, renameAccount),
    prepareDelete: bind(ctx, prepareDelete),
    deleteAccount: bind(ctx, deleteAccount),
    createInvite: bind(ctx, createInvite),
    acceptInvite: bind(ctx, acceptInvite),
    listInvites: bind(ctx, listInvites),
    revokeInvite: bind(ctx, revokeInvite),
    checkAccount: bind(ctx, checkAccount),
    checkAll: (actor: Actor) => checkAll(ctx, actor),
    listConfigurationErrors: (actor: Actor) => listConfigurationErrors(ctx, actor),
    listAudit: bind(ctx, listAudit),
    claimInviteNotification: (inviteId: string) => claimInviteNotification(ctx, inviteId),
    unnotifiedInvites: () => unnotifiedInvites(ctx),
  };
}
export type Engine = ReturnType<typeof createEngine>;
