import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { publishHome, setHomeState } from '../../home.js';

type Args = SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs;

export const appHomeOpened = (deps: SlackDeps) => async ({ event, client }: Args) => {
  if (event.tab !== 'home') return;
  // Remembered in the store (state kept as it was): any instance refreshes this home after a change.
  await setHomeState(deps, await deps.actorFor(event.user, client));
  await publishHome(deps, client, event.user);
};
