import { randomUUID } from 'node:crypto';
import type { ActorRef, Database, Invitee, Recipient } from './domain/records.js';
import type { Notification } from './ports/notifier.js';

/** Where a person can be told things, if anywhere: Slack users by DM, others where their actor says (`reach`); system actors have no inbox. */
export function recipientOf(who: ActorRef | Invitee): Recipient | undefined {
  if ('reach' in who && who.reach) return who.reach;
  const channel = 'channel' in who && who.channel ? who.channel : 'via' in who && who.via === 'slack' ? 'slack' : undefined;
  if (!channel || channel === 'none') return undefined;
  return { channel, id: who.id, ...(who.name ? { name: who.name } : {}) };
}

/**
 * Writes a notification into the outbox, inside the mutation that makes the change it announces.
 * `orderKey`: items sharing it are delivered in the order written, each after the one before.
 */
export function enqueue(db: Database, now: Date, to: Recipient, notification: Notification, orderKey?: string): string {
  const id = randomUUID();
  db.outbox.push({ id, createdAt: now.toISOString(), recipient: to, notification, status: 'pending', attempts: 0, ...(orderKey ? { orderKey } : {}) });
  return id;
}
