import type { StandardSchemaWithJSON } from '@modelcontextprotocol/server';
import type { z } from 'zod';
import { CloudlinkError } from '../engine/errors.js';
import { parseInput } from '../engine/validate.js';

type JsonOptions = { target: string };
type Converter = { input(o: JsonOptions): Record<string, unknown>; output(o: JsonOptions): Record<string, unknown> };

const deepFreeze = <T>(v: T): T => {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
};

const cached = new WeakMap<z.ZodType, { checked: StandardSchemaWithJSON; trusted: StandardSchemaWithJSON }>();

/**
 * A tool's zod schema as the SDK takes it (a Standard Schema with its JSON Schema), converted to
 * JSON Schema once per process rather than once per server instance: a 2026-07-28 HTTP server
 * builds an instance per request, and the conversion of ~45 tools' schemas would be most of it.
 * `trusted` skips validating values against it: tool results are built by the engine from typed
 * views, and checking 100 account views on every call costs as much as building them (clients that
 * check structured content against the output schema still do).
 */
export function sdkSchema(schema: z.ZodType, mode: 'checked' | 'trusted'): StandardSchemaWithJSON<Record<string, unknown>, Record<string, unknown>> {
  let entry = cached.get(schema);
  if (!entry) {
    const std = schema['~standard'] as unknown as StandardSchemaWithJSON['~standard'] & { jsonSchema: Converter };
    const json = new Map<string, Record<string, unknown>>();
    const memo = (io: 'input' | 'output') => (o: JsonOptions) => {
      const key = `${io}\u0000${o.target}`;
      let j = json.get(key);
      // Frozen, not copied: shared by every instance, and a mutation by anyone would be a bug.
      if (!j) json.set(key, (j = deepFreeze(std.jsonSchema[io](o))));
      return j;
    };
    const jsonSchema = { input: memo('input'), output: memo('output') };
    const make = (validate: StandardSchemaWithJSON['~standard']['validate']) => ({ '~standard': { version: 1, vendor: std.vendor, validate, jsonSchema } }) as unknown as StandardSchemaWithJSON;
    // Refused arguments come back in the engine's words, with its code and what to do (the SDK puts
    // them after its own "Invalid arguments for tool …"), as every other error a caller can cause.
    const checked = (value: unknown) => {
      try {
        return { value: parseInput(schema, value, 'arguments') };
      } catch (e) {
        if (!(e instanceof CloudlinkError)) throw e;
        // After the SDK's own "Invalid arguments for tool …:", without saying it twice.
        return { issues: [{ message: `${e.message.replace(/^Invalid arguments: /, '')} (error code: ${e.code})` }] };
      }
    };
    entry = { checked: make(checked), trusted: make((value: unknown) => ({ value })) };
    cached.set(schema, entry);
  }
  return entry[mode] as StandardSchemaWithJSON<Record<string, unknown>, Record<string, unknown>>;
}
