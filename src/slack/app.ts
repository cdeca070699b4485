import { App } from '@slack/bolt';
import type { AppOptions } from '@slack/bolt';
import type { SlackDeps } from './deps.js';
import { accountOverflow } from './listeners/actions/account-overflow.js';
import { homeAddAccount, homeInvite, homeRefresh } from './listeners/actions/home-buttons.js';
import { inviteDone } from './listeners/actions/invite-done.js';
import { linkAwsKindAction, linkProviderAction } from './listeners/actions/link-provider.js';
import { reopenSetupAction } from './listeners/actions/reopen-setup.js';
import { revokeInviteAction } from './listeners/actions/revoke-invite.js';
import { subscriptionsOptions, subscriptionsRefresh, subscriptionsSubmit } from './listeners/actions/subscriptions.js';
import { cloudCommand } from './listeners/commands/cloud.js';
import { appHomeOpened } from './listeners/events/app-home-opened.js';
import { awsSetupSubmit } from './listeners/views/aws-setup-submit.js';
import { deleteSubmit } from './listeners/views/delete-submit.js';
import { inviteSubmit } from './listeners/views/invite-submit.js';
import { microsoftCompleteSubmit, microsoftSetupSubmit } from './listeners/views/microsoft-setup-submit.js';
import { renameSubmit } from './listeners/views/rename-submit.js';
import { subscribeNotifications } from './notify.js';


/** The Slack front end: Bolt, the listeners and the notifications. The receiver only carries transport. */
export function createSlackApp(deps: SlackDeps, options: AppOptions) {
  const app = new App(options);
  app.command('/cloud', cloudCommand(deps));

  app.action(/^link_provider:/, linkProviderAction(deps));
  app.action(/^link_aws_kind:/, linkAwsKindAction(deps));
  app.action('reopen_setup', reopenSetupAction(deps));
  app.action('home_add_account', homeAddAccount(deps));
  app.action('home_invite', homeInvite(deps));
  app.action('home_refresh', homeRefresh(deps));
  app.action('account_overflow', accountOverflow(deps));
  app.action('invite_done', inviteDone(deps));
  app.action('revoke_invite', revokeInviteAction(deps));
  app.action('subscriptions_refresh', subscriptionsRefresh(deps));
  // URL buttons still send an action; acknowledge it so Slack shows no warning.
  app.action('open_console', async ({ ack }) => ack());

  app.view('aws_setup_submit', awsSetupSubmit(deps));
  app.view('microsoft_setup_submit', microsoftSetupSubmit(deps));
  app.view('microsoft_complete_submit', microsoftCompleteSubmit(deps));
  app.view('rename_submit', renameSubmit(deps));
  app.view('delete_submit', deleteSubmit(deps));
  app.view('invite_submit', inviteSubmit(deps));
  app.view('subscriptions_submit', subscriptionsSubmit(deps));
  app.options('subscriptions_pick', subscriptionsOptions(deps));

  app.event('app_home_opened', appHomeOpened(deps));

  app.error(async (e) => {
    deps.log.error('Slack request failed', { error: e });
  });
  const deliverPending = subscribeNotifications(deps, app.client);
  return Object.assign(app, { deliverPending });
}
