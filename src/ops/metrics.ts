import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { Meter } from '../engine/ports/meter.js';

/** The engine's Meter port on prom-client: what /metrics serves. */
export function prometheusMeter(): { meter: Meter; registry: Registry } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'cloudlink_' });
  const operations = new Counter({ name: 'cloudlink_operations_total', help: 'Operations run, by operation, front end and outcome.', labelNames: ['operation', 'front_end', 'outcome'], registers: [registry] });
  const durations = new Histogram({ name: 'cloudlink_operation_seconds', help: 'How long operations took.', labelNames: ['operation'], buckets: [0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60], registers: [registry] });
  const jobs = new Counter({ name: 'cloudlink_job_runs_total', help: 'Background job runs (watcher, health checks, organization resyncs, outbox), by outcome.', labelNames: ['job', 'outcome'], registers: [registry] });
  const jobSeconds = new Histogram({ name: 'cloudlink_job_seconds', help: 'How long background job runs took.', labelNames: ['job'], buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300], registers: [registry] });
  const cloud = new Counter({ name: 'cloudlink_cloud_calls_total', help: 'Calls to AWS, Entra ID, Resource Manager and Graph (every attempt), by outcome: ok, error, throttled.', labelNames: ['service', 'operation', 'outcome'], registers: [registry] });
  const store = new Histogram({ name: 'cloudlink_store_seconds', help: 'Store reads and writes.', labelNames: ['op'], buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1], registers: [registry] });
  return {
    registry,
    meter: {
      operation(name, frontEnd, outcome, ms) {
        operations.inc({ operation: name, front_end: frontEnd, outcome });
        durations.observe({ operation: name }, ms / 1000);
      },
      job(name, outcome, ms) {
        jobs.inc({ job: name, outcome });
        jobSeconds.observe({ job: name }, ms / 1000);
      },
      cloud(service, operation, outcome) {
        cloud.inc({ service, operation, outcome });
      },
      store(what, ms) {
        store.observe({ op: what }, ms / 1000);
      },
    },
  };
}
