import { z } from 'zod';
import { defineOperation, READS, REWRITES } from '../registry/operation.js';

/**
 * Who looks at what a front end keeps current (Slack's App Home), and how they left it (their search,
 * their page). In the store, not in a process's memory: any instance can refresh anyone's view after a
 * change, and a restart forgets nobody.
 */
const MAX_PER_SURFACE = 500;

const Surface = z.string().min(1).max(50);
const State = z.record(z.string(), z.union([z.string().max(200), z.number(), z.boolean()])).default({});

export const rememberViewer = defineOperation({
  name: 'remember_viewer',
  title: 'Remember who views a surface',
  description: 'Records that a person has a view open (Slack App Home) and its state (search, page), so any instance refreshes it after a change.',
  input: z.object({ surface: Surface, state: State.optional() }).strict(),
  output: z.object({ state: State }),
  permission: 'read',
  nature: REWRITES,
  exposure: { mcp: false, cli: false },
  summarize: () => 'remembered',
  async run(ctx, input) {
    const at = ctx.now().toISOString();
    return ctx.store.mutate((db) => {
      const id = `${input.surface}:${ctx.actor.id}`;
      const existing = db.viewers.find((v) => v.id === id);
      const state = input.state ?? existing?.state ?? {};
      if (existing) Object.assign(existing, { state, seenAt: at });
      else db.viewers.push({ id, surface: input.surface, userId: ctx.actor.id, state, seenAt: at });
      const here = db.viewers.filter((v) => v.surface === input.surface);
      if (here.length > MAX_PER_SURFACE) {
        const drop = new Set(here.sort((a, b) => a.seenAt.localeCompare(b.seenAt)).slice(0, here.length - MAX_PER_SURFACE).map((v) => v.id));
        db.viewers = db.viewers.filter((v) => !drop.has(v.id));
      }
      return { state };
    });
  },
});

export const listViewers = defineOperation({
  name: 'list_viewers',
  title: 'Who views a surface',
  description: 'The people with a view open on a surface (Slack App Home), most recent first, with the state they left it in.',
  input: z.object({ surface: Surface, userId: z.string().max(200).optional(), limit: z.number().int().min(1).max(MAX_PER_SURFACE).default(50) }).strict(),
  output: z.object({ viewers: z.array(z.object({ userId: z.string(), state: State, seenAt: z.string() })) }),
  permission: 'read',
  nature: READS,
  exposure: { mcp: false, cli: false },
  summarize: (o) => `${o.viewers.length} viewers`,
  async run(ctx, input) {
    const db = await ctx.store.read();
    const viewers = db.viewers
      .filter((v) => v.surface === input.surface && (!input.userId || v.userId === input.userId))
      .sort((a, b) => b.seenAt.localeCompare(a.seenAt))
      .slice(0, input.limit)
      .map((v) => ({ userId: v.userId, state: v.state, seenAt: v.seenAt }));
    return { viewers };
  },
});
