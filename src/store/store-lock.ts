import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { readFile, readdir, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { fsReason } from '../fs-reason.js';
import { CloudlinkError } from '../engine/errors.js';

/**
 * Who holds the store's lock, written into proper-lockfile's lock folder (`<store>.lock/owner`) by the
 * process that has just created that folder. `boot` and `pidns` (Linux) tell whether a pid means the
 * same thing here as it did to the writer; `start` (the process start time from /proc/<pid>/stat)
 * guards against the pid being reused by a later process.
 */
export type LockOwner = { v: 1; host: string; boot?: string; pidns?: string; pid: number; start?: string; nonce: string; since: string };

const OWNER = 'owner';
/** What our fs hook answers proper-lockfile when it would remove a stale lock itself: we do that (see takeOver). */
const STALE = 'ECLOUDLINK_STALE_LOCK';
/** How long the lock stays held, at most, while its holder does not refresh it (proper-lockfile allows no less than 2 s). */
export const DEFAULT_STALE_MS = 5_000;
const WAIT_MS = 20_000;

type Found = { state: 'absent' } | { state: 'held' | 'dead' | 'stale'; ino: number; mtimeMs: number; owner?: LockOwner };

function tryRead(path: string): string | undefined {
  try {
    return fs.readFileSync(path, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** State and start time (clock ticks since boot) of a process, from /proc; undefined where there is no /proc. */
function procStat(pid: number | 'self'): { state: string; start: string } | undefined {
  const text = tryRead(`/proc/${pid}/stat`);
  if (!text) return undefined;
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so count from the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const start = fields[19]; // field 22, starttime
  return state && start && /^\d+$/.test(start) ? { state, start } : undefined;
}

let me: Omit<LockOwner, 'v' | 'nonce' | 'since'> | undefined;
function thisProcess() {
  if (!me) {
    let pidns: string | undefined;
    try {
      pidns = fs.readlinkSync('/proc/self/ns/pid');
    } catch {
      pidns = undefined;
    }
    me = { host: hostname(), boot: tryRead('/proc/sys/kernel/random/boot_id'), pidns, pid: process.pid, start: procStat('self')?.start };
  }
  return me;
}

function parseOwner(text: string | undefined): LockOwner | undefined {
  if (!text) return undefined;
  try {
    const o = JSON.parse(text) as LockOwner;
    if (o && o.v === 1 && typeof o.host === 'string' && Number.isInteger(o.pid) && o.pid > 0 && typeof o.nonce === 'string') return o;
  } catch {
    /* half written: as good as no owner yet */
  }
  return undefined;
}

/**
 * True only when this machine can prove the holder is gone: it ran here (same host name, boot and pid
 * namespace) and its pid no longer exists, is a zombie, or now belongs to a process with another start
 * time. A holder elsewhere, or one we cannot see, is never judged dead: only staleness frees its lock.
 */
export function holderIsDead(o: LockOwner): boolean {
  const self = thisProcess();
  if (o.host !== self.host || o.boot !== self.boot || o.pidns !== self.pidns) return false;
  // On Linux a pid means something only within its boot and pid namespace: without both, prove nothing.
  if (process.platform === 'linux' && (!self.boot || !self.pidns)) return false;
  try {
    process.kill(o.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return true;
    // EPERM: the pid exists (another user's process); its start time below still tells.
  }
  const now = procStat(o.pid);
  if (!now) return false;
  if (now.state === 'Z' || now.state === 'X') return true;
  return o.start !== undefined && now.start !== o.start;
}

function heldBy(o: LockOwner | undefined): string {
  return o ? ` (held by process ${o.pid} on ${o.host} since ${o.since})` : '';
}

/**
 * The inter-process lock around each store mutation: proper-lockfile's lock folder (created with mkdir,
 * the arbiter between processes, refreshed every second by its holder), plus an owner record inside it
 * so that a holder killed on this machine (SIGKILL, OOM killer) is recognised at once instead of after
 * the stale bound. Locks of other machines, and locks without a readable owner record (the holder may
 * be between mkdir and writing it), are taken over only once stale.
 *
 * A lock is only ever removed by its holder, or by a waiter holding the takeover lock
 * (`<store>.takeover.lock`), who judges it again under that lock: of two waiters racing to take over a
 * dead lock, the second finds the first one's live lock (or none) and leaves it alone.
 */
export class StoreLock {
  readonly dir: string;
  private readonly takeoverFile: string;
  private held = false;
  private chain: Promise<unknown> = Promise.resolve();
  /** proper-lockfile's fs, hooked so the owner record is written with the folder and removed with it. */
  private readonly fs: Record<string, unknown>;

  constructor(
    readonly file: string,
    readonly staleMs = DEFAULT_STALE_MS,
  ) {
    this.dir = `${file}.lock`;
    this.takeoverFile = `${file}.takeover`;
    const lock = this;
    type Cb = (err?: NodeJS.ErrnoException | null) => void;
    this.fs = {
      ...fs,
      mkdir(path: string, ...rest: unknown[]) {
        const cb = rest.pop() as Cb;
        fs.mkdir(path, ...(rest as []), (err: NodeJS.ErrnoException | null) => {
          if (err || path !== lock.dir) return cb(err);
          // Written before proper-lockfile reads the folder's mtime, so the record never disturbs its refresh.
          lock.held = true;
          void lock.writeOwner().then(() => cb(null));
        });
      },
      rmdir(path: string, ...rest: unknown[]) {
        const cb = rest.pop() as Cb;
        if (path !== lock.dir) return fs.rmdir(path, ...(rest as []), cb);
        if (!lock.held) return cb(Object.assign(new Error('stale store lock'), { code: STALE }));
        void lock.removeOwn().then(() => cb(null), cb);
      },
      rmdirSync(path: string, ...rest: unknown[]) {
        // proper-lockfile's exit handler, releasing a lock this process holds.
        if (path === lock.dir) {
          try {
            fs.unlinkSync(join(path, OWNER));
          } catch {
            /* none written */
          }
        }
        return fs.rmdirSync(path, ...(rest as []));
      },
    };
  }

  /** Runs fn holding the lock; one holder at a time in this instance, as proper-lockfile needs. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(async () => {
      const release = await this.acquire();
      try {
        return await fn();
      } finally {
        await release().catch(() => undefined);
      }
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async writeOwner(): Promise<void> {
    const record: LockOwner = { v: 1, ...thisProcess(), nonce: randomBytes(8).toString('hex'), since: new Date().toISOString() };
    const path = join(this.dir, OWNER);
    try {
      await writeFile(path, JSON.stringify(record), { flag: 'wx', mode: 0o600 });
    } catch {
      // A full disk: the lock still works, waiters just cannot tell if we die. Leave no half record.
      await unlink(path).catch(() => undefined);
    }
  }

  private async removeOwn(): Promise<void> {
    try {
      await unlink(join(this.dir, OWNER)).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      });
      await rmdir(this.dir).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      });
    } finally {
      this.held = false;
    }
  }

  /**
   * Waits for the lock only while another process holds it; any other failure (read-only or full
   * disk, permissions) is reported at once.
   */
  private async acquire(): Promise<() => Promise<void>> {
    const deadline = Date.now() + WAIT_MS;
    for (let pause = 2; ; pause = Math.min(pause * 1.5, 80)) {
      let found: Found;
      try {
        return await lockfile.lock(this.file, { realpath: false, stale: this.staleMs, update: 1_000, retries: 0, fs: this.fs });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'ELOCKED' && code !== STALE) {
          throw new CloudlinkError('STORE_WRITE_FAILED', `cloudlink could not lock its store ${this.file}: ${fsReason(e)}. Nothing was changed; fix the disk or permissions and try again.`);
        }
        found = await this.inspect();
      }
      if (found.state === 'absent') continue;
      if (found.state !== 'held' && (await this.takeOver())) continue;
      if (Date.now() > deadline) {
        throw new CloudlinkError(
          'STORE_BUSY',
          `The store ${this.file} is locked by another cloudlink process${heldBy(found.owner)} that has not let go for ${WAIT_MS / 1000} seconds. Nothing was changed; try again in a moment.`,
        );
      }
      await new Promise((r) => setTimeout(r, pause * (0.5 + Math.random())));
    }
  }

  /** Reads the lock folder as it is now: gone, held, its holder dead (provably, on this machine), or stale. */
  private async inspect(): Promise<Found> {
    let ino: number;
    let mtimeMs: number;
    try {
      ({ ino, mtimeMs } = await stat(this.dir));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'absent' };
      return { state: 'held', ino: -1, mtimeMs: 0 };
    }
    const owner = parseOwner(await readFile(join(this.dir, OWNER), 'utf8').catch(() => undefined));
    if (owner && holderIsDead(owner)) return { state: 'dead', ino, mtimeMs, owner };
    const state = mtimeMs < Date.now() - this.staleMs ? 'stale' : 'held';
    return { state, ino, mtimeMs, ...(owner ? { owner } : {}) };
  }

  /**
   * Removes a dead or stale lock, judged again under the takeover lock. There, only the holder could
   * remove the folder besides us, and a dead holder cannot: the folder removed is the one judged. (A
   * stale holder that wakes up and lets go just now is the one case left; the folder is checked to be
   * unchanged right before it goes, which narrows that to proper-lockfile's own stat-then-rmdir window.)
   * True when the lock is gone (try again at once), false when it is held after all or another waiter
   * is taking it over (wait).
   */
  private async takeOver(): Promise<boolean> {
    let release: () => Promise<void>;
    try {
      release = await lockfile.lock(this.takeoverFile, { realpath: false, stale: 2_000, update: 1_000, retries: 0, onCompromised: () => undefined });
    } catch {
      return false;
    }
    try {
      const found = await this.inspect();
      if (found.state === 'absent') return true;
      if (found.state === 'held') return false;
      const names = await readdir(this.dir);
      const now = await stat(this.dir);
      if (now.ino !== found.ino || now.mtimeMs !== found.mtimeMs) return false;
      for (const name of names) {
        if (name.startsWith(OWNER)) await unlink(join(this.dir, name)).catch(() => undefined);
      }
      await rmdir(this.dir);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ENOENT';
    } finally {
      await release().catch(() => undefined);
    }
  }
}
