import type { WebClient } from '@slack/web-api';
import { listAccounts } from '../engine/operations/accounts.js';
import { listConfigurationErrors } from '../engine/operations/health.js';
import type { SlackDeps } from './deps.js';
import { homeView } from './views/home.js';

export async function publishHome(deps: SlackDeps, client: WebClient, userId: string) {
  const actor = await deps.actorFor(userId, client);
  const [{ accounts }, { warnings }] = await Promise.all([deps.engine.run(listAccounts, actor, { limit: 10_000 }), deps.engine.run(listConfigurationErrors, actor, {})]);
  await client.views.publish({ user_id: userId, view: homeView(accounts, warnings) });
}

/** After any change, every home someone has looked at is brought up to date. */
export async function refreshHomes(deps: SlackDeps, client: WebClient) {
  await Promise.allSettled([...deps.homeViewers].slice(-50).map((u) => publishHome(deps, client, u)));
}

/** Keeps App Homes current: the engine announces every change to an account. */
export function subscribeHomes(deps: SlackDeps, client: WebClient) {
  deps.engine.events.on('account.changed', () => refreshHomes(deps, client));
}
