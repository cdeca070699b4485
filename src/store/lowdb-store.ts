import { access, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Low } from 'lowdb';
import lockfile from 'proper-lockfile';
import { CloudlinkError } from '../engine/errors.js';
import { emptyDatabase, type Database } from '../engine/schemas.js';
import { DurableJsonFile } from './durable-json-file.js';
import type { Store } from './store.js';

/**
 * The embedded default store: one JSON file, shared safely by several processes (the Slack service
 * and any stdio MCP server an assistant spawns). Each mutation takes an in-process queue, then an
 * inter-process lock file, re-reads the file inside the lock, applies the change and writes it
 * durably before releasing.
 */
export class LowdbStore implements Store {
  readonly location: string;
  private readonly adapter: DurableJsonFile;
  private readonly db: Low<Database>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(path: string) {
    this.location = resolve(path);
    this.adapter = new DurableJsonFile(this.location);
    // Built by hand, not JSONFilePreset: the preset swaps in an in-memory adapter under NODE_ENV=test.
    this.db = new Low<Database>(this.adapter, emptyDatabase());
  }

  async init(): Promise<void> {
    await mkdir(dirname(this.location), { recursive: true, mode: 0o700 }).catch((e) => {
      throw new CloudlinkError('STORE_WRITE_FAILED', `cloudlink cannot create the folder for its store ${this.location} (${(e as NodeJS.ErrnoException).code}). Choose another CLOUDLINK_STORE_PATH.`);
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

  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    let release: (() => Promise<void>) | undefined;
    try {
      // The lock file needs the target to exist (realpath) unless told not to resolve it.
      release = await lockfile.lock(this.location, {
        realpath: false,
        stale: 10_000,
        update: 2_000,
        retries: { retries: 200, factor: 1.3, minTimeout: 2, maxTimeout: 50, randomize: true },
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ELOCKED') {
        throw new CloudlinkError('STORE_BUSY', `The store ${this.location} is locked by another cloudlink process that has not let go for several seconds. Try again in a moment.`);
      }
      throw new CloudlinkError('STORE_WRITE_FAILED', `cloudlink could not lock its store ${this.location} (${(e as NodeJS.ErrnoException).code}). Check the folder's permissions and free space.`);
    }
    try {
      return await fn();
    } finally {
      await release().catch(() => undefined);
    }
  }
}
