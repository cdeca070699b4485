import { fsReason } from '../fs-reason.js';
import { access, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Low } from 'lowdb';
import { CloudlinkError } from '../engine/errors.js';
import { emptyDatabase, type Database } from '../engine/domain/records.js';
import { DurableJsonFile } from './durable-json-file.js';
import { DEFAULT_STALE_MS, StoreLock } from './store-lock.js';
import type { Store } from '../engine/ports/store.js';
import { openOnce } from './open-once.js';

/**
 * The embedded default store: one JSON file, shared safely by several processes (the Slack service
 * and any stdio MCP server an assistant spawns). Each mutation takes an in-process queue, then an
 * inter-process lock file, re-reads the file inside the lock, applies the change and writes it
 * durably before releasing. A lock left by a process that died on this machine is taken over at once
 * (see StoreLock).
 */
export class LowdbStore implements Store {
  readonly location: string;
  readonly kind = 'lowdb JSON file';
  get staleMs(): number {
    return this.lock.staleMs;
  }
  private readonly adapter: DurableJsonFile;
  private readonly db: Low<Database>;
  private readonly lock: StoreLock;
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * `staleMs`: how long a lock whose holder cannot be proved dead (another machine, no owner record)
   * must go unrefreshed before it is taken over (CLOUDLINK_STORE_STALE_LOCK_SECONDS; 5 s).
   */
  constructor(path: string, opts: { staleMs?: number } = {}) {
    this.location = resolve(path);
    this.lock = new StoreLock(this.location, opts.staleMs ?? DEFAULT_STALE_MS);
    this.adapter = new DurableJsonFile(this.location);
    // Built by hand, not JSONFilePreset: the preset swaps in an in-memory adapter under NODE_ENV=test.
    this.db = new Low<Database>(this.adapter, emptyDatabase());
  }

  /** Opens the store once, however many callers ask (one that failed may be asked again). */
  readonly init = openOnce(() => this.open());

  private async open(): Promise<void> {
    await mkdir(dirname(this.location), { recursive: true, mode: 0o700 }).catch((e) => {
      throw new CloudlinkError('STORE_WRITE_FAILED', `cloudlink cannot create the folder for its store ${this.location} (${fsReason(e)}). Choose another CLOUDLINK_STORE_PATH.`);
    });
    await this.adapter.removeStaleTempFiles();
    const exists = await access(this.location).then(() => true, () => false);
    if (!exists) {
      await this.withLock(async () => {
        if (!(await access(this.location).then(() => true, () => false))) await this.adapter.write(emptyDatabase());
      });
    }
    await this.read();
  }

  async read(): Promise<Readonly<Database>> {
    return (await this.adapter.read()) ?? emptyDatabase();
  }

  mutate<T>(fn: (db: Database) => T): Promise<T> {
    const run = this.queue.then(() =>
      this.withLock(async () => {
        const draft = (await this.adapter.readDraft()) ?? emptyDatabase();
        const result = fn(draft);
        this.db.data = draft;
        await this.db.write();
        return result;
      }),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  private withLock<T>(fn: () => Promise<T>): Promise<T> {
    return this.lock.run(fn);
  }
}
