import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response, type Router } from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from '../log.js';
import { listen } from '../listen.js';

export type OpsChecks = {
  /** Readiness: the store reachable and migrated, and whatever else must hold before traffic. */
  ready(): Promise<{ ok: boolean; checks: Record<string, { ok: boolean; detail: string }> }>;
  /** Requests being worked on now (a draining instance waits for them). */
  inFlight(): number;
};

/**
 * The operator's endpoints, on loopback by default: /healthz (the process is alive and not draining),
 * /readyz (the store is reachable and migrated; 503 with why when not, and while draining), /metrics
 * (Prometheus text). Nothing here needs a token and nothing here says anything secret.
 */
export async function startOpsServer(opts: { port: number; host: string; registry: Registry; checks: OpsChecks; log: Logger; /** More pages on this listener (the first-run console). */ router?: Router }) {
  const app = express();
  app.disable('x-powered-by');
  let draining = false;
  app.get('/healthz', (_req: Request, res: Response) => void res.status(draining ? 503 : 200).json({ status: draining ? 'draining' : 'ok' }));
  app.get('/readyz', async (_req: Request, res: Response) => {
    if (draining) return void res.status(503).json({ status: 'draining' });
    const r = await opts.checks.ready().catch((e: Error) => ({ ok: false, checks: { service: { ok: false, detail: e.message } } }));
    res.status(r.ok ? 200 : 503).json({ status: r.ok ? 'ready' : 'not ready', ...r.checks });
  });
  app.get('/metrics', async (_req: Request, res: Response) => {
    res.setHeader('content-type', opts.registry.contentType);
    res.end(await opts.registry.metrics());
  });
  if (opts.router) app.use(opts.router);
  app.use((_req: Request, res: Response) => void res.status(404).json({ error: 'not found: /healthz, /readyz, /metrics' }));
  const server: Server = await listen(app, opts.port, opts.host, { what: 'The operator endpoints (/healthz, /readyz, /metrics, the console)', portVariable: 'CLOUDLINK_HTTP_PORT', hostVariable: 'CLOUDLINK_HTTP_HOST', canBeOff: true });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`,
    port,
    /** Says "draining" from now on, so a load balancer stops sending; the process goes on serving what it has. */
    drain() {
      draining = true;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
