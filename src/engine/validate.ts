import type { z } from 'zod';
import { fromZodError } from './errors.js';

/** What a top-level field is for, from its schema's description: said when the field is missing. */
function describeField(schema: z.ZodType, key: string): string | undefined {
  const shape = (schema as unknown as { shape?: Record<string, z.ZodType> }).shape;
  return shape?.[key]?.description;
}

/** Parses input at the engine's edge: every operation, whichever front end called it. */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown, what = 'input'): z.infer<S> {
  const r = schema.safeParse(raw);
  if (!r.success) throw fromZodError(r.error, what, (key) => describeField(schema, key));
  return r.data;
}
