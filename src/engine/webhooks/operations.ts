import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { OpContext } from '../context.js';
import { CloudlinkError } from '../errors.js';
import { AccountName, type Database, type OutboxItem } from '../domain/records.js';
import { defineOperation, DESTROYS, READS, WRITES, type AnyOperation } from '../registry/operation.js';
import { webhookSettings } from './announce.js';
import { DeliveryView, WebhookEventType, WebhookView, WEBHOOK_EVENTS, type WebhookSubscriber } from './schema.js';

const WebhookRef = z.string().min(1).max(200).describe('Name (case-insensitive) or id of the webhook subscriber.');

const isWebhookItem = (i: OutboxItem) => i.recipient.channel === 'webhook';

function requireWebhook(db: Readonly<Database>, ref: string): WebhookSubscriber {
  const r = ref.trim();
  const found = db.webhooks.find((w) => w.id === r) ?? db.webhooks.find((w) => w.name.toLowerCase() === r.toLowerCase());
  if (!found) throw new CloudlinkError('NOT_FOUND', `No webhook subscriber is called "${r.slice(0, 80)}". List them (list_webhooks) to see their exact names.`, { webhook: 'No such subscriber.' });
  return found;
}

function deliveryView(i: OutboxItem): DeliveryView {
  const event = (i.notification as { event?: { id?: string; type?: string; subject?: string } }).event ?? {};
  return {
    id: i.id,
    eventId: event.id ?? '',
    type: event.type ?? i.notification.kind,
    subject: event.subject ?? '',
    status: i.status,
    attempts: i.attempts,
    createdAt: i.createdAt,
    ...(i.deliveredAt ? { deliveredAt: i.deliveredAt } : {}),
    ...(i.status === 'pending' && i.nextAttemptAt ? { nextAttemptAt: i.nextAttemptAt } : {}),
    ...(i.lastError ? { lastError: i.lastError } : {}),
  };
}

/** Each subscriber's deliveries, newest last, from one pass over the outbox. */
function deliveriesBySubscriber(db: Readonly<Database>): Map<string, OutboxItem[]> {
  const by = new Map<string, OutboxItem[]>();
  for (const i of db.outbox) {
    if (!isWebhookItem(i)) continue;
    const list = by.get(i.recipient.id);
    if (list) list.push(i);
    else by.set(i.recipient.id, [i]);
  }
  return by;
}

function webhookView(w: WebhookSubscriber, items: readonly OutboxItem[]): WebhookView {
  const count = (s: OutboxItem['status']) => items.filter((i) => i.status === s).length;
  // The last one that happened: delivered or failed most recently, else the newest pending.
  const settled = items.filter((i) => i.status !== 'pending' || i.attempts > 0);
  const last = settled.at(-1) ?? items.at(-1);
  return {
    id: w.id,
    name: w.name,
    url: w.url,
    events: w.events,
    createdBy: w.createdBy,
    createdAt: w.createdAt,
    deliveries: { pending: count('pending'), delivered: count('delivered'), failed: count('failed') },
    ...(last ? { lastDelivery: deliveryView(last) } : {}),
  };
}

/** A subscriber URL: https (http only where the operator allows it), no credentials in it. */
function checkUrl(ctx: OpContext, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new CloudlinkError('INVALID_INPUT', 'The webhook URL is not a URL. Give the full address, such as https://hooks.example.com/cloudlink.', { url: 'Not a URL.' });
  }
  const allowHttp = webhookSettings(ctx.settings).allowHttp;
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) {
    throw new CloudlinkError('INVALID_INPUT', `Webhook URLs must use https:// (this one uses ${url.protocol.replace(':', '')}). Serve the receiver over TLS${allowHttp ? '' : ', or ask the operator to allow http:// (CLOUDLINK_WEBHOOK_ALLOW_HTTP=true) for a receiver on a trusted network'}.`, { url: 'Use https://.' });
  }
  if (url.username || url.password) throw new CloudlinkError('INVALID_INPUT', 'The webhook URL must not carry a user name or password: cloudlink signs every delivery instead (check the X-Cloudlink-Signature header).', { url: 'No credentials in the URL.' });
  url.hash = '';
  return url.toString();
}

export const createWebhook = defineOperation({
  name: 'create_webhook',
  title: 'Register a webhook subscriber',
  description: `Registers a URL that receives an HMAC-signed POST (a CloudEvents 1.0 JSON event) whenever an account is linked, renamed, deleted or changes health, or an organization member is added or suspended. Optionally only some event types (${WEBHOOK_EVENTS.join(', ')}). Returns the signing secret once: store it where the receiver can read it; cloudlink never shows it again.`,
  input: z
    .object({
      name: AccountName.describe('A name for the subscriber (unique); typed to confirm a delete.'),
      url: z.string().max(2000).describe('Where deliveries are POSTed: https://… (http:// only where the operator allows it).'),
      events: z.array(WebhookEventType).max(WEBHOOK_EVENTS.length).optional().describe('Only these event types; all of them when absent.'),
    })
    .strict(),
  output: z.object({ webhook: WebhookView, secret: z.string().describe('The signing secret, shown this once: HMAC-SHA256 key of the X-Cloudlink-Signature header.') }),
  permission: 'webhooks',
  nature: WRITES,
  // The signing secret is shown once, to a person: not through an assistant.
  exposure: { mcp: false },
  summarize: (o) => `Webhook "${o.webhook.name}" registered for ${o.webhook.url}. Its signing secret (shown only now): ${o.secret}`,
  async run(ctx, input) {
    const url = checkUrl(ctx, input.url);
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const now = ctx.now().toISOString();
    const webhook: WebhookSubscriber = { id: randomUUID(), name: input.name, url, events: [...new Set(input.events ?? [])], secret: ctx.secrets.seal(secret), createdBy: { id: ctx.actor.id, via: ctx.actor.via, ...(ctx.actor.name ? { name: ctx.actor.name } : {}) }, createdAt: now };
    const view = await ctx.store.mutate((db) => {
      if (db.webhooks.some((w) => w.name.toLowerCase() === input.name.toLowerCase())) {
        throw new CloudlinkError('NAME_TAKEN', `A webhook subscriber called "${input.name}" already exists (names are case-insensitive). Choose another name.`, { name: 'This name is already taken.' });
      }
      db.webhooks.push(webhook);
      // The host only: a URL's path or query may itself carry a token.
      ctx.audit(db, { type: 'webhook', id: webhook.id, name: webhook.name }, { host: new URL(url).host, events: webhook.events });
      return webhookView(webhook, []);
    });
    return { webhook: view, secret };
  },
});

export const listWebhooks = defineOperation({
  name: 'list_webhooks',
  title: 'List webhook subscribers',
  description: 'Lists the webhook subscribers: name, URL, the event types each hears, how many deliveries are pending, delivered and failed, and the last delivery (with its error, if it failed).',
  input: z.object({}).strict(),
  output: z.object({ webhooks: z.array(WebhookView) }),
  permission: 'webhooks',
  nature: READS,
  summarize: (o) =>
    o.webhooks.length
      ? o.webhooks.map((w) => `• ${w.name} → ${w.url} (${w.deliveries.delivered} delivered, ${w.deliveries.pending} pending, ${w.deliveries.failed} failed)${w.lastDelivery ? `; last: ${w.lastDelivery.type} ${w.lastDelivery.status}${w.lastDelivery.lastError ? ` (${w.lastDelivery.lastError})` : ''}` : ''}`).join('\n')
      : 'No webhook subscribers. Register one with create_webhook (CLI or REST API).',
  async run(ctx) {
    const db = await ctx.store.read();
    const by = deliveriesBySubscriber(db);
    return { webhooks: db.webhooks.map((w) => webhookView(w, by.get(w.id) ?? [])) };
  },
});

export const listWebhookDeliveries = defineOperation({
  name: 'list_webhook_deliveries',
  title: "A webhook subscriber's delivery log",
  description: "A webhook subscriber's deliveries, newest first: event type and id, status (pending, delivered, failed), attempts, when, the next retry and the last error. Delivered ones are kept for a day, failed ones for a week.",
  input: z
    .object({
      webhook: WebhookRef,
      status: z.enum(['pending', 'delivered', 'failed']).optional().describe('Only deliveries with this status.'),
      limit: z.number().int().min(1).max(500).default(50).describe('At most this many (50 when absent).'),
      offset: z.number().int().min(0).default(0).describe('Skip this many of the newest (for the next page: offset + limit).'),
    })
    .strict(),
  output: z.object({ webhook: WebhookView, deliveries: z.array(DeliveryView), total: z.number().describe('How many match, before limit and offset.'), offset: z.number() }),
  permission: 'webhooks',
  nature: READS,
  summarize: (o) =>
    o.deliveries.length
      ? [`Deliveries to ${o.webhook.name}:`, ...o.deliveries.map((d) => `${d.createdAt} ${d.type} (${d.subject}) ${d.status}, ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}${d.lastError ? `: ${d.lastError}` : ''}`)].join('\n')
      : `No deliveries to ${o.webhook.name} in the log.`,
  async run(ctx, input) {
    const db = await ctx.store.read();
    const w = requireWebhook(db, input.webhook);
    const items = db.outbox.filter((i) => isWebhookItem(i) && i.recipient.id === w.id);
    const matching = items.filter((i) => !input.status || i.status === input.status).reverse();
    return { webhook: webhookView(w, items), deliveries: matching.slice(input.offset, input.offset + input.limit).map(deliveryView), total: matching.length, offset: input.offset };
  },
});

export const deleteWebhook = defineOperation({
  name: 'delete_webhook',
  title: 'Delete a webhook subscriber',
  description: 'Deletes a webhook subscriber and drops its pending deliveries. The human must confirm by typing the subscriber name: cloudlink asks them directly where the client can (never type it for them).',
  input: z
    .object({
      webhook: WebhookRef,
      confirmName: z.string().max(200).describe('The subscriber name exactly as stored, typed by the human to confirm.'),
      expectedId: z.string().max(100).optional().describe('The subscriber id the confirmation was given for; the delete is refused if the name now points elsewhere.'),
    })
    .strict(),
  output: z.object({ deleted: WebhookView, droppedDeliveries: z.number() }),
  permission: 'webhooks',
  nature: DESTROYS,
  confirm: {
    field: 'confirmName',
    idField: 'expectedId',
    refField: 'webhook',
    async subject(ctx, input) {
      const w = requireWebhook(await ctx.store.read(), input.webhook);
      return { id: w.id, name: w.name, question: `Delete the webhook subscriber "${w.name}" (${w.url})? It will hear nothing more, and its pending deliveries are dropped. Type the subscriber name to confirm.` };
    },
  },
  summarize: (o) => `Deleted the webhook subscriber "${o.deleted.name}"${o.droppedDeliveries ? `; ${o.droppedDeliveries} pending deliver${o.droppedDeliveries === 1 ? 'y was' : 'ies were'} dropped` : ''}.`,
  async run(ctx, input) {
    return ctx.store.mutate((db) => {
      const w = requireWebhook(db, input.webhook);
      if (input.expectedId && w.id !== input.expectedId) {
        throw new CloudlinkError('CONFIRMATION_MISMATCH', `The name "${input.webhook}" now belongs to a different subscriber than the one you confirmed. Nothing was deleted; look it up again.`);
      }
      if (input.confirmName !== w.name) {
        throw new CloudlinkError('CONFIRMATION_MISMATCH', `To delete, type the subscriber name exactly as it is: "${w.name}" (case and spaces matter). Nothing was deleted.`, { confirmName: `Type "${w.name}" exactly.` });
      }
      const mine = db.outbox.filter((i) => isWebhookItem(i) && i.recipient.id === w.id);
      const view = webhookView(w, mine);
      const dropped = mine.filter((i) => i.status === 'pending').length;
      db.outbox = db.outbox.filter((i) => !(isWebhookItem(i) && i.recipient.id === w.id));
      db.webhooks = db.webhooks.filter((x) => x.id !== w.id);
      ctx.audit(db, { type: 'webhook', id: w.id, name: w.name }, { droppedDeliveries: dropped });
      return { deleted: view, droppedDeliveries: dropped };
    });
  },
});

export const WEBHOOK_OPERATIONS: AnyOperation[] = [createWebhook, listWebhooks, listWebhookDeliveries, deleteWebhook];
