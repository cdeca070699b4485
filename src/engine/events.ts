import { EventEmitter } from 'node:events';
import type { AccountView } from './views.js';

/**
 * What the engine announces inside this process, as views: front ends subscribe to keep what they
 * show current (App Home). Telling people goes through the outbox and the notifier, not through here.
 */
export type EngineEventMap = {
  'account.changed': [{ change: 'linked' | 'renamed' | 'deleted' | 'health' | 'subscriptions' | 'certificate'; account: AccountView }];
  /** New outbox items were written: the dispatcher delivers what this process can reach. */
  'outbox.enqueued': [];
  /** Another instance changed the data (PostgreSQL's NOTIFY): views shown from it may be stale. */
  'store.changed': [collections: ReadonlySet<string>];
};

export class EngineEvents extends EventEmitter<EngineEventMap> {
  onListenerError: (event: string, error: unknown) => void = () => undefined;

  /** A listener that throws or rejects must not turn a stored, successful operation into a failure. */
  override emit<K extends keyof EngineEventMap>(event: K, ...args: EngineEventMap[K]): boolean {
    const listeners = this.listeners(event) as ((...a: unknown[]) => unknown)[];
    for (const listener of listeners) {
      try {
        const r = listener(...args);
        if (r instanceof Promise) r.catch((e) => this.onListenerError(event, e));
      } catch (e) {
        this.onListenerError(event, e);
      }
    }
    return listeners.length > 0;
  }
}
