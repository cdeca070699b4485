import { createServer, type RequestListener, type Server } from 'node:http';
import { ConfigError } from './config.js';

/** Which setting chose the address, so a failure can name what to change. */
export type ListenSetting = { what: string; portVariable: string; hostVariable?: string; canBeOff?: boolean };

/**
 * Listens, or fails with what to change. Express 5's `app.listen` hands the error to its callback
 * (which looks like success), and a bare EADDRINUSE names no setting: both are avoided here.
 */
export function listen(handler: RequestListener, port: number, host: string, setting: ListenSetting): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(handler);
    server.once('error', (e: NodeJS.ErrnoException) => reject(listenError(e, port, host, setting)));
    server.listen(port, host, () => resolve(server));
  });
}

export function listenError(e: NodeJS.ErrnoException, port: number, host: string, s: ListenSetting): Error {
  const off = s.canBeOff ? `, or to off` : '';
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (e.code === 'EADDRINUSE') return new ConfigError(`${s.what} cannot listen on ${where}: another program uses that port. Set ${s.portVariable} to a free port${off}.`);
  if (e.code === 'EACCES') return new ConfigError(`${s.what} may not listen on ${where}: ports below 1024 need privileges. Set ${s.portVariable} to a port above 1024${off}.`);
  if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') return new ConfigError(`${s.what} cannot listen on ${where}: ${host} is not an address of this machine.${s.hostVariable ? ` Set ${s.hostVariable} to one (127.0.0.1 for this machine only, 0.0.0.0 for all).` : ''}`);
  return new ConfigError(`${s.what} cannot listen on ${where} (${e.code ?? e.message}).`);
}
