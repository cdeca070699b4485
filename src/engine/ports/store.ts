import type { Database } from '../domain/records.js';

/**
 * The storage the engine needs. A mutation is all-or-nothing: `fn` works on a private copy, and only
 * when it returns is the copy written; when it throws, nothing is stored.
 */
export interface Store {
  /** Where the data lives, for people (a path, a URL). */
  readonly location: string;
  /** What kind of store this is, for people ("lowdb JSON file"). */
  readonly kind: string;
  /** Creates the store if it does not exist yet and checks that it can be read. */
  init(): Promise<void>;
  /** A snapshot. Treat it as read-only: mutate through `mutate`. */
  read(): Promise<Readonly<Database>>;
  /** Applies `fn` atomically, serialised with every other writer (in this process and others). */
  mutate<T>(fn: (db: Database) => T): Promise<T>;
  /**
   * Runs background work on one instance at a time when several share this store (a leader). Absent:
   * this process is the only one that runs it.
   */
  leadership?(work: { start(): void; stop(): Promise<void> }): { readonly leading: boolean; stop(): Promise<void> };
  /** Calls `listener` when another instance changed the data. */
  onExternalChange?(listener: (collections: ReadonlySet<string>) => void): () => void;
  /** Whether the data can be reached now, for readiness checks. */
  health?(): Promise<{ ok: boolean; detail: string }>;
  close?(): Promise<void>;
}
