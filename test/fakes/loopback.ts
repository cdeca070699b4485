import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A fake service on 127.0.0.1 with a random port: the lifecycle every protocol fake shares. */
export abstract class LoopbackFake {
  url = '';
  protected server?: Server;
  protected scheme = 'http';

  protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<unknown>;

  protected createServer(listener: RequestListener): Server {
    return createServer(listener);
  }

  async start(): Promise<string> {
    this.server = this.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `${this.scheme}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop() {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
