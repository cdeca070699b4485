import { EventEmitter } from 'node:events';
import { createDraft, current, enablePatches, finishDraft, isDraft, setAutoFreeze, setUseStrictIteration, type Patch } from 'immer';
import pg from 'pg';
import type { z } from 'zod';
import { CloudlinkError } from '../../engine/errors.js';
import { Account, AuditEntry, emptyDatabase, Invite, OutboxItem, Setup, Viewer, type Database } from '../../engine/domain/records.js';
import { Organization } from '../../engine/families/aws/organization/schema.js';
import { WebhookSubscriber } from '../../engine/webhooks/schema.js';
import type { Store } from '../../engine/ports/store.js';
import { carryAccountIndex, markImmutable } from '../../engine/domain/account-index.js';
import type { Logger } from '../../log.js';
import { ConfigError } from '../../config.js';
import { migrate, pendingMigrations } from './migrate.js';
import { lead } from './leader.js';
import { openOnce } from '../open-once.js';

enablePatches();
// Records are plain JSON: no symbol or non-enumerable keys to copy. Loose iteration halves the cost of
// finishing a draft of 50,000 accounts (measured: 3.4 ms → 1.4 ms).
setUseStrictIteration(false);
// immer's auto-freeze walks every element of a changed collection (2.7 ms per write at 50,000
// accounts), and V8 copies a frozen array 6× slower than a plain one (the next write's draft copies
// it): the store freezes the records it takes in itself, and promises its arrays are snapshots.
setAutoFreeze(false);

/** Records in a snapshot are never changed in place: a change is a new record (immer's copy on write). */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** The collections of a Database, each a table of rows keyed by record id, and the schema each row is checked against. */
const COLLECTIONS = {
  accounts: Account,
  setups: Setup,
  invites: Invite,
  audit: AuditEntry,
  outbox: OutboxItem,
  organizations: Organization,
  viewers: Viewer,
  webhooks: WebhookSubscriber,
} satisfies Record<string, z.ZodType>;
type Collection = keyof typeof COLLECTIONS;
const NAMES = Object.keys(COLLECTIONS) as Collection[];
type Rec = { id: string };

/** Writes are serialised across instances by this transaction-level lock: change numbers then follow commit order. */
const WRITE_LOCK = 0x636c7772; // "clwr"
const CHANNEL = 'cloudlink_changes';
const MAX_CONFLICT_RETRIES = 5;

type Row = { collection: Collection; id: string; version: string; seq: string; deleted: boolean; data: unknown };
type Changes = Map<Collection, { upserts: Rec[]; deletes: string[] }>;

export type PostgresStoreOptions = { poolSize?: number; log?: Logger; applicationName?: string; /** How often the leader pings and the others try to lead (5 s). */ leaderHeartbeatMs?: number };

/** libpq takes secrets in the query string too (`?password=…`, the client key's `sslpassword`). */
const SECRET_PARAMS = ['password', 'sslpassword', 'sslkey'];

/** Where the data is, for people: the URL without its password, wherever in the URL it is. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const k of [...u.searchParams.keys()]) if (SECRET_PARAMS.includes(k.toLowerCase())) u.searchParams.set(k, '***');
    return u.toString();
  } catch {
    return 'postgresql://(unparseable URL)';
  }
}

/**
 * Why the first connection failed, as a setting to fix: the database, the sign-in or the server's
 * address in CLOUDLINK_DATABASE_URL (shown without its password), each with what to do.
 */
export function connectProblem(e: unknown, url: string): ConfigError {
  const err = e as { code?: string; message?: string } | undefined;
  const code = err?.code;
  let u: URL | undefined;
  try {
    u = new URL(url);
  } catch {
    /* the configuration checked its shape; say it generally */
  }
  const where = `CLOUDLINK_DATABASE_URL (${redactUrl(url)})`;
  const hostname = u?.hostname || 'localhost';
  const host = `${hostname}:${u?.port || '5432'}`;
  // A stray % must not turn this message into "URI malformed": shown as written then.
  const decoded = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const user = u?.username ? decoded(u.username) : undefined;
  const database = (u && decoded(u.pathname.replace(/^\//, ''))) || user || 'postgres';
  // The server's own words name the user or the database it refused; they never hold the password.
  const said = (err?.message ?? String(e)).split(url).join(redactUrl(url)).slice(0, 300);
  if (code === '3D000') {
    return new ConfigError(`The database "${database}" does not exist on ${host}, named by ${where}. Create it (\`createdb -h ${hostname}${user ? ` -U ${user}` : ''} ${database}\`), or point CLOUDLINK_DATABASE_URL at a database that exists.`);
  }
  if (code === '28P01' || code === '28000' || /password must be a string/i.test(said)) {
    const why = /password must be a string/i.test(said) ? 'the server asks for a password and the URL has none' : said || 'authentication failed';
    return new ConfigError(`PostgreSQL at ${host} refused to sign in${user ? ` as "${user}"` : ''}: ${why}. Check the user name and password in ${where} (percent-encode special characters in the password), and that the server lets this user in from this host (pg_hba.conf).`);
  }
  if (code === 'ECONNREFUSED') return new ConfigError(`Nothing answers at ${host}, where ${where} points (connection refused). Start PostgreSQL there, or fix the host and port in CLOUDLINK_DATABASE_URL.`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new ConfigError(`The host "${hostname}" in ${where} cannot be found (${code}). Check its spelling and this machine's DNS, or use the server's IP address.`);
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return new ConfigError(`PostgreSQL at ${host}, where ${where} points, cannot be reached (${code}). Check that the server runs and that this machine may reach that port (firewall, security group).`);
  return new ConfigError(`cloudlink cannot connect to its PostgreSQL database, ${where} (${code ?? said}). Check the URL and that the server is up.`);
}

/**
 * The store on PostgreSQL, for several instances behind a load balancer. Each record is a row with a
 * version; a mutation runs on an in-memory draft of the current data (immer: unchanged records are
 * shared), and only the records it changed are written, in one transaction, each updated only if its
 * version is still the one read (optimistic concurrency: two instances never lose an update). Writes
 * take a transaction-level advisory lock, so change numbers follow commit order and every instance
 * catches up from the last one it saw; LISTEN/NOTIFY tells them when to.
 */
export class PostgresStore extends EventEmitter<{ change: [Set<Collection>] }> implements Store {
  readonly kind = 'PostgreSQL';
  readonly location: string;
  readonly pool: pg.Pool;
  private snapshot: Database = emptyDatabase();
  private versions = new Map<string, number>();
  private positions = new Map<Collection, Map<string, number>>();
  private lastSeq = 0;
  private dirty = true;
  private listener?: pg.Client;
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly log?: Logger;
  private readonly leaderHeartbeatMs: number;

  constructor(private readonly url: string, opts: PostgresStoreOptions = {}) {
    super();
    this.leaderHeartbeatMs = opts.leaderHeartbeatMs ?? 5000;
    this.location = redactUrl(url);
    this.log = opts.log;
    this.pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10, application_name: opts.applicationName ?? 'cloudlink', keepAlive: true });
    this.pool.on('error', (e) => this.log?.warn('PostgreSQL pool connection failed', { error: e }));
  }

  /** Opens the store once, however many callers ask (one that failed may be asked again). */
  readonly init = openOnce(() => this.open());

  private async open(): Promise<void> {
    const client = await this.connect(true);
    try {
      const applied = await migrate(client);
      if (applied.length) this.log?.info('PostgreSQL migrations applied', { migrations: applied });
      // Fresh statistics: the catch-up query (seq > last) must use its index, not scan the table.
      await client.query('ANALYZE cloudlink_records');
      await this.catchUp(client);
    } finally {
      client.release();
    }
    await this.listen();
  }

  /** `cloudlink migrate`: applies what is missing, nothing else; the migrations applied now, and how many are applied in all. */
  async migrate(): Promise<{ applied: string[]; total: number }> {
    const client = await this.connect(true);
    try {
      const applied = await migrate(client);
      if (applied.length) this.log?.info('PostgreSQL migrations applied', { migrations: applied });
      const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM cloudlink_migrations');
      return { applied, total: rows[0]?.n ?? applied.length };
    } finally {
      client.release();
    }
  }

  /**
   * A connection from the pool. The first one (`first`: start-up, `cloudlink migrate`) says what is
   * wrong with CLOUDLINK_DATABASE_URL when the server cannot be reached or refuses it: that is a
   * setting to fix, not a failed write. Later failures are the store's (the server went away).
   */
  private async connect(first = false): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (e) {
      if (first) throw connectProblem(e, this.url);
      throw new CloudlinkError('STORE_WRITE_FAILED', `cloudlink cannot reach its PostgreSQL database ${this.location} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Check CLOUDLINK_DATABASE_URL and that the server is up.`);
    }
  }

  /** LISTEN on a connection of its own; when it drops, every read catches up until it is back. */
  private async listen() {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.url, keepAlive: true, application_name: 'cloudlink-listen' });
    client.on('notification', (n) => {
      this.dirty = true;
      // The payload names the collections a write changed (a few short names, far below NOTIFY's 8 kB).
      let changed: Set<Collection>;
      try {
        changed = new Set((JSON.parse(n.payload ?? '') as { c: Collection[] }).c.filter((c) => c in COLLECTIONS));
      } catch {
        changed = new Set(NAMES);
      }
      this.emit('change', changed);
    });
    client.on('error', (e) => {
      this.log?.warn('PostgreSQL change listener lost its connection; reconnecting', { error: e });
      this.listener = undefined;
      this.dirty = true;
      setTimeout(() => void this.listen().catch(() => undefined), 1000).unref();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      this.listener = client;
      this.dirty = true;
    } catch (e) {
      this.log?.warn('PostgreSQL change listener could not connect; retrying', { error: e });
      setTimeout(() => void this.listen().catch(() => undefined), 2000).unref();
    }
  }

  /**
   * Every read first catches up with what other instances committed (one indexed query, usually
   * answering nothing): a request routed to another instance than the last one sees its writes.
   * Each read runs its own catch-up (one started earlier might miss a commit that came since).
   */
  async read(): Promise<Readonly<Database>> {
    const client = await this.connect();
    try {
      await this.catchUp(client);
    } finally {
      client.release();
    }
    return this.snapshot;
  }

  /** Applies every change committed since the last one this instance saw (its own included, skipped by version). */
  private async catchUp(client: pg.ClientBase) {
    this.dirty = false;
    const { rows } = await client.query<Row>('SELECT collection, id, version, seq, deleted, data FROM cloudlink_records WHERE seq > $1 ORDER BY seq', [this.lastSeq]);
    this.apply(rows);
  }

  /** Applies committed rows to the snapshot; `own` rows are this instance's writes, already checked. */
  private apply(rows: Row[], own = false) {
    if (!rows.length) return;
    const fresh = rows.filter((r) => (this.versions.get(key(r.collection, r.id)) ?? 0) < Number(r.version));
    if (fresh.length) {
      const draft = createDraft(this.snapshot);
      const structural = new Set<Collection>();
      for (const r of fresh) {
        if (!(r.collection in COLLECTIONS)) continue;
        const list = draft[r.collection] as Rec[];
        const at = this.positionsOf(r.collection).get(r.id);
        if (r.deleted) {
          if (at !== undefined) {
            list.splice(at, 1);
            structural.add(r.collection);
            this.positions.delete(r.collection);
          }
          this.versions.delete(key(r.collection, r.id));
          continue;
        }
        const parsed = own ? { success: true as const, data: r.data } : COLLECTIONS[r.collection].safeParse(r.data);
        if (!parsed.success) {
          throw new CloudlinkError('STORE_CORRUPT', `The PostgreSQL store ${this.location} holds a ${r.collection} record (${r.id}) that does not match cloudlink's schema (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}). It was left untouched: fix or restore it.`);
        }
        deepFreeze(parsed.data);
        if (at === undefined || structural.has(r.collection)) {
          const idx = structural.has(r.collection) ? list.findIndex((x) => x.id === r.id) : -1;
          if (idx >= 0) list[idx] = parsed.data as Rec;
          else {
            list.push(parsed.data as Rec);
            this.positionsOf(r.collection).set(r.id, list.length - 1);
          }
        } else list[at] = parsed.data as Rec;
        this.versions.set(key(r.collection, r.id), Number(r.version));
      }
      const before = this.snapshot;
      this.snapshot = finishDraft(draft) as Database;
      markImmutable(this.snapshot.accounts);
      for (const c of structural) this.positions.delete(c);
      const accounts = fresh.filter((r) => r.collection === 'accounts');
      if (accounts.length) carryAccountIndex(before.accounts, this.snapshot.accounts, accounts.filter((r) => !r.deleted).map((r) => this.snapshot.accounts[this.positionsOf('accounts').get(r.id)!]!).filter(Boolean), accounts.some((r) => r.deleted) || structural.has('accounts'));
    }
    // Catch-ups may overlap (they are idempotent by version): the mark only moves forward.
    if (!own) this.lastSeq = Math.max(this.lastSeq, Number(rows.at(-1)!.seq));
  }

  private positionsOf(c: Collection): Map<string, number> {
    let p = this.positions.get(c);
    if (!p) {
      p = new Map((this.snapshot[c] as Rec[]).map((r, i) => [r.id, i]));
      this.positions.set(c, p);
    }
    return p;
  }

  mutate<T>(fn: (db: Database) => T): Promise<T> {
    const run = this.queue.then(() => this.mutateNow(fn));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async mutateNow<T>(fn: (db: Database) => T): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.connect();
      let began = false;
      try {
        // One round trip: begin, take the write lock, and catch up with what others committed before it.
        this.dirty = false;
        began = true;
        const results = (await client.query(`BEGIN; SELECT pg_advisory_xact_lock(${WRITE_LOCK}); SELECT collection, id, version, seq, deleted, data FROM cloudlink_records WHERE seq > ${Math.floor(this.lastSeq)} ORDER BY seq`)) as unknown as pg.QueryResult<Row>[];
        this.apply(results[2]!.rows);
        const base = this.snapshot;
        const draft = createDraft(base);
        // What the mutation returns outlives the draft: copy any draft inside it out now.
        const result = undraft(fn(draft as Database));
        let patches: Patch[] = [];
        const next = finishDraft(draft, (p) => (patches = p)) as Database;
        if (!patches.length) {
          await client.query('COMMIT');
          return result;
        }
        const changes = changedRecords(base, next, patches);
        const written = await this.write(client, changes);
        if (!written) {
          await client.query('ROLLBACK');
          began = false;
          if (attempt >= MAX_CONFLICT_RETRIES) throw new CloudlinkError('STORE_BUSY', 'Another cloudlink instance kept changing the same records. Nothing was changed; try again in a moment.');
          this.dirty = true;
          continue;
        }
        // Other instances hear at commit (a NOTIFY inside a transaction is sent when it commits).
        const payload = JSON.stringify({ seq: Math.floor(written.maxSeq), c: [...changes.keys()] });
        await client.query(`SELECT pg_notify('${CHANNEL}', '${payload}'); COMMIT`);
        began = false;
        // A bulk write (an import, an organization's first link) would leave the planner's statistics behind.
        if (written.versions.size > 1000) await client.query('ANALYZE cloudlink_records').catch(() => undefined);
        this.adopt(base, next, changes, written.versions);
        return result;
      } catch (e) {
        if (began) await client.query('ROLLBACK').catch(() => undefined);
        if (e instanceof CloudlinkError) throw e;
        throw new CloudlinkError('STORE_WRITE_FAILED', `cloudlink could not save to its PostgreSQL database ${this.location} (${(e as { code?: string }).code ?? (e as Error).message}). Nothing was changed; try again in a moment.`);
      } finally {
        client.release();
      }
    }
  }

  /** The changed rows: updated only at the version read, inserted only if new; null when another instance got there first. */
  private async write(client: pg.ClientBase, changes: Changes): Promise<{ versions: Map<string, number>; maxSeq: number } | null> {
    const versions = new Map<string, number>();
    let maxSeq = 0;
    const note = (rows: { collection: string; id: string; version: string; seq: string }[]) => {
      for (const r of rows) {
        versions.set(key(r.collection, r.id), Number(r.version));
        maxSeq = Math.max(maxSeq, Number(r.seq));
      }
    };
    for (const [collection, { upserts, deletes }] of changes) {
      const updates = upserts.filter((r) => this.versions.has(key(collection, r.id)));
      const inserts = upserts.filter((r) => !this.versions.has(key(collection, r.id)));
      if (updates.length) {
        const { rows } = await client.query(
          `UPDATE cloudlink_records r SET data = u.data, version = r.version + 1, seq = nextval('cloudlink_change_seq'), deleted = false, updated_at = now()
             FROM unnest($1::text[], $2::jsonb[], $3::bigint[]) AS u(id, data, version)
            WHERE r.collection = $4 AND r.id = u.id AND r.version = u.version
            RETURNING r.collection, r.id, r.version, r.seq`,
          [updates.map((r) => r.id), updates.map((r) => JSON.stringify(r)), updates.map((r) => this.versions.get(key(collection, r.id))), collection],
        );
        if (rows.length !== updates.length) return null;
        note(rows);
      }
      if (inserts.length) {
        const { rows } = await client.query(
          `INSERT INTO cloudlink_records (collection, id, version, seq, data)
           SELECT $3, u.id, 1, nextval('cloudlink_change_seq'), u.data FROM unnest($1::text[], $2::jsonb[]) AS u(id, data)
           ON CONFLICT (collection, id) DO UPDATE SET data = EXCLUDED.data, version = cloudlink_records.version + 1, seq = EXCLUDED.seq, deleted = false, updated_at = now()
            WHERE cloudlink_records.deleted
           RETURNING collection, id, version, seq`,
          [inserts.map((r) => r.id), inserts.map((r) => JSON.stringify(r)), collection],
        );
        if (rows.length !== inserts.length) return null;
        note(rows);
      }
      if (deletes.length) {
        // A tombstone, so other instances see the delete when they catch up; sealed keys go with the data.
        const { rows } = await client.query(
          `UPDATE cloudlink_records r SET deleted = true, data = '{}'::jsonb, version = r.version + 1, seq = nextval('cloudlink_change_seq'), updated_at = now()
             FROM unnest($1::text[], $2::bigint[]) AS u(id, version)
            WHERE r.collection = $3 AND r.id = u.id AND r.version = u.version
            RETURNING r.collection, r.id, r.version, r.seq`,
          [deletes, deletes.map((id) => this.versions.get(key(collection, id)) ?? 0), collection],
        );
        if (rows.length !== deletes.length) return null;
        note(rows);
      }
    }
    return { versions, maxSeq };
  }

  /**
   * After a commit: the new data is this instance's snapshot, with the versions it wrote. A read may
   * have caught up in the meantime (between the commit and here, another instance can commit after
   * this one, and a read sees both): then the snapshot moved on from `base`, and this write is applied
   * onto it record by record instead, like any other instance's (what is already there is skipped by
   * version), so nothing the read brought in is dropped.
   */
  private adopt(base: Database, next: Database, changes: Changes, versions: Map<string, number>) {
    if (this.snapshot !== base) {
      const rows: Row[] = [];
      for (const [collection, { upserts, deletes }] of changes) {
        for (const r of upserts) rows.push({ collection, id: r.id, version: String(versions.get(key(collection, r.id))), seq: '0', deleted: false, data: r });
        for (const id of deletes) rows.push({ collection, id, version: String(versions.get(key(collection, id))), seq: '0', deleted: true, data: {} });
      }
      this.apply(rows, true);
      return;
    }
    for (const [collection, { deletes }] of changes) {
      for (const id of deletes) this.versions.delete(key(collection, id));
      if (deletes.length || (next[collection] as Rec[]).length !== (base[collection] as Rec[]).length) this.positions.delete(collection);
    }
    for (const [k, v] of versions) if (!this.versions.has(k) || this.versions.get(k)! < v) this.versions.set(k, v);
    for (const { upserts } of changes.values()) for (const r of upserts) deepFreeze(r);
    markImmutable(next.accounts);
    // The engine's account index moves to the new array instead of being built again.
    const accounts = changes.get('accounts');
    if (accounts) carryAccountIndex(base.accounts, next.accounts, accounts.upserts as Account[], accounts.deletes.length > 0);
    this.snapshot = next;
  }

  /** Calls `listener` when another instance changed something (LISTEN/NOTIFY). */
  onExternalChange(listener: (collections: ReadonlySet<string>) => void): () => void {
    const l = (c: Set<Collection>) => listener(c);
    this.on('change', l);
    return () => this.off('change', l);
  }

  leadership(work: { start(): void; stop(): Promise<void> }) {
    return lead(this.url, { ...work, retryMs: this.leaderHeartbeatMs, ...(this.log ? { log: this.log } : {}) });
  }

  async health(): Promise<{ ok: boolean; detail: string }> {
    try {
      const client = await this.pool.connect();
      try {
        const pending = await pendingMigrations(client);
        return pending.length ? { ok: false, detail: `migrations not applied: ${pending.join(', ')}` } : { ok: true, detail: 'PostgreSQL reachable, migrations applied' };
      } finally {
        client.release();
      }
    } catch (e) {
      return { ok: false, detail: `PostgreSQL unreachable (${(e as { code?: string }).code ?? (e as Error).message})` };
    }
  }

  async close() {
    this.closed = true;
    await this.listener?.end().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }
}

const key = (collection: string, id: string) => `${collection}\u0000${id}`;

/** A value with drafts inside, as plain data (drafts are revoked once the mutation finishes). */
function undraft<T>(value: T, depth = 0): T {
  if (isDraft(value)) return current(value as object) as T;
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => undraft(v, depth + 1)) as T;
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = undraft(v, depth + 1);
  return out as T;
}

/**
 * Which records a draft changed, from immer's patches: a field or an appended record points at one
 * record; anything else (a filtered or spliced collection) is diffed by id and reference, which
 * immer's structural sharing makes exact.
 */
export function changedRecords(base: Database, next: Database, patches: Patch[]): Changes {
  const changes: Changes = new Map();
  const touched = new Map<Collection, Set<number>>();
  const structural = new Set<Collection>();
  for (const p of patches) {
    const c = p.path[0] as Collection;
    if (!(c in COLLECTIONS)) continue;
    const at = p.path[1];
    const baseLength = (base[c] as Rec[]).length;
    if (p.path.length === 1 || at === 'length' || typeof at !== 'number' || p.op === 'remove' || (p.path.length === 2 && p.op === 'add' && at < baseLength)) {
      structural.add(c);
      continue;
    }
    if (p.path.length === 2 && p.op === 'replace' && (base[c] as Rec[])[at]?.id !== (next[c] as Rec[])[at]?.id) {
      structural.add(c);
      continue;
    }
    const set = touched.get(c) ?? new Set<number>();
    set.add(at);
    touched.set(c, set);
  }
  for (const c of NAMES) {
    const before = base[c] as Rec[];
    const after = next[c] as Rec[];
    if (structural.has(c)) {
      const old = new Map(before.map((r) => [r.id, r]));
      const upserts = after.filter((r) => old.get(r.id) !== r);
      const now = new Set(after.map((r) => r.id));
      const deletes = before.filter((r) => !now.has(r.id)).map((r) => r.id);
      if (upserts.length || deletes.length) changes.set(c, { upserts, deletes });
    } else if (touched.has(c)) {
      const upserts = [...touched.get(c)!].map((i) => after[i]!).filter(Boolean);
      changes.set(c, { upserts, deletes: [] });
    }
  }
  return changes;
}
