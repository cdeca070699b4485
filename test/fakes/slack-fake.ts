import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackFake, readBody } from './loopback.js';

export type SlackCall = { method: string; args: Record<string, any> };

/**
 * A local Slack Web API on 127.0.0.1: records every call (views.open/update/publish, chat.postMessage,
 * files uploads…) and answers as Slack does. Also receives posts to response_url.
 */
export class SlackFake extends LoopbackFake {
  calls: SlackCall[] = [];
  responses: { path: string; body: any }[] = [];
  uploads = new Map<string, string>();
  admins = new Set<string>();
  /** How long each Web API call takes to answer, as when Slack is slow. */
  latencyMs = 0;
  private n = 0;


  of(method: string) {
    return this.calls.filter((c) => c.method === method);
  }

  /** Waits until `count` calls of `method` have arrived (notifications run after the HTTP answer). */
  async waitFor(method: string, count = 1, timeoutMs = 5000) {
    const t0 = Date.now();
    while (this.of(method).length < count) {
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${count} × ${method}; got ${this.of(method).length}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.of(method);
  }

  protected async handle(req: IncomingMessage, res: ServerResponse) {
    const raw = await readBody(req);
    const path = req.url ?? '';
    const json = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path.startsWith('/upload/')) {
      this.uploads.set(path.slice(8), raw);
      res.writeHead(200);
      return res.end('OK - ' + raw.length);
    }
    if (path.startsWith('/response/')) {
      this.responses.push({ path, body: JSON.parse(raw || '{}') });
      return json({ ok: true });
    }
    const method = path.replace(/^\/api\//, '').split('?')[0]!;
    const args: Record<string, any> = {};
    if ((req.headers['content-type'] ?? '').includes('application/json')) Object.assign(args, JSON.parse(raw || '{}'));
    else
      for (const [k, v] of new URLSearchParams(raw)) {
        try {
          args[k] = /^[[{]/.test(v) ? JSON.parse(v) : v;
        } catch {
          args[k] = v;
        }
      }
    if (!String(req.headers.authorization ?? '').startsWith('Bearer xoxb-')) return json({ ok: false, error: 'not_authed' });
    this.calls.push({ method, args });
    if (this.latencyMs) await new Promise((r) => setTimeout(r, this.latencyMs));
    const id = ++this.n;
    switch (method) {
      case 'views.open':
      case 'views.update':
      case 'views.push':
        return json({ ok: true, view: { ...(args.view ?? {}), id: args.view_id ?? `V${id}` } });
      case 'views.publish':
        return json({ ok: true, view: { ...(args.view ?? {}), id: `VH${id}` } });
      case 'chat.postMessage':
        return json({ ok: true, channel: args.channel, ts: `${id}.000` });
      case 'conversations.open':
        return json({ ok: true, channel: { id: `D${String(args.users).replace(/^U/, '')}` } });
      case 'users.info':
        return json({ ok: true, user: { id: args.user, is_admin: this.admins.has(args.user), is_owner: false } });
      case 'files.getUploadURLExternal':
        return json({ ok: true, upload_url: `${this.url}/upload/F${id}`, file_id: `F${id}` });
      case 'files.completeUploadExternal':
        return json({ ok: true, files: (args.files ?? []).map((f: { id: string }) => ({ id: f.id })) });
      case 'auth.test':
        return json({ ok: true, user_id: 'U_BOT', bot_id: 'B_BOT', team_id: 'T1' });
      default:
        return json({ ok: true });
    }
  }
}
