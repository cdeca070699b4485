import type { Actor } from '../engine/domain/records.js';
import { listAccounts } from '../engine/operations/accounts.js';
import type { AccountView } from '../engine/views.js';
import type { SlackDeps } from './deps.js';

/**
 * Every account matching a search (all of them without one), in the engine's order. Slack pages
 * through them itself (problems first), so it takes the whole list: one engine call up to 10,000,
 * the engine's own shared array when nothing is filtered.
 */
export async function matchingAccounts(deps: Pick<SlackDeps, 'engine'>, actor: Actor, search?: string): Promise<readonly AccountView[]> {
  const q = search?.trim() ? { search: search.trim().slice(0, 200) } : {};
  const first = await deps.engine.run(listAccounts, actor, { limit: 10_000, ...q });
  if (first.total <= first.accounts.length) return first.accounts;
  const all = [...first.accounts];
  while (all.length < first.total) {
    const next = await deps.engine.run(listAccounts, actor, { limit: 10_000, offset: all.length, ...q });
    if (!next.accounts.length) break;
    all.push(...next.accounts);
  }
  return all;
}
