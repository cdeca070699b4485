import type { z } from 'zod';
import { fromZodError } from './errors.js';

/** Parses input at the engine's edge: every operation, whichever front end called it. */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown, what = 'input'): z.infer<S> {
  const r = schema.safeParse(raw);
  if (!r.success) throw fromZodError(r.error, what);
  return r.data;
}
