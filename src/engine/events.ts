import { EventEmitter } from 'node:events';
import type { Account, Invite, Setup } from './schemas.js';

/** What the engine announces; front ends subscribe to tell people (a Slack DM, a refreshed App Home). */
export type EngineEventMap = {
  'account.linked': [{ account: Account; setup: Setup; via: 'request' | 'watcher'; invite?: Invite }];
  'account.health_changed': [{ account: Account; previousStatus: Account['status'] }];
  'account.renamed': [{ account: Account; previousName: string }];
  'account.deleted': [{ account: Account }];
  'setup.watch_failed': [{ setup: Setup; message: string }];
  'invite.created': [{ invite: Invite; setup: Setup }];
  'invite.revoked': [{ invite: Invite }];
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
