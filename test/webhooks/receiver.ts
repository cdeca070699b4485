import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Received = { headers: IncomingMessage['headers']; body: string; event: { id: string; type: string; subject: string; data: Record<string, any>; [k: string]: unknown } };

/**
 * A webhook receiver on 127.0.0.1, written as the README tells receivers to write one: the timestamp
 * within five minutes, the signature over `v0:{timestamp}:{raw body}` in constant time, then the
 * event handled once per id however often it is delivered.
 */
export class Receiver {
  url = '';
  secret = '';
  /** Requests that passed the signature check, duplicates included. */
  deliveries: Received[] = [];
  /** Events handled: each id once. */
  handled: Received['event'][] = [];
  refused: { status: number; reason: string }[] = [];
  /** Answer the next requests with these statuses, after handling them (`handled`) or before (`reject`). */
  plan: { status: number; handle: boolean }[] = [];
  private seen = new Set<string>();
  private server?: Server;

  verify(headers: IncomingMessage['headers'], raw: string, now = Date.now() / 1000): string | undefined {
    const timestamp = String(headers['x-cloudlink-request-timestamp'] ?? '');
    const signature = String(headers['x-cloudlink-signature'] ?? '');
    if (!/^\d+$/.test(timestamp) || Math.abs(now - Number(timestamp)) > 300) return 'stale or missing timestamp';
    const expected = 'v0=' + createHmac('sha256', this.secret).update(`v0:${timestamp}:${raw}`).digest('hex');
    if (expected.length !== signature.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) return 'bad signature';
    return undefined;
  }

  async start() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const why = this.verify(req.headers, raw);
        if (why) {
          this.refused.push({ status: 401, reason: why });
          res.writeHead(401).end(why);
          return;
        }
        const event = JSON.parse(raw) as Received['event'];
        const step = this.plan.shift() ?? { status: 200, handle: true };
        this.deliveries.push({ headers: req.headers, body: raw, event });
        if (step.handle && !this.seen.has(event.id)) {
          this.seen.add(event.id);
          this.handled.push(event);
        }
        res.writeHead(step.status).end();
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/cloudlink`;
    return this;
  }

  /** Sends a request as it was captured (headers and body), as an attacker replaying it would. */
  async replay(r: Pick<Received, 'headers' | 'body'>, overrides: Record<string, string> = {}) {
    const headers = Object.fromEntries(Object.entries(r.headers).filter(([k]) => k.startsWith('x-cloudlink') || k === 'content-type')) as Record<string, string>;
    const res = await fetch(this.url, { method: 'POST', headers: { ...headers, ...overrides }, body: r.body });
    return res.status;
  }

  async stop() {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
