import { z } from 'zod';
import { audit } from '../audit.js';
import type { EngineContext } from '../context.js';
import { CloudlinkError } from '../errors.js';
import { requireAccount } from '../lookup.js';
import { requirePermission } from '../permissions.js';
import type { Account, Actor } from '../schemas.js';
import { parseInput } from '../validate.js';
import { AccountView, accountView, SubscriptionView } from '../views.js';
import { reverifyMicrosoftAccount } from './microsoft-setups.js';

export const ListSubscriptionsInput = z
  .object({
    account: z.string().min(1).max(200).describe('Name (case-insensitive) or id of an Azure account.'),
    refresh: z.boolean().default(false).describe('Re-read the list from Azure first. Vanished subscriptions are flagged, not dropped.'),
  })
  .strict();
export const ListSubscriptionsOutput = z.object({ account: AccountView, subscriptions: z.array(SubscriptionView), note: z.string().optional() });

export const SelectSubscriptionsInput = z
  .object({
    account: z.string().min(1).max(200),
    selected: z.array(z.string().trim().min(1).max(100)).max(10_000).describe('The full set of subscription ids to keep selected after the update (others are deselected).'),
    confirmDeselect: z.boolean().default(false).describe('Must be true when the update deselects subscriptions that are selected now.'),
  })
  .strict();
export const SelectSubscriptionsOutput = z.object({ account: AccountView, added: z.array(z.string()), removed: z.array(z.string()) });

type AzureAccount = Extract<Account, { provider: 'azure' }>;

function requireAzure(account: Account): AzureAccount {
  if (account.provider !== 'azure') throw new CloudlinkError('WRONG_PROVIDER', `"${account.name}" is not an Azure account; only Azure accounts have subscriptions.`, { account: 'Not an Azure account.' });
  return account;
}

export async function listAzureSubscriptions(ctx: EngineContext, actor: Actor, raw: unknown) {
  const input = parseInput(ListSubscriptionsInput, raw);
  requirePermission(actor, 'read', ctx.settings);
  let account = requireAzure(requireAccount(await ctx.store.read(), input.account));
  if (input.refresh) {
    const patch = await reverifyMicrosoftAccount(ctx, account);
    const now = ctx.now();
    account = await ctx.store.mutate((db) => {
      const current = requireAzure(requireAccount(db, account.id));
      patch(current);
      current.lastCheckedAt = now.toISOString();
      return current;
    });
  }
  const db = await ctx.store.read();
  const view = accountView(account, db);
  const subscriptions = view.microsoft?.subscriptions ?? [];
  const note = subscriptions.some((s) => s.missing)
    ? 'Some subscriptions are no longer visible to the app (flagged "missing"): they were moved, cancelled, or the Reader role was removed.'
    : subscriptions.length === 0
      ? 'No subscriptions are visible yet. Role assignments can take up to 30 minutes to apply; refresh later.'
      : undefined;
  return { account: view, subscriptions, ...(note ? { note } : {}) };
}

/** xops360's "Update": the new selection is applied at once; deselecting needs an explicit yes. */
export async function selectAzureSubscriptions(ctx: EngineContext, actor: Actor, raw: unknown) {
  const input = parseInput(SelectSubscriptionsInput, raw);
  requirePermission(actor, 'subscriptions', ctx.settings);
  const now = ctx.now();
  const out = await ctx.store.mutate((db) => {
    const account = requireAzure(requireAccount(db, input.account));
    const subs = account.azure.subscriptions;
    const want = new Set(input.selected);
    const unknown = [...want].filter((id) => !subs.some((s) => s.subscriptionId === id));
    if (unknown.length) throw new CloudlinkError('INVALID_INPUT', `Unknown subscription id${unknown.length > 1 ? 's' : ''} for "${account.name}": ${unknown.slice(0, 5).join(', ')}. Refresh the list and choose from it.`, { selected: 'Unknown subscription.' });
    const missing = subs.filter((s) => want.has(s.subscriptionId) && s.missingSince && !s.selected);
    if (missing.length) throw new CloudlinkError('INVALID_INPUT', `${missing.map((s) => s.displayName).join(', ')} is no longer visible to the app and cannot be selected. Refresh after fixing its access.`, { selected: 'Not visible any more.' });
    const added = subs.filter((s) => !s.selected && want.has(s.subscriptionId)).map((s) => s.subscriptionId);
    const removed = subs.filter((s) => s.selected && !want.has(s.subscriptionId));
    if (removed.length && !input.confirmDeselect) {
      const message = `This update deselects ${removed.map((s) => `"${s.displayName}"`).join(', ')}: cloudlink stops covering ${removed.length > 1 ? 'them' : 'it'}. Confirm the deselection to apply it.`;
      throw new CloudlinkError('CONFIRMATION_REQUIRED', message, { selected: message }, { deselect: removed.map((s) => s.subscriptionId) });
    }
    for (const s of subs) s.selected = want.has(s.subscriptionId);
    account.updatedAt = now.toISOString();
    if (added.length || removed.length) audit(db, now, actor, 'subscriptions.update', { type: 'account', id: account.id, name: account.name }, { added, removed: removed.map((s) => s.subscriptionId) });
    return { view: accountView(account, db), added, removed: removed.map((s) => s.subscriptionId) };
  });
  return { account: out.view, added: out.added, removed: out.removed };
}
