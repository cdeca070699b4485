import { randomUUID } from 'node:crypto';
import type { EngineCore, EngineSettings, WebhookSettings } from '../context.js';
import type { Account, Database } from '../domain/records.js';
import { enqueue } from '../outbox.js';
import { accountView, PUBLIC_READER } from '../views.js';
import type { CloudEvent, WebhookEventType } from './schema.js';

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = { allowHttp: false, source: 'urn:cloudlink' };
export const webhookSettings = (s: EngineSettings): WebhookSettings => s.webhooks ?? DEFAULT_WEBHOOK_SETTINGS;

/**
 * Tells every subscriber that hears `type`, inside the write that makes the change (the transactional
 * outbox): the event is stored with the change or not at all. One event id for all subscribers (a
 * CloudEvent is identified by source and id); each subscriber's deliveries about one subject are
 * ordered. Data carries views for nobody in particular: no External ID, no key.
 */
export function announce(core: Pick<EngineCore, 'now' | 'settings'>, db: Database, type: WebhookEventType, subject: string, data: Record<string, unknown>) {
  if (!db.webhooks.length) return;
  const listening = db.webhooks.filter((s) => !s.events.length || s.events.includes(type));
  if (!listening.length) return;
  const now = core.now();
  const event: CloudEvent = { specversion: '1.0', id: randomUUID(), source: webhookSettings(core.settings).source, type, subject, time: now.toISOString(), datacontenttype: 'application/json', data: JSON.parse(JSON.stringify(data)) as Record<string, unknown> };
  for (const s of listening) enqueue(db, now, { channel: 'webhook', id: s.id, name: s.name }, { kind: 'webhook_event', event: structuredClone(event) }, `${s.id}:${subject}`);
}

/** An account event, the account as nobody in particular sees it (built here: a caller's view may hold more). */
export function announceAccount(core: Pick<EngineCore, 'now' | 'settings' | 'families'>, db: Database, type: WebhookEventType, account: Account, extra: Record<string, unknown> = {}) {
  if (!db.webhooks.length) return;
  announce(core, db, type, account.id, { account: accountView(core, account, db, PUBLIC_READER), ...extra });
}
