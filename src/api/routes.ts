import type { Engine } from '../engine/engine.js';
import { CloudlinkError } from '../engine/errors.js';
import { exposure, type AnyOperation } from '../engine/registry/operation.js';
import { jsonSchemaOf } from './json-schema.js';

/**
 * The REST API's routes, derived from the operation registry: one route per operation offered to the
 * API, `/v1/<operation-name>` with dashes. Read-only operations are GETs (input in the query string,
 * so they can be bookmarked, cached by nothing and retried freely); the others are POSTs with a JSON
 * body. The OpenAPI document and the server are both built from this list, so they cannot disagree.
 */
export type Route = { def: AnyOperation; method: 'get' | 'post'; path: string; scope: 'read' | 'write' };

export const routePath = (name: string) => `/v1/${name.replace(/_/g, '-')}`;

export function apiRoutes(engine: Pick<Engine, 'operations'>): Route[] {
  return engine.operations
    .filter((def) => exposure(def).api)
    .map((def) => ({ def, method: def.nature.readOnly ? 'get' : 'post', path: routePath(def.name), scope: def.nature.readOnly ? 'read' : 'write' }));
}

type Prop = { type?: string | string[]; items?: unknown };

/** How people write yes and no in a URL: `?includeClosed=1`, `=yes`, `=true` (any case), and their opposites. */
const TRUE = new Set(['true', '1', 'yes']);
const FALSE = new Set(['false', '0', 'no']);

/**
 * A query string as the operation's input: each field converted by the type its JSON Schema gives
 * (numbers, booleans, lists as repeated or comma-separated values, objects as JSON). A boolean that is
 * none of true/false, 1/0, yes/no is refused here (INVALID_INPUT, 400) naming the field and what it
 * takes; anything else that does not convert is passed on as given, and the operation's own schema
 * refuses it with the field's message.
 */
export function inputFromQuery(def: AnyOperation, query: Record<string, unknown>): Record<string, unknown> {
  const props = (jsonSchemaCache(def).properties ?? {}) as Record<string, Prop>;
  const out: Record<string, unknown> = {};
  for (const [k, raw] of Object.entries(query)) {
    const type = [props[k]?.type].flat()[0];
    const values = (Array.isArray(raw) ? raw : [raw]).map(String);
    // Only a list takes a parameter more than once; for anything else, which one was meant is a guess.
    if (values.length > 1 && type !== 'array') {
      const message = `was given ${values.length} times; give it once`;
      throw new CloudlinkError('INVALID_INPUT', `The query parameter ${k} ${message} (e.g. ?${k}=${encodeURIComponent(values[0]!.slice(0, 50))}).`, { [k]: message });
    }
    const one = values.at(-1) ?? '';
    if (type === 'array') out[k] = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
    else if (type === 'integer' || type === 'number') out[k] = one.trim() !== '' && Number.isFinite(Number(one)) ? Number(one) : one;
    else if (type === 'boolean') {
      const v = one.trim().toLowerCase();
      if (TRUE.has(v)) out[k] = true;
      else if (FALSE.has(v)) out[k] = false;
      else {
        const message = `takes true or false (also 1/0, yes/no), not "${one.slice(0, 50)}"`;
        throw new CloudlinkError('INVALID_INPUT', `The query parameter ${k} ${message}: e.g. ?${k}=true.`, { [k]: message });
      }
    }
    else if (type === 'object') {
      try {
        out[k] = JSON.parse(one);
      } catch {
        out[k] = one;
      }
    } else out[k] = one;
  }
  return out;
}

const cache = new WeakMap<AnyOperation, Record<string, unknown>>();
function jsonSchemaCache(def: AnyOperation) {
  let s = cache.get(def);
  if (!s) cache.set(def, (s = jsonSchemaOf(def.input, 'input')));
  return s;
}
