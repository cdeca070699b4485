import { randomUUID } from 'node:crypto';
import type { Actor, ActorRef, AuditEntry, AuditTarget, Database } from './domain/records.js';

export const actorRef = (a: Actor): ActorRef => ({ id: a.id, via: a.via, ...(a.name ? { name: a.name } : {}), ...(a.reach ? { reach: a.reach } : {}) });

/** Appends an audit entry inside the same mutation as the change it records. */
export function appendAudit(db: Database, now: Date, actor: Actor, operation: string, target: AuditTarget, details: Record<string, unknown> = {}, outcome: AuditEntry['outcome'] = 'ok') {
  db.audit.push({ id: randomUUID(), at: now.toISOString(), actor: actorRef(actor), operation, target, outcome, details });
}
