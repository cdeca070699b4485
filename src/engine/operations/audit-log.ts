import { z } from 'zod';
import { findAccount } from '../lookup.js';
import { defineOperation, READS } from '../registry/operation.js';
import { AuditEntry } from '../domain/records.js';

export const getAuditLog = defineOperation({
  name: 'get_audit_log',
  title: 'Read the audit log',
  description: 'Lists recent changes (who, from which front end, what, when), newest first; optionally only those about one account (name or id).',
  input: z
    .object({
      account: z.string().max(200).optional().describe('Only entries about this account (name or id). Deleted accounts: use the id.'),
      limit: z.number().int().min(1).max(500).default(50),
    })
    .strict(),
  output: z.object({ entries: z.array(AuditEntry) }),
  permission: 'read',
  nature: READS,
  summarize: (o) =>
    o.entries.length ? o.entries.map((e) => `${e.at} ${e.actor.name ?? e.actor.id} (${e.actor.via}) ${e.operation} ${e.target.name ?? e.target.id}${e.outcome === 'refused' ? ' [refused]' : ''}`).join('\n') : 'No audit entries.',
  async run(ctx, input) {
    const db = await ctx.store.read();
    const id = input.account ? (findAccount(db, input.account)?.id ?? input.account.trim()) : undefined;
    return { entries: db.audit.filter((e) => !id || e.target.id === id).slice(-input.limit).reverse() };
  },
});
