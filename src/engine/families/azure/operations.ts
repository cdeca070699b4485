import { z } from 'zod';
import { CloudlinkError } from '../../errors.js';
import { requireAccount } from '../../lookup.js';
import { defineOperation, READS_CLOUD } from '../../registry/operation.js';
import { AccountRef, type Account, type AccountOf } from '../../domain/records.js';
import { accountView, AccountView } from '../../views.js';
import { SubscriptionView } from '../app-certificate/schema.js';

type AzureAccount = AccountOf<'azure'>;

/** Only accounts that have subscriptions: the family that has them says so through its capabilities. */
function requireAzure(account: Account): AzureAccount {
  if (!('azure' in account)) throw new CloudlinkError('WRONG_PROVIDER', `"${account.name}" is not an Azure account; only Azure accounts have subscriptions.`, { account: 'Not an Azure account.' });
  return account as AzureAccount;
}

export const listAzureSubscriptions = defineOperation({
  name: 'list_azure_subscriptions',
  title: 'List Azure subscriptions',
  description: "Lists an Azure account's subscriptions and which are selected. With refresh: true, re-reads them from Azure first (vanished subscriptions are flagged as missing, never silently dropped).",
  input: z
    .object({
      account: AccountRef.describe('Name (case-insensitive) or id of an Azure account.'),
      refresh: z.boolean().default(false).describe('Re-read the list from Azure first. Vanished subscriptions are flagged, not dropped.'),
    })
    .strict(),
  output: z.object({ account: AccountView, subscriptions: z.array(SubscriptionView), note: z.string().optional() }),
  permission: 'read',
  nature: READS_CLOUD,
  summarize: (o) => [...o.subscriptions.map((s) => `${s.selected ? '[x]' : '[ ]'} ${s.displayName} (${s.subscriptionId}) ${s.state}${s.missing ? ' MISSING' : ''}`), ...(o.note ? [o.note] : [])].join('\n') || 'No subscriptions.',
  async run(ctx, input) {
    let account = requireAzure(requireAccount(await ctx.store.read(), input.account));
    if (input.refresh) {
      const family = ctx.families.of(account.provider);
      const patch = await family.verify(ctx, account);
      const now = ctx.now();
      account = await ctx.store.mutate((db) => {
        const current = requireAzure(requireAccount(db, account.id));
        patch?.(current);
        current.lastCheckedAt = now.toISOString();
        return current;
      });
    }
    const view = accountView(ctx, account, await ctx.store.read(), ctx.reader);
    const subscriptions = view.microsoft?.subscriptions ?? [];
    const note = subscriptions.some((s) => s.missing)
      ? 'Some subscriptions are no longer visible to the app (flagged "missing"): they were moved, cancelled, or the Reader role was removed.'
      : subscriptions.length === 0
        ? 'No subscriptions are visible yet. Role assignments can take up to 30 minutes to apply; refresh later.'
        : undefined;
    return { account: view, subscriptions, ...(note ? { note } : {}) };
  },
});

/** xops360's "Update": the new selection is applied at once; deselecting needs an explicit yes. */
export const selectAzureSubscriptions = defineOperation({
  name: 'select_azure_subscriptions',
  title: 'Choose Azure subscriptions',
  description:
    'Sets which subscriptions of an Azure account cloudlink covers: pass the full list of subscription ids to keep selected. If that deselects any, the call is refused until confirmDeselect is true: tell the user which ones and ask first.',
  input: z
    .object({
      account: AccountRef,
      selected: z.array(z.string().trim().min(1).max(100)).max(10_000).describe('The full set of subscription ids to keep selected after the update (others are deselected).'),
      confirmDeselect: z.boolean().default(false).describe('Must be true when the update deselects subscriptions that are selected now.'),
    })
    .strict(),
  output: z.object({ account: AccountView, added: z.array(z.string()), removed: z.array(z.string()) }),
  permission: 'subscriptions',
  nature: { readOnly: false, destructive: true, idempotent: true, openWorld: false },
  summarize: (o) => `Updated "${o.account.name}": ${o.added.length} added, ${o.removed.length} removed.`,
  async run(ctx, input) {
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
      if (added.length || removed.length) ctx.audit(db, { type: 'account', id: account.id, name: account.name }, { added, removed: removed.map((s) => s.subscriptionId) });
      return { view: accountView(ctx, account, db, ctx.reader), added, removed: removed.map((s) => s.subscriptionId) };
    });
    if (out.added.length || out.removed.length) ctx.events.emit('account.changed', { change: 'subscriptions', account: out.view });
    return { account: out.view, added: out.added, removed: out.removed };
  },
});

