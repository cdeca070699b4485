import type { Database } from '../engine/domain/records.js';
import type { Meter } from '../engine/ports/meter.js';
import type { Store } from '../engine/ports/store.js';

/** Any store, with its reads and writes timed for /metrics; everything else passed through. */
export function meteredStore(store: Store, meter: Meter): Store {
  const timed = async <T>(what: 'read' | 'mutate', f: () => Promise<T>) => {
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      meter.store(what, performance.now() - t0);
    }
  };
  return {
    location: store.location,
    kind: store.kind,
    init: () => store.init(),
    read: () => timed('read', () => store.read()),
    mutate: <T>(fn: (db: Database) => T) => timed('mutate', () => store.mutate(fn)),
    ...(store.leadership ? { leadership: (w: Parameters<NonNullable<Store['leadership']>>[0]) => store.leadership!(w) } : {}),
    ...(store.onExternalChange ? { onExternalChange: (l: () => void) => store.onExternalChange!(l) } : {}),
    ...(store.health ? { health: () => store.health!() } : {}),
    ...(store.close ? { close: () => store.close!() } : {}),
  };
}
