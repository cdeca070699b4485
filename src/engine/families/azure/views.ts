import { z } from 'zod';
import type { AccountOf } from '../../domain/records.js';
import type { ManagementGroupScopeView, SubscriptionView } from '../app-certificate/schema.js';
import { coverage, coveringGroup, isPinned, subtree, treeGroups } from './subscriptions.js';

export type AzureDetails = AccountOf<'azure'>['azure'];

/** The group names cloudlink knows, by id. */
export const groupNames = (d: AzureDetails) => new Map(treeGroups(d.managementGroups).map((g) => [g.id, g.displayName]));

export function subscriptionView(d: AzureDetails, s: AzureDetails['subscriptions'][number], names = groupNames(d), covered = coverage(d.followGroups, d.managementGroups)): SubscriptionView {
  const through = s.selected && !isPinned(s) && Boolean(coveringGroup(s, covered, d.managementGroups));
  return {
    subscriptionId: s.subscriptionId,
    displayName: s.displayName,
    state: s.state,
    selected: s.selected,
    missing: Boolean(s.missingSince),
    ...(s.groupId ? { group: { id: s.groupId, displayName: names.get(s.groupId) ?? s.groupId } } : {}),
    ...(through ? { throughGroup: true } : {}),
    ...(s.movedAt && s.movedFrom ? { moved: { at: s.movedAt, from: names.get(s.movedFrom) ?? s.movedFrom } } : {}),
    ...(s.missingSince ? { missingSince: s.missingSince } : {}),
  };
}

/** The management-group scope in a view: absent for an account linked before cloudlink looked at groups. */
export function scopeView(d: AzureDetails, tenantId: string): z.infer<typeof ManagementGroupScopeView> | undefined {
  const t = d.managementGroups;
  if (!t) return undefined;
  const names = groupNames(d);
  return {
    id: t.root?.id ?? d.managementGroupId ?? tenantId,
    ...(t.root ? { displayName: t.root.displayName } : {}),
    access: t.access,
    ...(t.error ? { error: t.error } : {}),
    ...(t.syncedAt ? { syncedAt: t.syncedAt } : {}),
    groups: t.groups.length,
    followed: d.followGroups.map((id) => ({ id, displayName: names.get(id) ?? `${id} (no longer found)` })),
  };
}

export const GroupRow = z.object({
  id: z.string(),
  displayName: z.string(),
  parentId: z.string().optional(),
  depth: z.number().describe('0 for the scope\'s root group, 1 for its children…'),
  subscriptions: z.number().describe('Subscriptions at and below this group.'),
  selected: z.number().describe('Of those, how many are selected.'),
  followed: z.boolean().describe('Chosen whole: what appears under it is selected at each resync.'),
  coveredBy: z.string().optional().describe('A group above it that is chosen whole, which covers it too.'),
});
export type GroupRow = z.infer<typeof GroupRow>;

/** The groups, root first then depth-first, each with its subscriptions counted at and below it. */
export function groupRows(d: AzureDetails): GroupRow[] {
  const t = d.managementGroups;
  const all = treeGroups(t);
  if (!all.length) return [];
  const children = new Map<string, typeof all>();
  for (const g of all) if (g.parentId) children.set(g.parentId, [...(children.get(g.parentId) ?? []), g]);
  for (const list of children.values()) list.sort((a, b) => a.displayName.localeCompare(b.displayName));
  const direct = new Map<string, { total: number; selected: number }>();
  for (const s of d.subscriptions) {
    if (!s.groupId || s.missingSince) continue;
    const c = direct.get(s.groupId) ?? { total: 0, selected: 0 };
    c.total++;
    if (s.selected) c.selected++;
    direct.set(s.groupId, c);
  }
  const followed = new Set(d.followGroups);
  const rows: GroupRow[] = [];
  const ids = new Set(all.map((g) => g.id));
  const roots = all.filter((g) => !g.parentId || !ids.has(g.parentId));
  const walk = (g: (typeof all)[number], depth: number, cover: string | undefined) => {
    let total = 0;
    let selected = 0;
    for (const id of subtree(t, g.id)) {
      total += direct.get(id)?.total ?? 0;
      selected += direct.get(id)?.selected ?? 0;
    }
    rows.push({ id: g.id, displayName: g.displayName, ...(g.parentId ? { parentId: g.parentId } : {}), depth, subscriptions: total, selected, followed: followed.has(g.id), ...(cover ? { coveredBy: cover } : {}) });
    const nextCover = cover ?? (followed.has(g.id) ? g.displayName : undefined);
    for (const c of children.get(g.id) ?? []) walk(c, depth + 1, nextCover);
  };
  for (const r of roots) walk(r, 0, undefined);
  return rows;
}
