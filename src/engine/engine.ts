import type { z } from 'zod';
import type { EngineCore, EnginePorts, OpContext, RunOptions } from './context.js';
import { CloudlinkError } from './errors.js';
import { EngineEvents } from './events.js';
import { FAMILIES } from './families/table.js';
import { OutboxDispatcher } from './jobs/outbox.js';
import { SetupWatcher } from './jobs/watcher.js';
import { checkAllAccounts } from './operations/health.js';
import { allOperations } from './operations/index.js';
import { can, requirePermission } from './permissions.js';
import { operationContext, systemActor } from './registry/context.js';
import type { AnyOperation, ConfirmSubject, InputOf, OperationDef, OutputOf } from './registry/operation.js';
import type { Actor } from './domain/records.js';
import { parseInput } from './validate.js';
import { NO_METER } from './ports/meter.js';

const HEALTH = systemActor('cloudlink-health', 'scheduled health check');

export type JobIntervals = { watchMs: number; healthMs: number; outboxMs: number };

/**
 * The integration engine. Every operation is one definition (registry/operation.ts) and runs the same
 * way whichever front end asks: input parsed at the edge, permission checked, then its use case. The
 * engine knows nothing of Slack, MCP or the store's technology: it owns the ports they plug into.
 */
export function createEngine(ports: EnginePorts) {
  const events = new EngineEvents();
  events.onListenerError = (event, error) => ports.log.warn('an event listener failed', { event, error });
  let dispatcher: OutboxDispatcher;
  const core: EngineCore = { ...ports, families: FAMILIES, events, deliver: (ids) => dispatcher.deliver(ids) };
  dispatcher = new OutboxDispatcher(core);
  events.on('outbox.enqueued', () => dispatcher.kick());
  // Another instance wrote: its news may be for people this one reaches, and what it shows may be stale.
  ports.store.onExternalChange?.((collections) => {
    if (collections.has('outbox')) dispatcher.kick();
    events.emit('store.changed', collections);
  });
  const meter = ports.meter ?? NO_METER;
  let running = 0;
  /** A background job run, counted and timed for /metrics. */
  const timed = async <T>(job: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      const out = await fn();
      meter.job(job, 'ok', performance.now() - t0);
      return out;
    } catch (e) {
      meter.job(job, 'error', performance.now() - t0);
      throw e;
    }
  };
  const watcher = new SetupWatcher(core);
  const operations = allOperations(FAMILIES);
  const byName = new Map(operations.map((o) => [o.name, o]));

  const contextFor = (def: AnyOperation, actor: Actor, options: RunOptions = {}): OpContext => operationContext(core, actor, def.name, (d, a, i) => run(d, a, i, options), options);

  async function authorize(def: AnyOperation, ctx: OpContext, input: unknown) {
    if (can(ctx.actor, def.permission, core.settings)) return;
    if (def.alsoAllowed && (await def.alsoAllowed(ctx, input))) return;
    requirePermission(ctx.actor, def.permission, core.settings);
  }

  /** Runs an operation: parse, permission, use case. The only way in. */
  async function run<D extends AnyOperation>(def: D, actor: Actor, raw: InputOf<D> | unknown = {}, options: RunOptions = {}): Promise<OutputOf<D>> {
    const t0 = performance.now();
    running++;
    try {
      const input = parseInput(def.input, raw);
      const ctx = contextFor(def, actor, options);
      await authorize(def, ctx, input);
      const out = (await def.run(ctx, input)) as OutputOf<D>;
      // Something to tell may have been written with the change: deliver what this process can reach.
      if (!def.nature.readOnly) dispatcher.kick();
      meter.operation(def.name, actor.via, 'ok', performance.now() - t0);
      return out;
    } catch (e) {
      meter.operation(def.name, actor.via, e instanceof CloudlinkError ? 'refused' : 'error', performance.now() - t0);
      throw e;
    } finally {
      running--;
    }
  }

  return {
    operations: operations as readonly AnyOperation[],
    families: FAMILIES,
    events,
    run,
    /**
     * The stored data as of now, as an opaque token: the same object until something stored changes,
     * here or on another instance. What a front end keeps of `fromSnapshot` answers is keyed on it.
     */
    snapshot: (): Promise<object> => ports.store.read(),
    /** A `fromSnapshot` operation a front end answered from what it kept: counted as the run it stands for. */
    answeredFromSnapshot(def: AnyOperation, actor: Actor, ms: number) {
      meter.operation(def.name, actor.via, 'ok', ms);
    },
    /** Operations running now (a draining service waits for them). */
    inFlight: () => running,
    /** The operation called `name` (MCP tools, CLI commands); undefined when there is none. */
    find: (name: string) => byName.get(name),
    /** Whether the role may run it at all: front ends ask before showing a form, so refusals come first. */
    authorize(def: AnyOperation, actor: Actor) {
      if (!can(actor, def.permission, core.settings)) requirePermission(actor, def.permission, core.settings);
    },
    /** Everything an operation checks before its cloud calls and writes, without doing them. */
    async precheck<D extends AnyOperation>(def: D, actor: Actor, raw: InputOf<D> | unknown) {
      const input = parseInput(def.input, raw);
      const ctx = contextFor(def, actor);
      await authorize(def, ctx, input);
      await def.precheck?.(ctx, input);
    },
    /**
     * What a person must confirm before a destructive operation, found without changing anything:
     * permission and preconditions (a management account with linked ones) are checked first.
     */
    async confirmation<D extends AnyOperation>(def: D, actor: Actor, raw: Partial<InputOf<D>> | unknown): Promise<ConfirmSubject> {
      const confirm = def.confirm;
      if (!confirm) throw new Error(`${def.name} needs no confirmation`);
      const t0 = performance.now();
      try {
        const schema = (def.input as unknown as z.ZodObject).omit({ [confirm.field]: true, [confirm.idField]: true } as Record<string, true>);
        const input = parseInput(schema, raw);
        const ctx = contextFor(def, actor);
        await authorize(def, ctx, input);
        return await confirm.subject(ctx, input);
      } catch (e) {
        // Refused before the person was asked: the operation's refusal, counted as a run's would be.
        meter.operation(def.name, actor.via, e instanceof CloudlinkError ? 'refused' : 'error', performance.now() - t0);
        throw e;
      }
    },
    /** A short text of a result, for front ends that show text. */
    summarize<D extends AnyOperation>(def: D, out: OutputOf<D>): string {
      return def.summarize(out);
    },
    jobs: {
      watcher,
      outbox: dispatcher,
      healthCheck: () => run(checkAllAccounts, HEALTH, {}),
      /** One pass of the families' own background work (what the timer in `start` runs), driven by hand in tests. */
      async periodic() {
        for (const f of FAMILIES.all()) await f.periodic?.(core);
      },
      start(every: JobIntervals) {
        watcher.start(every.watchMs);
        dispatcher.start(every.outboxMs);
        const health = every.healthMs > 0 ? setInterval(() => void timed('health-check', () => run(checkAllAccounts, HEALTH, {})).catch((e) => ports.log.warn('scheduled health check failed', { error: e })), every.healthMs) : undefined;
        health?.unref();
        // Families' own background work (organization resyncs), one pass at a time.
        let busy = false;
        const periodic = setInterval(async () => {
          if (busy) return;
          busy = true;
          try {
            for (const f of FAMILIES.all()) if (f.periodic) await timed(`${f.id}-periodic`, () => f.periodic!(core)).catch((e) => ports.log.warn('background work failed', { family: f.id, error: e }));
          } finally {
            busy = false;
          }
        }, every.watchMs);
        periodic.unref();
        return async () => {
          clearInterval(periodic);
          watcher.stop();
          dispatcher.stop();
          if (health) clearInterval(health);
          // What is being delivered now is recorded before the process goes, so nobody hears it twice.
          await dispatcher.idle();
        };
      },
    },
    /** For the start-up summary and health endpoints: where the data is and how much of it. */
    async describeStore() {
      const db = await ports.store.read();
      return { location: ports.store.location, kind: ports.store.kind, accounts: db.accounts.length };
    },
  };
}

export type Engine = ReturnType<typeof createEngine>;
export type { OperationDef };
export { CloudlinkError };
