import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Config } from '../../config.js';
import type { Engine } from '../../engine/engine.js';
import type { Logger } from '../../log.js';
import { inviteRouter } from './routes.js';

export const DEFAULT_INVITE_PORT = 8739;

/** The invite pages run when they have an address: CLOUDLINK_PUBLIC_URL, or a port of their own (not `off`). */
export const invitePagesWanted = (c: Pick<Config, 'CLOUDLINK_PUBLIC_URL' | 'CLOUDLINK_INVITE_PORT'>) =>
  c.CLOUDLINK_INVITE_PORT !== 'off' && (c.CLOUDLINK_PUBLIC_URL !== undefined || c.CLOUDLINK_INVITE_PORT !== undefined);

export type InvitePagesListener = {
  /** Where colleagues open the pages: CLOUDLINK_PUBLIC_URL, or where the listener is when none is set. */
  publicUrl: string;
  /** Where it listens. */
  url: string;
  serve(engine: Engine, log: Logger): void;
  stop(): Promise<void>;
};

/**
 * Binds the invite pages' listener before the engine is built, so the engine knows the public URL its
 * links point at even when the port is chosen at random (0). Requests before `serve` get a 503.
 */
export async function listenInvitePages(config: Pick<Config, 'CLOUDLINK_PUBLIC_URL' | 'CLOUDLINK_INVITE_PORT' | 'CLOUDLINK_INVITE_HOST'>): Promise<InvitePagesListener> {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (handler) return handler(req, res);
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '2' }).end('cloudlink is starting: try again in a moment.');
  });
  const port = typeof config.CLOUDLINK_INVITE_PORT === 'number' ? config.CLOUDLINK_INVITE_PORT : DEFAULT_INVITE_PORT;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, config.CLOUDLINK_INVITE_HOST, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const shown = addr.address === '0.0.0.0' || addr.address === '::' ? '127.0.0.1' : addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${shown}:${addr.port}`;
  const publicUrl = (config.CLOUDLINK_PUBLIC_URL ?? url).replace(/\/+$/, '');
  return {
    publicUrl,
    url,
    serve(engine, log) {
      const app = express();
      app.disable('x-powered-by');
      // Behind a reverse proxy (the usual way to give the pages TLS), the public URL's path is where they live.
      app.use(new URL(publicUrl).pathname.replace(/\/+$/, '') || '/', inviteRouter({ engine, log, publicUrl: new URL(publicUrl) }));
      handler = app;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
