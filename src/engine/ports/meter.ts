/**
 * What the engine reports for operators (Prometheus /metrics in the service): operations by front
 * end, background job runs, cloud calls, store latency. Absent in processes nobody scrapes.
 */
export interface Meter {
  operation(name: string, frontEnd: string, outcome: 'ok' | 'refused' | 'error', ms: number): void;
  job(name: string, outcome: 'ok' | 'error', ms: number): void;
  cloud(service: string, operation: string, outcome: 'ok' | 'error' | 'throttled'): void;
  store(what: 'read' | 'mutate', ms: number): void;
}

export const NO_METER: Meter = { operation() {}, job() {}, cloud() {}, store() {} };
