import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { publishHome } from '../../home.js';

type Args = SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs;

export const appHomeOpened = (deps: SlackDeps) => async ({ event, client }: Args) => {
  if (event.tab !== 'home') return;
  deps.homeViewers.delete(event.user);
  deps.homeViewers.add(event.user);
  await publishHome(deps, client, event.user);
};
