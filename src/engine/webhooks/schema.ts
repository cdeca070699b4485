import { z } from 'zod';
import { ActorRef } from '../domain/base.js';

/**
 * Webhook subscribers and the events they hear, as CloudEvents 1.0 (structured JSON mode). A delivery
 * is an outbox item on the `webhook` channel: retried with backoff, in order per account, at least once.
 */

export const WEBHOOK_EVENTS = [
  'cloudlink.account.linked',
  'cloudlink.account.renamed',
  'cloudlink.account.deleted',
  'cloudlink.account.health_changed',
  'cloudlink.organization.member_added',
  'cloudlink.organization.member_suspended',
] as const;
export const WebhookEventType = z.enum(WEBHOOK_EVENTS);
export type WebhookEventType = z.infer<typeof WebhookEventType>;

/** The sealed signing secret: AES-256-GCM with the configured key, like private keys. */
const SealedSecret = z.object({ iv: z.string(), tag: z.string(), data: z.string(), keyId: z.string() });

export const WebhookSubscriber = z.object({
  id: z.string(),
  /** Unique (case-insensitive); typed to confirm a delete. */
  name: z.string(),
  url: z.string(),
  /** The event types it hears; empty: every type. */
  events: z.array(WebhookEventType).default([]),
  secret: SealedSecret,
  createdBy: ActorRef,
  createdAt: z.string(),
});
export type WebhookSubscriber = z.infer<typeof WebhookSubscriber>;

/** A CloudEvents 1.0 event in structured JSON mode: what a receiver gets as the request body. */
export const CloudEvent = z.object({
  specversion: z.literal('1.0'),
  id: z.string().describe('Unique per event: a receiver de-duplicates retried deliveries on it.'),
  source: z.string(),
  type: WebhookEventType,
  subject: z.string().describe('The cloudlink account id (or aws:<12-digit id> for an organization member not linked yet): events about one subject arrive in order.'),
  time: z.string(),
  datacontenttype: z.literal('application/json'),
  data: z.record(z.string(), z.unknown()),
});
export type CloudEvent = z.infer<typeof CloudEvent>;

export const DeliveryView = z.object({
  id: z.string().describe('The delivery (outbox item) id.'),
  eventId: z.string().describe('The CloudEvent id, the same on every retry.'),
  type: z.string(),
  subject: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number(),
  createdAt: z.string(),
  deliveredAt: z.string().optional(),
  nextAttemptAt: z.string().optional(),
  lastError: z.string().optional(),
});
export type DeliveryView = z.infer<typeof DeliveryView>;

/** What leaves the engine about a subscriber: never its secret. */
export const WebhookView = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  events: z.array(WebhookEventType).describe('The event types it hears; empty: all of them.'),
  createdBy: ActorRef,
  createdAt: z.string(),
  deliveries: z.object({ pending: z.number(), delivered: z.number(), failed: z.number() }).describe('Deliveries kept in the log (delivered for a day, failed for a week).'),
  lastDelivery: DeliveryView.optional(),
});
export type WebhookView = z.infer<typeof WebhookView>;
