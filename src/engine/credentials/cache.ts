/**
 * A warm cache of vended credentials (assumed-role sessions, access tokens), in memory only. A caller
 * who asks again gets the same credentials while they have plenty of life left, so a tool that runs
 * `credential_process` a hundred times costs one AssumeRole, not a hundred. An entry is handed out only
 * while more than half its lifetime (and at least five minutes) remains: the caller's SDK, which
 * refreshes a few minutes before expiry, never receives credentials it would refresh at once, and
 * nothing is ever handed out past its expiry. Concurrent callers for one key share one request.
 */
export type Expiring = { expiration: string };

type Entry<T> = { value: Promise<T>; issuedAt: number; expiresAt?: number };

const MIN_LEFT_MS = 5 * 60_000;

export class VendCache<T extends Expiring> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly now: () => number,
    private readonly maxEntries = 10_000,
  ) {}

  /** Whether an entry still has enough life to hand out. */
  private fresh(e: Entry<T>, at: number): boolean {
    if (e.expiresAt === undefined) return true; // being fetched: share it
    const lifetime = e.expiresAt - e.issuedAt;
    return e.expiresAt - at > Math.max(MIN_LEFT_MS, lifetime / 2);
  }

  /** The cached value for `key` if it is fresh, otherwise `fetch`'s (shared by callers who ask meanwhile). `hit`: whether it came from the cache. */
  async get(key: string, fetch: () => Promise<T>): Promise<{ value: T; hit: boolean }> {
    const at = this.now();
    const existing = this.entries.get(key);
    if (existing && this.fresh(existing, at)) {
      // Map order is insertion order: re-inserting keeps the least recently used first, for eviction.
      this.entries.delete(key);
      this.entries.set(key, existing);
      const settled = existing.expiresAt !== undefined;
      return { value: await existing.value, hit: settled };
    }
    const entry: Entry<T> = { value: fetch(), issuedAt: at };
    this.entries.set(key, entry);
    this.evict();
    try {
      const value = await entry.value;
      entry.expiresAt = Date.parse(value.expiration);
      // Credentials that arrive with too little life are handed to this caller once, never cached.
      if (!this.fresh(entry, this.now())) this.entries.delete(key);
      return { value, hit: false };
    } catch (e) {
      if (this.entries.get(key) === entry) this.entries.delete(key);
      throw e;
    }
  }

  /** Forgets every entry whose key starts with `prefix` (an account deleted or relinked). */
  forget(prefix: string) {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  get size() {
    return this.entries.size;
  }

  /** The least recently used entries go first. */
  private evict() {
    for (const k of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) return;
      this.entries.delete(k);
    }
  }
}
