import type { Recipient } from '../../engine/domain/records.js';
import { PermanentDeliveryError, type Notification, type Notifier } from '../../engine/ports/notifier.js';
import type { Logger } from '../../log.js';
import { signature, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signature.js';

/** Where a subscriber's deliveries go and the secret they are signed with, looked up on every delivery (a deleted subscriber gets none). */
export type SubscriberLookup = (id: string) => Promise<{ url: string; secret: string } | undefined>;

export type WebhookNotifierOptions = { lookup: SubscriberLookup; timeoutMs: number; log: Logger; now?: () => number };

/**
 * The Notifier port on HTTP: each webhook event is POSTed as CloudEvents structured JSON, signed when
 * it is sent (a retry carries a fresh timestamp, the same event id). Any 2xx is delivered; anything
 * else, a redirect included (followed, it could point anywhere), is retried by the outbox with
 * backoff. Nothing about the subscriber's URL or secret reaches the error text: it is stored and shown.
 */
export class WebhookNotifier implements Notifier {
  readonly channels = new Set<Recipient['channel']>(['webhook']);

  constructor(private readonly opts: WebhookNotifierOptions) {}

  async deliver(to: Recipient, n: Notification): Promise<void> {
    if (n.kind !== 'webhook_event') throw new PermanentDeliveryError(`a ${n.kind} notification cannot go to a webhook`);
    const sub = await this.opts.lookup(to.id);
    if (!sub) throw new PermanentDeliveryError('the webhook subscriber was deleted');
    const body = JSON.stringify(n.event);
    const timestamp = Math.floor((this.opts.now?.() ?? Date.now()) / 1000);
    let res: Response;
    try {
      res = await fetch(sub.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(this.opts.timeoutMs),
        headers: {
          'content-type': 'application/cloudevents+json; charset=utf-8',
          'user-agent': 'cloudlink-webhooks/1',
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signature(sub.secret, timestamp, body),
          'x-cloudlink-event-id': n.event.id,
        },
        body,
      });
    } catch (e) {
      const name = (e as Error)?.name;
      throw new Error(name === 'TimeoutError' || name === 'AbortError' ? `the receiver did not answer within ${this.opts.timeoutMs} ms` : 'the receiver could not be reached (connection refused, DNS or TLS error)');
    }
    await res.body?.cancel().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) {
      this.opts.log.debug('webhook delivered', { subscriber: to.id, type: n.event.type, status: res.status });
      return;
    }
    // 410 Gone is the receiver saying it wants no more of this: retrying would not change its mind.
    if (res.status === 410) throw new PermanentDeliveryError('the receiver answered HTTP 410 Gone');
    throw new Error(`the receiver answered HTTP ${res.status}`);
  }
}
