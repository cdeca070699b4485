import type { AzureSubscriptionInfo } from '../../ports/microsoft.js';
import type { AzureSubscription } from './schema.js';

/** New subscriptions join (selected on the first link if enabled), vanished ones are flagged, not dropped. */
export function mergeSubscriptions(previous: AzureSubscription[], found: AzureSubscriptionInfo[], now: Date, firstLink: boolean): AzureSubscription[] {
  const seen = new Map(found.map((s) => [s.subscriptionId, s]));
  const merged: AzureSubscription[] = previous.map((p) => {
    const f = seen.get(p.subscriptionId);
    if (!f) return { ...p, missingSince: p.missingSince ?? now.toISOString() };
    const { missingSince: _gone, ...rest } = p;
    return { ...rest, displayName: f.displayName, state: f.state };
  });
  for (const f of found) {
    if (!previous.some((p) => p.subscriptionId === f.subscriptionId)) merged.push({ subscriptionId: f.subscriptionId, displayName: f.displayName, state: f.state, selected: firstLink && f.state === 'Enabled' });
  }
  return merged;
}
