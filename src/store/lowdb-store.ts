import { access, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Low } from 'lowdb';
import lockfile from 'proper-lockfile';
import { CloudlinkError } from '../engine/errors.js';
import { emptyDatabase, type Database } from '../engine/domain/records.js';
import { DurableJsonFile } from './durable-json-file.js';
import type { Store } from '../engine/ports/store.js';

/**
 * The embedded default store: one JSON file, shared safely by several processes (the Slack service
 * and any stdio MCP server an assistant spawns). Each mutation takes an in-process queue, then an
 * inter-process lock file, re-reads the file inside the lock, applies the change and writes it
 * durably before releasing.
 */
export class LowdbStore implements Store {
  readonly location: string;
  readonly kind = 'lowdb JSON file';
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
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      await release().catch(() => undefined);
    }
  }

  /**
   * Waits for the lock only while another process holds it; any other failure (read-only or full
   * disk, permissions) is reported at once. A lock whose holder died (SIGKILL, power loss) is taken
   * over once it is 5 s stale; a live holder refreshes it every second.
   */
  private async acquire(): Promise<() => Promise<void>> {
    const deadline = Date.now() + 20_000;
    for (let pause = 2; ; pause = Math.min(pause * 1.5, 80)) {
      try {
        return await lockfile.lock(this.location, { realpath: false, stale: 5_000, update: 1_000, retries: 0 });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'ELOCKED') {
          const why = code === 'EROFS' ? 'the file system is read-only' : code === 'ENOSPC' ? 'the disk is full' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code;
          throw new CloudlinkError('STORE_WRITE_FAILED', `cloudlink could not lock its store ${this.location}: ${why}. Nothing was changed; fix the disk or permissions and try again.`);
        }
        if (Date.now() > deadline) {
          throw new CloudlinkError('STORE_BUSY', `The store ${this.location} is locked by another cloudlink process that has not let go for 20 seconds. Nothing was changed; try again in a moment.`);
        }
        await new Promise((r) => setTimeout(r, pause * (0.5 + Math.random())));
      }
    }
  }
}
