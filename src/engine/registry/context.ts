import { appendAudit } from '../audit.js';
import type { EngineCore, OpContext, RunOptions } from '../context.js';
import type { Actor } from '../domain/records.js';
import { PUBLIC_READER, readerOf } from '../views.js';
import type { AnyOperation } from './operation.js';

export type Runner = (def: AnyOperation, actor: Actor, input: unknown) => Promise<unknown>;

/** The context an operation runs in: audit entries are named after the operation and signed by the actor. */
export function operationContext(core: EngineCore, actor: Actor, operation: string, run: Runner, options: RunOptions = {}): OpContext {
  return {
    ...core,
    actor,
    reader: actor.via === 'system' ? PUBLIC_READER : readerOf(actor, core.settings),
    operation,
    audit: (db, target, details) => appendAudit(db, core.now(), actor, operation, target, details),
    runAs: (def, input, as) => run(def, as ?? actor, input),
    ...(options.progress ? { progress: options.progress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

/** Who background work acts as. Admin: it finishes what people started, within their rules. */
export const systemActor = (id: string, name: string): Actor => ({ id, name, via: 'system', role: 'admin' });
