import { z } from 'zod';
import { CloudlinkError } from '../errors.js';
import { findAccount } from '../lookup.js';
import { defineOperation, READS } from '../registry/operation.js';
import { AuditEntry } from '../domain/records.js';

export const getAuditLog = defineOperation({
  name: 'get_audit_log',
  title: 'Read the audit log',
  description: 'Lists recent changes (who, from which front end, what, when), newest first; optionally only those about one account (name or id). Pages with limit and offset; total says how many match.',
  input: z
    .object({
      account: z.string().max(200).optional().describe('Only entries about this account (name or id). Deleted accounts: use the id.'),
      limit: z.number().int().min(1).max(500).default(50),
      offset: z.number().int().min(0).default(0).describe('Skip this many of the newest matching entries (for the next page: offset + limit).'),
    })
    .strict(),
  output: z.object({ entries: z.array(AuditEntry), total: z.number().describe('How many entries match, before limit and offset.'), offset: z.number() }),
  permission: 'read',
  nature: READS,
  summarize: (o) =>
    o.entries.length ? o.entries.map((e) => `${e.at} ${e.actor.name ?? e.actor.id} (${e.actor.via}) ${e.operation} ${e.target.name ?? e.target.id}${e.outcome === 'refused' ? ' [refused]' : ''}`).join('\n') : 'No audit entries.',
  async run(ctx, input) {
    const db = await ctx.store.read();
    const linked = input.account ? findAccount(db, input.account) : undefined;
    const id = input.account ? (linked?.id ?? input.account.trim()) : undefined;
    // Newest first without copying the whole log: walk it from its end.
    const entries: z.infer<typeof AuditEntry>[] = [];
    let total = 0;
    for (let i = db.audit.length - 1; i >= 0; i--) {
      const e = db.audit[i]!;
      if (id && e.target.id !== id) continue;
      if (total >= input.offset && entries.length < input.limit) entries.push(e);
      total++;
    }
    // Neither a linked account nor the id of one that was (a deleted account is found by its id).
    if (input.account && !linked && total === 0) {
      throw new CloudlinkError('NOT_FOUND', `No account is called "${input.account.slice(0, 80)}", and no audit entry is about an account with that id. List accounts to see their exact names; a deleted account's entries are found by its id.`, { account: 'No such account.' });
    }
    return { entries, total, offset: input.offset };
  },
});
