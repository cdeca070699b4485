import { randomUUID } from 'node:crypto';
import type { Actor, AuditEntry, Database } from './schemas.js';

/** Appends an audit entry inside the same mutation as the change it records, so neither exists alone. */
export function audit(
  db: Database,
  now: Date,
  actor: Actor,
  operation: string,
  target: AuditEntry['target'],
  details: Record<string, unknown> = {},
  outcome: AuditEntry['outcome'] = 'ok',
) {
  db.audit.push({
    id: randomUUID(),
    at: now.toISOString(),
    actor: actorRef(actor),
    operation,
    target,
    outcome,
    details,
  });
}

export const actorRef = (a: Actor) => ({ id: a.id, via: a.via, ...(a.name ? { name: a.name } : {}) });
