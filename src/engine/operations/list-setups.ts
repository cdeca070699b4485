import { z } from 'zod';
import { defineOperation, READS } from '../registry/operation.js';
import { Provider } from '../domain/records.js';
import { setupStatusAt, setupView, SetupView } from '../views.js';

/**
 * The setups still open (or, on request, every one), newest first: what an assistant resumes, and
 * what MCP completions offer for a setup id. Views hide each setup's details from readers who may
 * not see them, as everywhere.
 */
export const listSetups = defineOperation({
  name: 'list_setups',
  title: 'List setups',
  description:
    'Lists setups (links started but not necessarily finished), newest first: by default only the open ones, optionally of one provider or whose id or name contains some text. Use it to resume a setup someone started (then get_setup_status or get_setup_handout with its setupId).',
  input: z
    .object({
      provider: Provider.optional().describe('Only setups of this provider.'),
      search: z.string().max(200).optional().describe('Only setups whose id or name contains this text, case-insensitive.'),
      includeClosed: z.boolean().default(false).describe('Also completed and expired setups.'),
      limit: z.number().int().min(1).max(1000).default(50).describe('At most this many (50 when absent).'),
      offset: z.number().int().min(0).default(0).describe('Skip this many (for the next page: offset + limit).'),
    })
    .strict(),
  output: z.object({ setups: z.array(SetupView), total: z.number().describe('How many match, before limit and offset.'), offset: z.number() }),
  permission: 'read',
  nature: READS,
  summarize: (o) => (o.total ? `${o.total} setup${o.total === 1 ? '' : 's'}:\n${o.setups.map((s) => `• ${s.setupId} ${s.what}${s.name ? ` "${s.name}"` : ''} ${s.status} (expires ${s.expiresAt})`).join('\n')}` : 'No setups match.'),
  async run(ctx, input) {
    const db = await ctx.store.read();
    const now = ctx.now();
    const q = input.search?.trim().toLowerCase();
    const matching = db.setups
      .filter((s) => (input.includeClosed || setupStatusAt(s, now) === 'open') && (!input.provider || s.provider === input.provider) && (!q || `${s.id}\n${s.name ?? ''}`.toLowerCase().includes(q)))
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
    return { setups: matching.slice(input.offset, input.offset + input.limit).map((s) => setupView(ctx, s, db, ctx.reader)), total: matching.length, offset: input.offset };
  },
});
