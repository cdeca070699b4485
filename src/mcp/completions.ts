import type { Engine } from '../engine/engine.js';
import type { Actor } from '../engine/domain/records.js';
import { listAccounts } from '../engine/operations/accounts.js';
import { listSetups } from '../engine/operations/list-setups.js';
import type { AccountView } from '../engine/views.js';

/** MCP answers at most 100 completion values. */
const MAX = 100;

/** Values containing what was typed, those that start with it first; case-insensitive. */
export function rank(values: Iterable<string>, typed: string): string[] {
  const q = typed.trim().toLowerCase();
  const all = [...new Set(values)];
  const starts = all.filter((v) => v.toLowerCase().startsWith(q));
  const contains = all.filter((v) => !v.toLowerCase().startsWith(q) && v.toLowerCase().includes(q));
  return [...starts, ...contains].slice(0, MAX);
}

/**
 * Completions for prompt arguments and resource-template variables. Each one runs an engine
 * operation as the caller, so it offers exactly what that person may read; a refusal offers nothing.
 */
export function completions(engine: Engine, actor: () => Actor) {
  const quietly = async <T>(f: () => Promise<T[]>): Promise<T[]> => f().catch(() => []);
  const accounts = (typed: string, extra: Record<string, unknown> = {}) =>
    engine.run(listAccounts, actor(), { ...(typed.trim() ? { search: typed.trim() } : {}), limit: 10_000, ...extra }).then((o) => o.accounts as AccountView[]);

  return {
    /** Any account the caller may see, by name. */
    accountNames: (typed: string) => quietly(async () => rank((await accounts(typed)).map((a) => a.name), typed)),
    /** AWS management accounts (the ones an organization is linked through). */
    managementAccounts: (typed: string) =>
      quietly(async () => rank((await accounts(typed, { provider: 'aws' })).filter((a) => (a as { aws?: { kind?: string } }).aws?.kind === 'management').map((a) => a.name), typed)),
    /** Accounts whose subscriptions can be chosen (Azure). */
    subscriptionAccounts: (typed: string) => quietly(async () => rank((await accounts(typed)).filter((a) => a.capabilities.includes('subscriptions')).map((a) => a.name), typed)),
    /** Open setups the caller may see, by id (a provider narrows them). */
    setupIds: (typed: string, provider?: string) =>
      quietly(async () => {
        const out = await engine.run(listSetups, actor(), { ...(typed.trim() ? { search: typed.trim() } : {}), ...(provider ? { provider } : {}), limit: MAX });
        return rank(out.setups.map((s) => s.setupId), typed);
      }),
    /** The providers this deployment links. */
    providers: (typed: string) => Promise.resolve(rank(engine.families.all().map((f) => f.id), typed)),
    /** An Azure account's subscription ids (by id or display name). */
    subscriptionIds: (typed: string, account: string | undefined) =>
      quietly(async () => {
        const def = engine.find('list_azure_subscriptions');
        if (!def || !account) return [];
        // The engine filters by what was typed (id or name), so a tenant past one page still completes.
        const out = (await engine.run(def, actor(), { account, ...(typed.trim() ? { search: typed.trim() } : {}), limit: MAX })) as { subscriptions: { subscriptionId: string; displayName?: string }[] };
        const q = typed.trim().toLowerCase();
        const subs = out.subscriptions.filter((s) => !q || s.subscriptionId.toLowerCase().includes(q) || (s.displayName ?? '').toLowerCase().includes(q));
        return rank(subs.map((s) => s.subscriptionId), '').slice(0, MAX);
      }),
  };
}

export type Completions = ReturnType<typeof completions>;
