import type { Composed } from '../compose.js';

/**
 * What a one-shot command opened, closed, so the process ends as soon as it printed its answer: the
 * deliveries its change kicked off are finished first (recorded once, as the service would), then the
 * AWS clients and the store (PostgreSQL's pool and LISTEN connection, which otherwise keep the process
 * alive). Each step runs even if one before it failed.
 */
export async function closeComposed(c: Pick<Composed, 'engine' | 'gateways' | 'store'>): Promise<void> {
  await c.engine.jobs.outbox.idle().catch(() => undefined);
  c.engine.jobs.outbox.stop();
  await (c.gateways.aws as { close?: () => Promise<void> }).close?.().catch(() => undefined);
  await c.store.close?.().catch(() => undefined);
}
