import { App } from '@slack/bolt';
import type { AppOptions } from '@slack/bolt';
import type { SlackDeps } from './deps.js';
import { subscribeHomes } from './home.js';
import { accountOverflow } from './listeners/actions/account-overflow.js';
import { homeAddAccount, homeInvite, homeRefresh } from './listeners/actions/home-buttons.js';
import { linkChoiceAction, linkProviderAction } from './listeners/actions/link.js';
import { inviteDone, reopenSetupAction, revokeInviteAction } from './listeners/actions/setups.js';
import { subscriptionsOptions, subscriptionsRefresh } from './listeners/actions/subscriptions.js';
import { cloudCommand } from './listeners/commands/cloud.js';
import { appHomeOpened } from './listeners/events/app-home-opened.js';
import { certificateCompleteSubmit } from './listeners/views/certificate-submit.js';
import { deleteSubmit } from './listeners/views/delete-submit.js';
import { inviteSubmit } from './listeners/views/invite-submit.js';
import { linkFormSubmit } from './listeners/views/link-form-submit.js';
import { renameSubmit } from './listeners/views/rename-submit.js';
import { roleSetupSubmit } from './listeners/views/role-setup-submit.js';
import { subscriptionsSubmit } from './listeners/views/subscriptions-submit.js';

/** The Slack front end: Bolt and the listeners. The receiver only carries transport; the engine does the work. */
export function createSlackApp(deps: SlackDeps, options: AppOptions) {
  const app = new App(options);
  app.command('/cloud', cloudCommand(deps));

  app.action(/^link_provider:/, linkProviderAction(deps));
  app.action(/^link_choice:/, linkChoiceAction(deps));
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

  app.view('aws_setup_submit', roleSetupSubmit(deps));
  app.view('link_form_submit', linkFormSubmit(deps));
  app.view('microsoft_complete_submit', certificateCompleteSubmit(deps));
  app.view('rename_submit', renameSubmit(deps));
  app.view('delete_submit', deleteSubmit(deps));
  app.view('invite_submit', inviteSubmit(deps));
  app.view('subscriptions_submit', subscriptionsSubmit(deps));
  app.options('subscriptions_pick', subscriptionsOptions(deps));

  app.event('app_home_opened', appHomeOpened(deps));

  app.error(async (e) => {
    deps.log.error('Slack request failed', { error: e });
  });
  subscribeHomes(deps, app.client);
  return app;
}
