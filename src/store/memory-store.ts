import { emptyDatabase, type Database } from '../engine/domain/records.js';
import type { Store } from '../engine/ports/store.js';

/**
 * A store in memory: for the fast test tier and throw-away runs. Same contract as the file store: a
 * mutation works on a private copy and is kept only when it returns; snapshots are never changed.
 */
export class MemoryStore implements Store {
  readonly location = 'memory';
  readonly kind = 'in-memory';
  private data: Readonly<Database>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(initial: Database = emptyDatabase()) {
    this.data = structuredClone(initial);
  }

  async init() {}

  async read(): Promise<Readonly<Database>> {
    return this.data;
  }

  mutate<T>(fn: (db: Database) => T): Promise<T> {
    const run = this.queue.then(() => {
      const draft = structuredClone(this.data) as Database;
      const result = fn(draft);
      this.data = draft;
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
