import { App } from '@slack/bolt';
import type { AppOptions } from '@slack/bolt';
import type { SlackDeps } from './deps.js';
import { subscribeHomes } from './home.js';
import { accountOverflow } from './listeners/actions/account-overflow.js';
import { homeAddAccount, homeInvite, homeRefresh } from './listeners/actions/home-buttons.js';
import { linkChoiceAction, linkProviderAction } from './listeners/actions/link.js';
import { inviteDone, reopenSetupAction, revokeInviteAction } from './listeners/actions/setups.js';
import { subscriptionsAddOptions, subscriptionsFilter, subscriptionsGroupOptions, subscriptionsPage, subscriptionsRefresh, subscriptionsRemoveOptions, subscriptionsSearch } from './listeners/actions/subscriptions.js';
import { certificateRenew, certificateRenewCancel } from './listeners/actions/certificate.js';
import { certificateRenewFinish, certificateRenewStart } from './listeners/views/certificate-renew-submit.js';
import { linkOrganizationChoice, organizationLink, organizationOpen, organizationResync, organizationUnlink } from './listeners/actions/organization.js';
import { homePage, homeSearch, homeSearchClear, listPage } from './listeners/actions/paging.js';
import { cloudCommand } from './listeners/commands/cloud.js';
import { appHomeOpened } from './listeners/events/app-home-opened.js';
import { certificateCompleteSubmit } from './listeners/views/certificate-submit.js';
import { deleteSubmit } from './listeners/views/delete-submit.js';
import { inviteSubmit } from './listeners/views/invite-submit.js';
import { homeSearchSubmit } from './listeners/views/home-search-submit.js';
import { linkFormSubmit } from './listeners/views/link-form-submit.js';
import { organizationUnlinkSubmit } from './listeners/views/org-unlink-submit.js';
import { renameSubmit } from './listeners/views/rename-submit.js';
import { roleSetupSubmit } from './listeners/views/role-setup-submit.js';
import { subscriptionsSubmit } from './listeners/views/subscriptions-submit.js';
import { webhookDeleteAction } from './listeners/actions/webhooks.js';
import { webhookDeleteSubmit } from './listeners/views/webhook-delete-submit.js';

/** The Slack front end: Bolt and the listeners. The receiver only carries transport; the engine does the work. */
type Listener = (deps: SlackDeps) => (args: never) => Promise<unknown>;

/** Which listener answers which action, view and event: one row each. */
const ACTIONS: [string | RegExp, Listener][] = [
  [/^link_provider:/, linkProviderAction],
  [/^link_choice:/, linkChoiceAction],
  ['reopen_setup', reopenSetupAction],
  ['home_add_account', homeAddAccount],
  ['home_invite', homeInvite],
  ['home_refresh', homeRefresh],
  ['account_overflow', accountOverflow],
  ['invite_done', inviteDone],
  ['revoke_invite', revokeInviteAction],
  ['subscriptions_refresh', subscriptionsRefresh],
  [/^subscriptions_page:/, subscriptionsPage],
  ['subscriptions_search', subscriptionsSearch],
  ['subscriptions_filter', subscriptionsFilter],
  ['certificate_renew', certificateRenew],
  ['certificate_renew_cancel', certificateRenewCancel],
  [/^list_page:/, listPage],
  [/^home_page:/, homePage],
  ['home_search', homeSearch],
  ['home_search_clear', homeSearchClear],
  ['link_org', linkOrganizationChoice],
  [/^org_open:/, organizationOpen],
  ['org_link', organizationLink],
  ['org_resync', organizationResync],
  ['org_unlink', organizationUnlink],
  ['webhook_delete', webhookDeleteAction],
];
const VIEWS: [string, Listener][] = [
  ['aws_setup_submit', roleSetupSubmit],
  ['link_form_submit', linkFormSubmit],
  ['microsoft_complete_submit', certificateCompleteSubmit],
  ['rename_submit', renameSubmit],
  ['delete_submit', deleteSubmit],
  ['invite_submit', inviteSubmit],
  ['subscriptions_submit', subscriptionsSubmit],
  ['certificate_renew_start', certificateRenewStart],
  ['certificate_renew_finish', certificateRenewFinish],
  ['home_search_submit', homeSearchSubmit],
  ['org_unlink_submit', organizationUnlinkSubmit],
  ['webhook_delete_submit', webhookDeleteSubmit],
];

/** The Slack front end: Bolt and the listeners. The receiver only carries transport; the engine does the work. */
export function createSlackApp(deps: SlackDeps, options: AppOptions) {
  const app = new App(options);
  app.command('/cloud', cloudCommand(deps));
  for (const [id, listener] of ACTIONS) app.action(id, listener(deps) as never);
  // URL buttons still send an action; acknowledge it so Slack shows no warning.
  app.action(/^open_(console|invite_page)$/, async ({ ack }) => ack());
  for (const [id, listener] of VIEWS) app.view(id, listener(deps) as never);
  app.options('subscriptions_add', subscriptionsAddOptions(deps));
  app.options('subscriptions_remove', subscriptionsRemoveOptions(deps));
  app.options('subscriptions_groups_pick', subscriptionsGroupOptions(deps));
  app.event('app_home_opened', appHomeOpened(deps));
  app.error(async (e) => {
    deps.log.error('Slack request failed', { error: e });
  });
  subscribeHomes(deps, app.client);
  return app;
}
