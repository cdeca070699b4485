import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { EngineCore, DeliveryResult } from '../context.js';
import { Notification } from '../ports/notifier.js';
import type { OutboxItem } from '../domain/records.js';

const CLAIM_MS = 60_000;

/**
 * How long a channel's deliveries are retried. A person's Slack message is worth retrying for minutes
 * (Slack is up, or the news is stale); a webhook receiver may be down for a deploy or a night, and its
 * events are in order per account, so they wait for it: about 13 hours before giving up.
 */
export function retryPolicy(channel: string): { maxAttempts: number; delayMs(attempts: number): number } {
  const [maxAttempts, capMs] = channel === 'webhook' ? [24, 3_600_000] : [8, 300_000];
  return { maxAttempts, delayMs: (attempts) => Math.min(2 ** attempts * 1000, capMs) };
}
const KEEP_DELIVERED_MS = 86_400_000;
const KEEP_FAILED_MS = 7 * 86_400_000;
/** Ordered queues (a webhook subscriber's account) delivered at once. */
const QUEUES_AT_ONCE = 16;

type Result = { ok: true } | { ok: false; error: string; permanent: boolean };

/**
 * Delivers the outbox on the channels this process can reach. Items are claimed through the store (so
 * two processes never both deliver one), delivered, then marked; a claim left by a crashed process
 * lapses after a minute and the item is delivered again (at least once). Failures back off.
 */
export class OutboxDispatcher {
  private readonly owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private timer?: NodeJS.Timeout;
  private kicked = false;
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(private readonly core: EngineCore) {}

  start(intervalMs: number) {
    this.stop();
    this.timer = setInterval(() => this.kick(), intervalMs);
    this.timer.unref();
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Soon, once: something new may be waiting. */
  kick() {
    if (this.kicked || !this.core.notifier.channels.size) return;
    this.kicked = true;
    setImmediate(() => {
      this.kicked = false;
      void this.deliver().catch((e) => this.core.log.warn('could not deliver notifications', { error: e }));
    });
  }

  /** Resolves once every delivery under way has been recorded: a stopping service waits for it. */
  async idle(): Promise<void> {
    while (this.inflight.size || this.kicked) await Promise.allSettled([...this.inflight, new Promise((r) => setImmediate(r))]);
  }

  private due(item: OutboxItem, now: number, ids?: Set<string>) {
    return (
      item.status === 'pending' &&
      this.core.notifier.channels.has(item.recipient.channel) &&
      (!ids || ids.has(item.id)) &&
      (!item.claim || Date.parse(item.claim.until) <= now) &&
      (!item.nextAttemptAt || Date.parse(item.nextAttemptAt) <= now)
    );
  }

  /**
   * What is due, in outbox order. Items sharing an `orderKey` go strictly one after another: only the
   * oldest pending one of a key, and those right behind it, may go; an older one that is not due (it is
   * waiting for its retry, or another process holds it) holds back every later one of its key.
   */
  private dueItems(outbox: readonly OutboxItem[], now: number, ids?: Set<string>): OutboxItem[] {
    const held = new Set<string>();
    const out: OutboxItem[] = [];
    for (const item of outbox) {
      if (item.status !== 'pending') continue;
      const key = item.orderKey;
      if (key && held.has(key)) continue;
      if (this.due(item, now, ids)) out.push(item);
      else if (key) held.add(key);
    }
    return out;
  }

  /** Delivers what is due (only `ids`, when given); says for each of `ids` what became of it. */
  deliver(only?: string[]): Promise<DeliveryResult[]> {
    const run = this.deliverNow(only);
    this.inflight.add(run);
    void run.finally(() => this.inflight.delete(run)).catch(() => undefined);
    return run;
  }

  private async deliverOne(item: OutboxItem): Promise<Result> {
    const parsed = Notification.safeParse(item.notification);
    if (!parsed.success) return { ok: false, error: 'unreadable notification', permanent: true };
    const t0 = performance.now();
    try {
      await this.core.notifier.deliver(item.recipient, parsed.data);
      this.core.meter?.job('outbox-delivery', 'ok', performance.now() - t0);
      return { ok: true };
    } catch (e) {
      this.core.meter?.job('outbox-delivery', 'error', performance.now() - t0);
      return { ok: false, error: (e as Error)?.message?.slice(0, 200) ?? 'delivery failed', permanent: (e as { permanent?: unknown })?.permanent === true };
    }
  }

  private async deliverNow(only?: string[]): Promise<DeliveryResult[]> {
    const ids = only ? new Set(only) : undefined;
    const now = this.core.now().getTime();
    const snapshot = await this.core.store.read();
    if (!this.dueItems(snapshot.outbox, now, ids).length) return (only ?? []).map(() => 'queued');
    const until = new Date(now + CLAIM_MS).toISOString();
    const claimed = await this.core.store.mutate((db) => {
      const mine = this.dueItems(db.outbox, now, ids);
      for (const i of mine) i.claim = { by: this.owner, until };
      return mine.map((i) => ({ ...i }));
    });
    // Unordered items go one by one, as before; each ordered key is a queue of its own, several at once,
    // so one slow receiver does not hold up the others. A failure stops its queue: what is behind it
    // is released untouched and waits for the retry.
    const queues = new Map<string, OutboxItem[]>();
    for (const item of claimed) {
      const k = item.orderKey ?? '';
      const q = queues.get(k);
      if (q) q.push(item);
      else queues.set(k, [item]);
    }
    const results = new Map<string, Result | 'released'>();
    const runQueue = async (key: string, items: OutboxItem[]) => {
      for (let i = 0; i < items.length; i++) {
        const r = await this.deliverOne(items[i]!);
        results.set(items[i]!.id, r);
        if (!r.ok && key && !r.permanent) {
          for (const rest of items.slice(i + 1)) results.set(rest.id, 'released');
          return;
        }
      }
    };
    const pending = [...queues.entries()];
    await Promise.all(
      Array.from({ length: Math.min(QUEUES_AT_ONCE, pending.length) }, async () => {
        for (let next = pending.shift(); next; next = pending.shift()) await runQueue(next[0], next[1]);
      }),
    );
    await this.core.store.mutate((db) => {
      const at = this.core.now();
      for (const item of db.outbox) {
        const r = results.get(item.id);
        if (!r || item.claim?.by !== this.owner) continue;
        delete item.claim;
        if (r === 'released') continue;
        item.attempts += 1;
        if (r.ok) {
          item.status = 'delivered';
          item.deliveredAt = at.toISOString();
        } else {
          item.lastError = r.error;
          const policy = retryPolicy(item.recipient.channel);
          if (r.permanent || item.attempts >= policy.maxAttempts) item.status = 'failed';
          else item.nextAttemptAt = new Date(at.getTime() + policy.delayMs(item.attempts)).toISOString();
        }
      }
      db.outbox = db.outbox.filter((i) => !(i.status === 'delivered' && at.getTime() - Date.parse(i.deliveredAt ?? i.createdAt) > KEEP_DELIVERED_MS) && !(i.status === 'failed' && at.getTime() - Date.parse(i.createdAt) > KEEP_FAILED_MS));
    });
    const byId = new Map(claimed.map((i) => [i.id, i]));
    for (const [id, r] of results) {
      if (r === 'released' || r.ok) continue;
      const to = byId.get(id)?.recipient;
      // Who it was for (a Slack user, a webhook subscriber by name): what an operator looks up first.
      this.core.log.warn('a notification could not be delivered', { itemId: id, channel: to?.channel, recipient: to?.name ?? to?.id, error: r.error });
    }
    return (only ?? []).map((id) => {
      const r = results.get(id);
      return !r || r === 'released' ? 'queued' : r.ok ? 'delivered' : 'failed';
    });
  }
}
