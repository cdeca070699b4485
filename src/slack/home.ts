import type { WebClient } from '@slack/web-api';
import type { Actor } from '../engine/domain/records.js';
import { listConfigurationErrors } from '../engine/operations/health.js';
import { listViewers, rememberViewer } from '../engine/operations/viewers.js';
import { matchingAccounts } from './accounts.js';
import type { SlackDeps } from './deps.js';
import { homeView, type HomeState } from './views/home.js';

const SURFACE = 'slack-home';

const stateOf = (s: Record<string, unknown> | undefined): HomeState => ({ offset: Number(s?.offset) || 0, ...(typeof s?.search === 'string' && s.search ? { search: s.search } : {}) });

/** Someone's App Home state (search, page), as the store keeps it. */
export async function homeStateOf(deps: SlackDeps, actor: Actor): Promise<HomeState> {
  const { viewers } = await deps.engine.run(listViewers, actor, { surface: SURFACE, userId: actor.id, limit: 1 });
  return stateOf(viewers[0]?.state);
}

/** Remembers that someone views their App Home, and how (the next publish, by any instance, uses it). */
export async function setHomeState(deps: SlackDeps, actor: Actor, state?: HomeState) {
  const clean = state ? { offset: Math.max(0, state.offset), ...(state.search?.trim() ? { search: state.search.trim().slice(0, 200) } : {}) } : undefined;
  await deps.engine.run(rememberViewer, actor, { surface: SURFACE, ...(clean ? { state: clean } : {}) });
}

export async function publishHome(deps: SlackDeps, client: WebClient, userId: string, known?: HomeState) {
  const actor = await deps.actorFor(userId, client);
  const state = known ?? (await homeStateOf(deps, actor));
  const [accounts, { warnings }] = await Promise.all([matchingAccounts(deps, actor, state.search), deps.engine.run(listConfigurationErrors, actor, {})]);
  const { view, offset } = homeView(accounts, warnings, state);
  // A page that no longer exists (accounts went away) became the last one: remember that.
  if (offset !== state.offset) await setHomeState(deps, actor, { ...state, offset });
  await client.views.publish({ user_id: userId, view });
}

/** After any change, every home someone has looked at recently is brought up to date. */
export async function refreshHomes(deps: SlackDeps, client: WebClient) {
  const system: Actor = { id: 'cloudlink-homes', via: 'system', role: 'admin' };
  const { viewers } = await deps.engine.run(listViewers, system, { surface: SURFACE, limit: 50 });
  await Promise.allSettled(viewers.map((v) => publishHome(deps, client, v.userId, stateOf(v.state))));
}

/**
 * Keeps App Homes current: the engine announces every change to an account here, and the store
 * changes other instances made. Refreshes coalesce: changes that arrive while homes are being
 * published lead to one more pass, not one each (a bulk link changes many accounts at once).
 */
export function subscribeHomes(deps: SlackDeps, client: WebClient) {
  let running: Promise<void> | undefined;
  let again = false;
  const refresh = () => {
    if (deps.refreshesHomes && !deps.refreshesHomes()) return;
    if (running) return void (again = true);
    running = refreshHomes(deps, client)
      .catch((e) => deps.log.warn('could not refresh App Homes', { error: e }))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          refresh();
        }
      });
  };
  deps.engine.events.on('account.changed', refresh);
  deps.engine.events.on('store.changed', (collections) => void (collections.has('accounts') && refresh()));
}
