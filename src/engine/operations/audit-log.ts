import { z } from 'zod';
import type { EngineContext } from '../context.js';
import { findAccount } from '../lookup.js';
import { requirePermission } from '../permissions.js';
import { AuditEntry, type Actor } from '../schemas.js';
import { parseInput } from '../validate.js';

export const ListAuditInput = z
  .object({
    account: z.string().max(200).optional().describe('Only entries about this account (name or id). Deleted accounts: use the id.'),
    limit: z.number().int().min(1).max(500).default(50),
  })
  .strict();
export const ListAuditOutput = z.object({ entries: z.array(AuditEntry) });

export async function listAudit(ctx: EngineContext, actor: Actor, raw: unknown = {}) {
  const input = parseInput(ListAuditInput, raw);
  requirePermission(actor, 'read', ctx.settings);
  const db = await ctx.store.read();
  const id = input.account ? (findAccount(db, input.account)?.id ?? input.account.trim()) : undefined;
  const entries = db.audit.filter((e) => !id || e.target.id === id).slice(-input.limit).reverse();
  return { entries };
}
