import type { AzureSubscriptionInfo, ManagementGroupDiscovery } from '../../ports/microsoft.js';
import type { AzureGroupTree, AzureManagementGroup, AzureSubscription } from './schema.js';

/** The groups cloudlink knows: the scope's root and everything below it. */
export const treeGroups = (tree: AzureGroupTree | undefined): AzureManagementGroup[] => (tree ? [...(tree.root ? [tree.root] : []), ...tree.groups] : []);

/** The group ids at and below `id` in the tree (just `id` when the tree does not know it). */
export function subtree(tree: AzureGroupTree | undefined, id: string): Set<string> {
  const children = new Map<string, string[]>();
  for (const g of treeGroups(tree)) if (g.parentId) children.set(g.parentId, [...(children.get(g.parentId) ?? []), g.id]);
  const out = new Set<string>();
  const queue = [id];
  while (queue.length) {
    const next = queue.shift()!;
    if (out.has(next)) continue;
    out.add(next);
    queue.push(...(children.get(next) ?? []));
  }
  return out;
}

/** Chosen by hand: stores from before management groups only had `selected`. */
export const isPinned = (s: AzureSubscription) => s.pinned ?? s.selected;

/** Each group at or below a followed group, with the followed group that covers it (worked out once, then looked up). */
export function coverage(followed: readonly string[], tree: AzureGroupTree | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const g of followed) for (const id of subtree(tree, g)) if (!out.has(id)) out.set(id, g);
  return out;
}

/** The followed group that covers a subscription (it sits in it or below it), if any. */
export function coveringGroup(s: Pick<AzureSubscription, 'groupId'>, followed: readonly string[] | Map<string, string>, tree: AzureGroupTree | undefined): string | undefined {
  if (!s.groupId) return undefined;
  return (followed instanceof Map ? followed : coverage(followed, tree)).get(s.groupId);
}

/**
 * What cloudlink covers: what was chosen by hand, and everything under a group chosen whole. A
 * missing subscription keeps what it had (it is flagged, not changed), until it is seen again.
 */
export function applySelection(subs: AzureSubscription[], followed: readonly string[], tree: AzureGroupTree | undefined): void {
  const covered = coverage(followed, tree);
  for (const s of subs) {
    if (s.missingSince) continue;
    const pinned = isPinned(s);
    s.pinned = pinned;
    s.selected = pinned || Boolean(coveringGroup(s, covered, tree));
  }
}

/** What a resync changed, for the result and the audit log. */
export type SubscriptionChanges = {
  added: string[];
  missing: string[];
  back: string[];
  moved: { subscriptionId: string; from: string; to?: string }[];
  selected: string[];
  deselected: string[];
};

export const noChanges = (c: SubscriptionChanges) => Object.values(c).every((v) => v.length === 0);

/** The tree to keep after a discovery: the new one, or the one from before flagged "denied" with why. */
export function nextTree(previous: AzureGroupTree | undefined, found: ManagementGroupDiscovery | undefined, error: string | undefined, now: Date): AzureGroupTree {
  const at = now.toISOString();
  if (found) return { access: 'granted', root: found.root, groups: found.groups, checkedAt: at, syncedAt: at, calls: found.calls, throttled: found.throttled };
  return { ...(previous ?? { groups: [] }), access: 'denied', checkedAt: at, ...(error ? { error } : {}) };
}

/**
 * A resync: new subscriptions join (selected on the first link if enabled, or when a group chosen
 * whole covers them), vanished ones are flagged, not dropped, and moves between groups are recorded;
 * then the selection is worked out again from the hand-picked ones and the groups chosen whole.
 * Without a discovery (no access to the groups) the groups known from before are kept.
 */
export function mergeSubscriptions(
  previous: AzureSubscription[],
  found: AzureSubscriptionInfo[],
  now: Date,
  firstLink: boolean,
  groups?: { discovery?: ManagementGroupDiscovery; tree?: AzureGroupTree; followed?: readonly string[] },
): { subscriptions: AzureSubscription[]; changes: SubscriptionChanges } {
  const at = now.toISOString();
  const seen = new Map(found.map((s) => [s.subscriptionId, s]));
  const parents = groups?.discovery ? new Map(groups.discovery.subscriptions.map((s) => [s.subscriptionId, s.parentId])) : undefined;
  const changes: SubscriptionChanges = { added: [], missing: [], back: [], moved: [], selected: [], deselected: [] };
  const wasSelected = new Map(previous.map((p) => [p.subscriptionId, p.selected]));
  const merged: AzureSubscription[] = previous.map((p) => {
    const f = seen.get(p.subscriptionId);
    if (!f) {
      if (!p.missingSince) changes.missing.push(p.subscriptionId);
      return { ...p, missingSince: p.missingSince ?? at };
    }
    const { missingSince, ...rest } = p;
    if (missingSince) changes.back.push(p.subscriptionId);
    const next: AzureSubscription = { ...rest, displayName: f.displayName, state: f.state };
    if (parents) {
      const groupId = parents.get(p.subscriptionId);
      if (p.groupId && groupId !== p.groupId) {
        next.movedAt = at;
        next.movedFrom = p.groupId;
        changes.moved.push({ subscriptionId: p.subscriptionId, from: p.groupId, ...(groupId ? { to: groupId } : {}) });
      }
      if (groupId) next.groupId = groupId;
      else delete next.groupId;
    }
    return next;
  });
  for (const f of found) {
    if (previous.some((p) => p.subscriptionId === f.subscriptionId)) continue;
    const pick = firstLink && f.state === 'Enabled';
    const groupId = parents?.get(f.subscriptionId);
    merged.push({ subscriptionId: f.subscriptionId, displayName: f.displayName, state: f.state, selected: pick, pinned: pick, ...(groupId ? { groupId } : {}) });
    changes.added.push(f.subscriptionId);
  }
  applySelection(merged, groups?.followed ?? [], groups?.tree);
  for (const s of merged) {
    const before = wasSelected.get(s.subscriptionId) ?? false;
    if (s.selected && !before) changes.selected.push(s.subscriptionId);
    if (!s.selected && before) changes.deselected.push(s.subscriptionId);
  }
  return { subscriptions: merged, changes };
}
