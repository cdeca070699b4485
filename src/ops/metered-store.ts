import type { Database } from '../engine/domain/records.js';
import type { Meter } from '../engine/ports/meter.js';
import type { Store } from '../engine/ports/store.js';

/**
 * Any store, with its reads and writes timed for /metrics. A proxy: everything else (its own
 * settings, optional capabilities, instanceof) is the store's own.
 */
export function meteredStore<S extends Store>(store: S, meter: Meter): S {
  const timed = async <T>(what: 'read' | 'mutate', f: () => Promise<T>) => {
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      meter.store(what, performance.now() - t0);
    }
  };
  const read = () => timed('read', () => store.read());
  const mutate = <T>(fn: (db: Database) => T) => timed('mutate', () => store.mutate(fn));
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'read') return read;
      if (prop === 'mutate') return mutate;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
