import { createHash } from 'node:crypto';
import { appendAudit } from '../audit.js';
import type { CredentialSettings, EngineSettings, OpContext } from '../context.js';
import type { AuditTarget, Database } from '../domain/records.js';
import type { Store } from '../ports/store.js';
import { VendCache, type Expiring } from './cache.js';

/** What a deployment gets when the operator configured nothing. */
export const DEFAULT_CREDENTIAL_SETTINGS: CredentialSettings = { members: false, defaultDurationSeconds: 3600, maxDurationSeconds: 3600, sessionName: 'cloudlink-{actor}' };

export const credentialSettings = (s: EngineSettings): CredentialSettings => s.credentials ?? DEFAULT_CREDENTIAL_SETTINGS;

/** A digest for cache keys and audit entries: what was asked for, without keeping the text itself. */
export const digest = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);

/**
 * One cache per engine, and per kind of credential: keyed by an object the engine holds for its whole
 * life (its cloud gateway), so two engines in one process (tests) never share credentials.
 */
const caches = new WeakMap<object, VendCache<Expiring>>();
export function vendCache<T extends Expiring>(owner: object, now: () => Date): VendCache<T> {
  let c = caches.get(owner);
  if (!c) caches.set(owner, (c = new VendCache<Expiring>(() => now().getTime())));
  return c as unknown as VendCache<T>;
}

/**
 * Every vend is in the audit log before its credential is handed back. Vends that arrive while a
 * write is under way share the next one (a group commit), so a burst of `credential_process` calls
 * costs a store write per burst rather than one per call.
 */
class GroupCommit {
  private queue: { apply: (db: Database) => void; done: (e?: unknown) => void }[] = [];
  private running = false;

  constructor(private readonly store: Store) {}

  write(apply: (db: Database) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ apply, done: (e) => (e === undefined ? resolve() : reject(e)) });
      if (!this.running) void this.flush();
    });
  }

  private async flush() {
    this.running = true;
    try {
      while (this.queue.length) {
        const batch = this.queue;
        this.queue = [];
        try {
          await this.store.mutate((db) => {
            for (const b of batch) b.apply(db);
          });
          for (const b of batch) b.done();
        } catch (e) {
          for (const b of batch) b.done(e ?? new Error('the audit entry could not be written'));
        }
      }
    } finally {
      this.running = false;
    }
  }
}

const commits = new WeakMap<Store, GroupCommit>();

/** Records a vend (or a refused one) for the actor; details name what was asked for, never the credential. */
export function auditVend(ctx: OpContext, target: AuditTarget, details: Record<string, unknown>, outcome: 'ok' | 'refused' = 'ok'): Promise<void> {
  let c = commits.get(ctx.store);
  if (!c) commits.set(ctx.store, (c = new GroupCommit(ctx.store)));
  const at = ctx.now();
  return c.write((db) => appendAudit(db, at, ctx.actor, ctx.operation, target, details, outcome));
}

/** The session name AWS records in CloudTrail for this caller: the configured pattern, made what STS accepts. */
export function sessionNameFor(pattern: string, actorId: string): string {
  const name = pattern.replace(/\{actor\}/g, actorId).replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
  return name.length >= 2 ? name : `cloudlink-${name}`.slice(0, 64);
}
