import { isDraft, original } from 'immer';
import { lookalikeKeys } from '../names.js';
import type { Account, Database } from './records.js';

/**
 * Lookups by id, by name and by look-alike name without scanning every account: an index per
 * accounts array, built once, and carried forward by a store that knows which records a write changed
 * (so a rename at 50,000 accounts does not rebuild it). Inside a mutation the draft's base array is
 * indexed, and records the mutation appended are checked one by one.
 */
export type AccountIndex = {
  position: Map<string, number>;
  byName: Map<string, Set<string>>;
  byLookalike: Map<string, Set<string>>;
};

export const foldName = (s: string) => s.trim().toLocaleLowerCase('en-US');

const indexes = new WeakMap<readonly Account[], AccountIndex>();
/** Arrays a store promises never to change in place (its snapshots), besides frozen ones. */
const immutable = new WeakSet<readonly Account[]>();

/**
 * A store's promise that this accounts array is a snapshot: never changed in place. The PostgreSQL
 * store makes this promise instead of freezing the array (copying a frozen array of 50,000 is 6×
 * slower in V8, and every write copies it once).
 */
export function markImmutable(accounts: readonly Account[]) {
  immutable.add(accounts);
}
const isSnapshot = (accounts: readonly Account[]) => immutable.has(accounts) || Object.isFrozen(accounts);

const add = (map: Map<string, Set<string>>, k: string, id: string) => {
  let set = map.get(k);
  if (!set) map.set(k, (set = new Set()));
  set.add(id);
};
const remove = (map: Map<string, Set<string>>, k: string, id: string) => {
  const set = map.get(k);
  set?.delete(id);
  if (set && !set.size) map.delete(k);
};

function build(accounts: readonly Account[]): AccountIndex {
  const index: AccountIndex = { position: new Map(), byName: new Map(), byLookalike: new Map() };
  accounts.forEach((a, i) => {
    index.position.set(a.id, i);
    add(index.byName, foldName(a.name), a.id);
    for (const k of lookalikeKeys(a.name)) add(index.byLookalike, k, a.id);
  });
  return index;
}

/**
 * The accounts array an index answers for: a draft's base, or a snapshot (frozen, or marked by its
 * store). A plain, writable array (the file and memory stores' drafts) may change under an index: it is scanned.
 */
function baseAccounts(db: Readonly<Database>): { base: readonly Account[]; view: readonly Account[] } | undefined {
  if (isDraft(db)) {
    const o = original(db) as Database | undefined;
    return o && isSnapshot(o.accounts) ? { base: o.accounts, view: db.accounts } : undefined;
  }
  return isSnapshot(db.accounts) ? { base: db.accounts, view: db.accounts } : undefined;
}

export function indexOf(accounts: readonly Account[]): AccountIndex {
  let index = indexes.get(accounts);
  if (!index) indexes.set(accounts, (index = build(accounts)));
  return index;
}

/**
 * A store that wrote `changed` (updated or appended, same positions otherwise) moves the previous
 * array's index to the new array instead of building it again. Anything else (a removal) drops it.
 */
export function carryAccountIndex(before: readonly Account[], after: readonly Account[], changed: readonly Account[], removed: boolean) {
  const index = indexes.get(before);
  if (!index || removed || before === after) return;
  const old = new Map(changed.map((a) => [a.id, index.position.has(a.id) ? before[index.position.get(a.id)!] : undefined]));
  for (const a of changed) {
    const prev = old.get(a.id);
    if (prev) {
      remove(index.byName, foldName(prev.name), prev.id);
      for (const k of lookalikeKeys(prev.name)) remove(index.byLookalike, k, prev.id);
    }
    const at = prev ? index.position.get(a.id)! : after.indexOf(a);
    if (at < 0) return void indexes.delete(before);
    index.position.set(a.id, at);
    add(index.byName, foldName(a.name), a.id);
    for (const k of lookalikeKeys(a.name)) add(index.byLookalike, k, a.id);
  }
  indexes.delete(before);
  indexes.set(after, index);
}

type Match = (a: Account) => boolean;

/**
 * The accounts matching `match`, as `db` has them now (a draft or a snapshot): the base index's
 * candidates checked against the current record, and any the mutation appended. A draft whose
 * accounts were removed or replaced is not what the base index describes: it is scanned.
 */
function resolve(db: Readonly<Database>, ids: () => Iterable<string> | undefined, match: Match): Account[] {
  const b = baseAccounts(db);
  if (!b) return db.accounts.filter(match);
  const { base, view } = b;
  if (view.length < base.length) return view.filter(match);
  const index = indexOf(base);
  const out: Account[] = [];
  for (const id of ids() ?? []) {
    const at = index.position.get(id);
    if (at === undefined) continue;
    const a = view[at];
    if (!a || a.id !== id) return view.filter(match);
    if (match(a)) out.push(a);
  }
  for (let i = base.length; i < view.length; i++) if (match(view[i]!)) out.push(view[i]!);
  return out;
}

const indexFor = (db: Readonly<Database>) => indexOf(baseAccounts(db)!.base);

export function accountById(db: Readonly<Database>, id: string): Account | undefined {
  return resolve(db, () => [id], (a) => a.id === id)[0];
}

export function accountsNamed(db: Readonly<Database>, name: string): Account[] {
  const f = foldName(name);
  return resolve(db, () => indexFor(db).byName.get(f), (a) => foldName(a.name) === f);
}

export function accountsLookingLike(db: Readonly<Database>, name: string): Account[] {
  const keys = lookalikeKeys(name);
  return resolve(
    db,
    () => {
      const ids = new Set<string>();
      for (const k of keys) for (const id of indexFor(db).byLookalike.get(k) ?? []) ids.add(id);
      return ids;
    },
    (a) => [...lookalikeKeys(a.name)].some((k) => keys.has(k)),
  );
}
