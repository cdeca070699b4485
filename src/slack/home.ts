import type { WebClient } from '@slack/web-api';
import { listConfigurationErrors } from '../engine/operations/health.js';
import { matchingAccounts } from './accounts.js';
import type { SlackDeps } from './deps.js';
import { homeView, type HomeState } from './views/home.js';

/** How many people's App Home search and page are remembered (the oldest are forgotten first). */
const MAX_REMEMBERED = 1000;

export function homeStateOf(deps: SlackDeps, userId: string): HomeState {
  return deps.homeState.get(userId) ?? { offset: 0 };
}

/** Changes what someone's App Home shows (search, page); the next publish uses it. */
export function setHomeState(deps: SlackDeps, userId: string, state: HomeState) {
  deps.homeState.delete(userId);
  deps.homeState.set(userId, { offset: Math.max(0, state.offset), ...(state.search?.trim() ? { search: state.search.trim().slice(0, 200) } : {}) });
  while (deps.homeState.size > MAX_REMEMBERED) deps.homeState.delete(deps.homeState.keys().next().value!);
}

export async function publishHome(deps: SlackDeps, client: WebClient, userId: string) {
  const actor = await deps.actorFor(userId, client);
  const state = homeStateOf(deps, userId);
  const [accounts, { warnings }] = await Promise.all([matchingAccounts(deps, actor, state.search), deps.engine.run(listConfigurationErrors, actor, {})]);
  const { view, offset } = homeView(accounts, warnings, state);
  // A page that no longer exists (accounts went away) became the last one: remember that.
  if (offset !== state.offset && deps.homeState.has(userId)) deps.homeState.set(userId, { ...state, offset });
  await client.views.publish({ user_id: userId, view });
}

/** After any change, every home someone has looked at is brought up to date. */
export async function refreshHomes(deps: SlackDeps, client: WebClient) {
  await Promise.allSettled([...deps.homeViewers].slice(-50).map((u) => publishHome(deps, client, u)));
}

/** Keeps App Homes current: the engine announces every change to an account. */
export function subscribeHomes(deps: SlackDeps, client: WebClient) {
  deps.engine.events.on('account.changed', () => refreshHomes(deps, client));
}
