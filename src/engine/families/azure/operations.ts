import { z } from 'zod';
import type { OpContext } from '../../context.js';
import { CloudlinkError } from '../../errors.js';
import { requireAccount } from '../../lookup.js';
import { defineOperation, READS_CLOUD } from '../../registry/operation.js';
import { AccountRef, type Account, type AccountOf, type Database } from '../../domain/records.js';
import { accountView, AccountView } from '../../views.js';
import { ManagementGroupScopeView, SubscriptionView } from '../app-certificate/schema.js';
import { credentialOf } from '../app-certificate/kit.js';
import { resyncAzure } from './check.js';
import { coverage, coveringGroup, isPinned, noChanges, subtree, treeGroups, type SubscriptionChanges } from './subscriptions.js';
import { groupNames, GroupRow, groupRows, scopeView, subscriptionView, type AzureDetails } from './views.js';

type AzureAccount = AccountOf<'azure'>;

/** Only accounts that have subscriptions: the family that has them says so through its capabilities. */
function requireAzure(account: Account): AzureAccount {
  if (!('azure' in account)) throw new CloudlinkError('WRONG_PROVIDER', `"${account.name}" is not an Azure account; only Azure accounts have subscriptions.`, { account: 'Not an Azure account.' });
  return account as AzureAccount;
}

const fold = (s: string) => s.trim().toLocaleLowerCase('en-US');

/** A management group named by id or display name (any case), among those cloudlink knows for the account. */
function requireGroup(account: AzureAccount, ref: string, field: string) {
  const groups = treeGroups(account.azure.managementGroups);
  const hit = groups.find((g) => g.id === ref.trim()) ?? groups.find((g) => fold(g.id) === fold(ref)) ?? groups.find((g) => fold(g.displayName) === fold(ref));
  if (hit) return hit;
  const why = groups.length
    ? `Groups under ${account.azure.managementGroups?.root?.displayName ?? 'the scope'}: ${groups.slice(0, 8).map((g) => g.displayName).join(', ')}${groups.length > 8 ? ', …' : ''}.`
    : 'cloudlink cannot read this tenant\'s management groups: assign the app Reader at the management group (the tenant root group by default), then refresh.';
  throw new CloudlinkError('INVALID_INPUT', `"${ref.slice(0, 80)}" is not a management group of "${account.name}". ${why}`, { [field]: 'Unknown management group.' });
}

const Changes = z.object({
  added: z.array(z.string()).describe('New subscriptions.'),
  missing: z.array(z.string()).describe('No longer visible: flagged, never dropped.'),
  back: z.array(z.string()).describe('Visible again.'),
  moved: z.array(z.object({ subscriptionId: z.string(), from: z.string(), to: z.string().optional() })).describe('Moved between management groups (to absent: out of the scope).'),
  selected: z.array(z.string()).describe('Newly selected (a group chosen whole now covers them).'),
  deselected: z.array(z.string()).describe('No longer selected (moved out of a group chosen whole).'),
});

const changeLine = (c: SubscriptionChanges) =>
  [
    c.added.length && `${c.added.length} new`,
    c.missing.length && `${c.missing.length} no longer visible (flagged "missing")`,
    c.back.length && `${c.back.length} visible again`,
    c.moved.length && `${c.moved.length} moved between groups`,
    c.selected.length && `${c.selected.length} newly selected`,
    c.deselected.length && `${c.deselected.length} no longer selected`,
  ]
    .filter(Boolean)
    .join(', ');

/** The account without its subscriptions (they come paged, beside it). */
function bareView(ctx: OpContext, a: Account, db: Readonly<Database>) {
  const v = accountView(ctx, a, db, ctx.reader);
  if (!v.microsoft) return v;
  const { subscriptions: _all, ...microsoft } = v.microsoft;
  return { ...v, microsoft };
}

/** Re-reads the tenant and applies it to the stored account; the changes are audited. */
async function refresh(ctx: OpContext, account: AzureAccount): Promise<{ account: AzureAccount; changes: SubscriptionChanges; view: AccountView }> {
  const resync = await resyncAzure(ctx, credentialOf(ctx, account.azure), account);
  const now = ctx.now();
  const out = await ctx.store.mutate((db) => {
    const current = requireAzure(requireAccount(db, account.id));
    const changes = resync.apply(current);
    current.lastCheckedAt = now.toISOString();
    if (current.status !== 'connected') {
      current.status = 'connected';
      delete current.lastError;
    }
    if (!noChanges(changes)) {
      current.updatedAt = now.toISOString();
      ctx.audit(db, { type: 'account', id: current.id, name: current.name }, { resync: changes });
    }
    // A JSON copy: records are plain JSON, and a store's draft (a proxy) cannot be structured-cloned.
    return { account: JSON.parse(JSON.stringify(current)) as typeof current, changes, view: accountView(ctx, current, db, ctx.reader) };
  });
  if (!noChanges(out.changes)) ctx.events.emit('account.changed', { change: 'subscriptions', account: out.view });
  return out;
}

export const listAzureSubscriptions = defineOperation({
  name: 'list_azure_subscriptions',
  title: 'List Azure subscriptions',
  description:
    "Lists an Azure account's subscriptions (which are selected, which management group each sits in, which moved or vanished) and its management groups with counts. Pages with limit/offset, filters with search and group. With refresh: true, re-reads the tenant first: new subscriptions under a group chosen whole are selected, vanished ones are flagged \"missing\" (never silently dropped), moves between groups are recorded.",
  input: z
    .object({
      account: AccountRef.describe('Name (case-insensitive) or id of an Azure account.'),
      refresh: z.boolean().default(false).describe('Re-read the subscriptions and management groups from Azure first. Vanished subscriptions are flagged, not dropped.'),
      search: z.string().trim().max(200).optional().describe('Only subscriptions whose name or id contains this (any case).'),
      group: z.string().trim().min(1).max(200).optional().describe('Only subscriptions at or below this management group (id or name).'),
      limit: z.number().int().min(1).max(10_000).default(1000).describe('How many subscriptions to return (1,000 by default).'),
      offset: z.number().int().min(0).default(0).describe('How many matching subscriptions to skip (paging).'),
    })
    .strict(),
  output: z.object({
    account: AccountView,
    subscriptions: z.array(SubscriptionView),
    total: z.number().describe('Subscriptions matching search and group (all of them without).'),
    offset: z.number(),
    counts: z.object({ all: z.number(), selected: z.number(), missing: z.number() }),
    managementGroup: ManagementGroupScopeView.optional(),
    groups: z.array(GroupRow).describe('The management groups, root first then depth-first, with their subscriptions counted at and below them.'),
    changes: Changes.optional().describe('What the refresh changed.'),
    note: z.string().optional(),
  }),
  permission: 'read',
  nature: READS_CLOUD,
  summarize: (o) =>
    [
      ...o.subscriptions.map((s) => `${s.selected ? '[x]' : '[ ]'} ${s.displayName} (${s.subscriptionId}) ${s.state}${s.group ? ` in ${s.group.displayName}` : ''}${s.throughGroup ? ' (through its group)' : ''}${s.missing ? ' MISSING' : ''}${s.moved ? ` moved from ${s.moved.from}` : ''}`),
      ...(o.total > o.subscriptions.length ? [`Showing ${o.offset + 1}–${o.offset + o.subscriptions.length} of ${o.total}.`] : []),
      ...(o.managementGroup?.followed.length ? [`Everything under: ${o.managementGroup.followed.map((g) => g.displayName).join(', ')}.`] : []),
      ...(o.changes && changeLine(o.changes) ? [`Refresh: ${changeLine(o.changes)}.`] : []),
      ...(o.note ? [o.note] : []),
    ].join('\n') || 'No subscriptions.',
  async run(ctx, input) {
    let account = requireAzure(requireAccount(await ctx.store.read(), input.account));
    let changes: SubscriptionChanges | undefined;
    if (input.refresh) ({ account, changes } = await refresh(ctx, account));
    const db = await ctx.store.read();
    const d: AzureDetails = account.azure;
    const names = groupNames(d);
    let subs = d.subscriptions;
    if (input.group) {
      const under = subtree(d.managementGroups, requireGroup(account, input.group, 'group').id);
      subs = subs.filter((s) => s.groupId && under.has(s.groupId));
    }
    if (input.search) {
      const q = fold(input.search);
      subs = subs.filter((s) => fold(s.displayName).includes(q) || s.subscriptionId.toLowerCase().includes(q));
    }
    const cover = coverage(d.followGroups, d.managementGroups);
    const page = subs.slice(input.offset, input.offset + input.limit).map((s) => subscriptionView(d, s, names, cover));
    const all = d.subscriptions;
    const scope = scopeView(d, d.tenantId);
    const note = all.some((s) => s.missingSince)
      ? 'Some subscriptions are no longer visible to the app (flagged "missing"): they were moved out of reach, cancelled, or the Reader role was removed.'
      : all.length === 0
        ? 'No subscriptions are visible yet. Role assignments can take up to 30 minutes to apply; refresh later.'
        : scope?.access === 'denied'
          ? `Management groups: ${scope.error ?? 'not readable.'} Subscriptions are chosen one by one until then.`
          : undefined;
    return {
      account: bareView(ctx, account, db),
      subscriptions: page,
      total: subs.length,
      offset: input.offset,
      counts: { all: all.length, selected: all.filter((s) => s.selected).length, missing: all.filter((s) => s.missingSince).length },
      ...(scope ? { managementGroup: scope } : {}),
      groups: groupRows(d),
      ...(changes ? { changes } : {}),
      ...(note ? { note } : {}),
    };
  },
});

const SubscriptionOrGroup = z.string().trim().min(1).max(200);

/** xops360's "Update": the new selection is applied at once; deselecting needs an explicit yes. */
export const selectAzureSubscriptions = defineOperation({
  name: 'select_azure_subscriptions',
  title: 'Choose Azure subscriptions',
  description:
    'Sets which subscriptions of an Azure account cloudlink covers. Either pass `selected`, the full list of subscription ids to keep selected (others are deselected), or change it with `add` / `remove` (subscription ids, or management group ids or names for every subscription under that group now). `groups` chooses management groups whole ("everything under this group"): their subscriptions are selected, and so are those that appear under them later; it replaces the current set ([] stops). If the update deselects any subscription, it is refused until confirmDeselect is true: tell the user which ones and ask first.',
  input: z
    .object({
      account: AccountRef,
      selected: z.array(z.string().trim().min(1).max(100)).max(10_000).optional().describe('The full set of subscription ids to keep selected besides those under `groups` (others are deselected).'),
      add: z.array(SubscriptionOrGroup).max(10_000).optional().describe('Subscriptions to select: subscription ids, or management groups (id or name) for all subscriptions under them now.'),
      remove: z.array(SubscriptionOrGroup).max(10_000).optional().describe('Subscriptions to deselect: subscription ids, or management groups (id or name) for all subscriptions under them now.'),
      groups: z.array(z.string().trim().min(1).max(200)).max(1000).optional().describe('Management groups (id or name) to cover whole from now on: replaces the current set; [] stops. Omit to keep it.'),
      confirmDeselect: z.boolean().default(false).describe('Must be true when the update deselects subscriptions that are selected now.'),
    })
    .strict()
    .refine((v) => v.selected !== undefined || v.add !== undefined || v.remove !== undefined || v.groups !== undefined, { message: 'give selected, add, remove or groups', path: ['selected'] })
    .refine((v) => v.selected === undefined || (v.add === undefined && v.remove === undefined), { message: 'give either the full list (selected) or changes (add, remove), not both', path: ['selected'] }),
  output: z.object({ account: AccountView, added: z.array(z.string()), removed: z.array(z.string()), groups: z.array(z.string()).describe('The management groups chosen whole now (ids).') }),
  permission: 'subscriptions',
  nature: { readOnly: false, destructive: true, idempotent: true, openWorld: false },
  summarize: (o) => `Updated "${o.account.name}": ${o.added.length} added, ${o.removed.length} removed.${o.groups.length ? ` Everything under ${o.groups.length} management group${o.groups.length > 1 ? 's' : ''}.` : ''}`,
  async run(ctx, input) {
    const now = ctx.now();
    const out = await ctx.store.mutate((db) => {
      const account = requireAzure(requireAccount(db, input.account));
      const d = account.azure;
      const subs = d.subscriptions;
      const byId = new Map(subs.map((s) => [s.subscriptionId, s]));
      const tree = d.managementGroups;
      const followed = input.groups ? [...new Set(input.groups.map((g) => requireGroup(account, g, 'groups').id))] : d.followGroups;
      /** A subscription id, or every (visible) subscription under a group. */
      const expand = (refs: string[], field: string) => {
        const ids = new Set<string>();
        const unknown: string[] = [];
        for (const ref of refs) {
          if (byId.has(ref)) ids.add(ref);
          else if (treeGroups(tree).some((g) => g.id === ref || fold(g.displayName) === fold(ref) || fold(g.id) === fold(ref))) {
            const under = subtree(tree, requireGroup(account, ref, field).id);
            for (const s of subs) if (s.groupId && under.has(s.groupId) && !s.missingSince) ids.add(s.subscriptionId);
          } else unknown.push(ref);
        }
        if (unknown.length) throw new CloudlinkError('INVALID_INPUT', `Unknown subscription id${unknown.length > 1 ? 's' : ''} for "${account.name}": ${unknown.slice(0, 5).join(', ')}. Refresh the list and choose from it.`, { [field]: 'Unknown subscription.' });
        return ids;
      };
      const cover = coverage(followed, tree);
      const covered = (s: (typeof subs)[number]) => coveringGroup(s, cover, tree);
      const pinned = new Map(subs.map((s) => [s.subscriptionId, isPinned(s)]));
      if (input.selected) {
        const want = expand(input.selected, 'selected');
        // Resubmitting a form that shows what a group covers does not pin it: it stays covered through its group.
        for (const s of subs) pinned.set(s.subscriptionId, want.has(s.subscriptionId) && (!covered(s) || isPinned(s)));
      }
      for (const id of expand(input.add ?? [], 'add')) pinned.set(id, true);
      const removing = expand(input.remove ?? [], 'remove');
      const stuck = [...removing].map((id) => byId.get(id)!).filter((s) => covered(s));
      if (stuck.length) {
        const names = groupNames(d);
        const g = names.get(covered(stuck[0]!)!) ?? covered(stuck[0]!)!;
        throw new CloudlinkError('INVALID_INPUT', `${stuck.slice(0, 3).map((s) => `"${s.displayName}"`).join(', ')}${stuck.length > 3 ? ` and ${stuck.length - 3} more` : ''} ${stuck.length > 1 ? 'are' : 'is'} under "${g}", which is chosen whole: stop choosing "${g}" whole (groups) to deselect ${stuck.length > 1 ? 'them' : 'it'} one by one.`, { remove: 'Covered by a group chosen whole.' });
      }
      for (const id of removing) pinned.set(id, false);
      const next = new Map(subs.map((s) => [s.subscriptionId, pinned.get(s.subscriptionId)! || Boolean(covered(s))]));
      const missing = subs.filter((s) => next.get(s.subscriptionId) && s.missingSince && !s.selected);
      if (missing.length) throw new CloudlinkError('INVALID_INPUT', `${missing.map((s) => s.displayName).join(', ')} is no longer visible to the app and cannot be selected. Refresh after fixing its access.`, { selected: 'Not visible any more.' });
      const added = subs.filter((s) => !s.selected && next.get(s.subscriptionId)).map((s) => s.subscriptionId);
      const removed = subs.filter((s) => s.selected && !next.get(s.subscriptionId));
      if (removed.length && !input.confirmDeselect) {
        const shown = removed.slice(0, 10).map((s) => `"${s.displayName}"`).join(', ') + (removed.length > 10 ? ` and ${removed.length - 10} more` : '');
        const message = `This update deselects ${shown}: cloudlink stops covering ${removed.length > 1 ? 'them' : 'it'}. Confirm the deselection to apply it.`;
        throw new CloudlinkError('CONFIRMATION_REQUIRED', message, { selected: message }, { deselect: removed.map((s) => s.subscriptionId) });
      }
      for (const s of subs) {
        s.pinned = pinned.get(s.subscriptionId)!;
        s.selected = next.get(s.subscriptionId)!;
      }
      const groupsChanged = input.groups !== undefined && (followed.length !== d.followGroups.length || followed.some((g) => !d.followGroups.includes(g)));
      d.followGroups = followed;
      account.updatedAt = now.toISOString();
      if (added.length || removed.length || groupsChanged) {
        ctx.audit(db, { type: 'account', id: account.id, name: account.name }, { added, removed: removed.map((s) => s.subscriptionId), ...(groupsChanged ? { groups: followed } : {}) });
      }
      return { view: accountView(ctx, account, db, ctx.reader), added, removed: removed.map((s) => s.subscriptionId), groups: followed, changed: added.length > 0 || removed.length > 0 || groupsChanged };
    });
    if (out.changed) ctx.events.emit('account.changed', { change: 'subscriptions', account: out.view });
    return { account: out.view, added: out.added, removed: out.removed, groups: out.groups };
  },
});
