import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsFamily } from '../../src/engine/families/aws/index.js';
import { completeAwsSetup } from '../../src/engine/families/aws-role/operations.js';
import { createLogger } from '../../src/log.js';
import { createMcpHttpApp } from '../../src/mcp/http.js';
import { admin, deployStack } from '../helpers/engine.js';
import { makeClient, textOf } from '../helpers/mcp.js';
import { sign, slackHarness, type SlackHarness } from '../helpers/slack.js';

/** What hostile and careless input does to the HTTP endpoints (issue 13), against the service `npm start` runs. */

const ADMIN = 'tok-admin-0123456789abcdef';
const MEMBER = 'tok-member-0123456789abcdef';
const OPS = 'tok-ops-0123456789abcdefgh';
const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----';
const XOXB = 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx';

let s: SlackHarness;
let mcpUrl: string;
const lines: string[] = [];

beforeAll(async () => {
  s = await slackHarness({
    log: createLogger({ level: 'debug', write: (l) => lines.push(l) }),
    env: { CLOUDLINK_MCP_HTTP_PORT: '0', CLOUDLINK_MCP_TOKENS: `${ADMIN}=ops-bot:admin,${MEMBER}=intern-bot:member,${OPS}=ops-two:admin`, CLOUDLINK_MCP_SESSIONS_PER_TOKEN: '3', CLOUDLINK_MCP_MAX_BODY_KB: '64' },
  });
  mcpUrl = s.h.service.mcpHttp!.url;
  const setup = await s.h.engine.run(awsFamily.start, admin, { kind: 'management' });
  await s.h.engine.run(completeAwsSetup, admin, { setupId: setup.setupId, name: 'R&D', roleArn: deployStack(s.h.aws, setup, '111111111111') });
});
afterAll(async () => {
  await s.close();
});

const init = (id = 1) => ({ jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '1' } } });
async function post(headers: Record<string, string>, body: string | object) {
  const res = await fetch(mcpUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, json: (() => { try { return JSON.parse(text); } catch { return undefined; } })() };
}
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe('MCP HTTP errors and logs', () => {
  it('answers bad bodies in JSON-RPC, never an HTML page or a stack, and logs no body', async () => {
    const noToken = await post({}, '{bad');
    expect(noToken.status).toBe(401);
    expect(noToken.type).toMatch(/application\/json/);
    const parse = await post(bearer(ADMIN), `{bad ${PEM} ${XOXB}`);
    expect(parse).toMatchObject({ status: 400, json: { jsonrpc: '2.0', error: { code: -32700 } } });
    const notRpc = await post(bearer(ADMIN), { hello: XOXB });
    expect(notRpc).toMatchObject({ status: 400, json: { error: { code: -32600 } } });
    const big = await post(bearer(ADMIN), JSON.stringify({ x: 'y'.repeat(100_000) }));
    expect(big).toMatchObject({ status: 413, json: { error: { code: -32600 } } });
    const lost = await fetch(mcpUrl.replace('/mcp', '/nowhere'));
    expect(lost.status).toBe(404);
    expect(lost.headers.get('content-type')).toMatch(/application\/json/);
    for (const r of [noToken, parse, notRpc, big]) {
      expect(r.text).not.toMatch(/<html|<pre>|\n\s+at |node_modules|\/work\//i);
    }
    for (const l of lines) expect(() => JSON.parse(l), l).not.toThrow();
    expect(lines.join('\n')).not.toContain('BEGIN PRIVATE KEY');
    expect(lines.join('\n')).not.toContain(XOXB);
  });

  it('refuses an oversized body from its Content-Length, before reading it', async () => {
    const { port } = new URL(mcpUrl);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      // Headers only: the 10 MB body is never sent, so only a refusal from the header can answer.
      const req = request({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { ...bearer(ADMIN), 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) } }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: -32600, message: expect.stringMatching(/at most 65536/) } });
  });
});

describe('MCP HTTP Origin', () => {
  it('refuses web origins outside the allow-list, and Origin: null; accepts loopback pages and non-browser clients', async () => {
    for (const origin of ['https://evil.example', 'null', 'http://127.0.0.1.evil.example']) {
      const r = await post({ ...bearer(ADMIN), origin }, init());
      expect(r.status, origin).toBe(403);
      expect(r.json.error.message).toMatch(/not allowed/);
    }
    expect((await post({ ...bearer(ADMIN), origin: 'http://localhost:6274' }, init())).status).toBe(200);
    expect((await post(bearer(ADMIN), init())).status).toBe(200);
  });
});

describe('MCP HTTP sessions', () => {
  it('caps sessions per token with a clear error, so one token cannot log everyone else out', async () => {
    const adminClient = makeClient();
    await adminClient.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { requestInit: { headers: bearer(ADMIN) } }));
    const held: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await fetch(mcpUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...bearer(MEMBER) }, body: JSON.stringify(init(i)) });
      expect(r.status).toBe(200);
      held.push(r.headers.get('mcp-session-id')!);
      await r.body?.cancel();
    }
    const fourth = await post(bearer(MEMBER), init(9));
    expect(fourth.status).toBe(429);
    expect(fourth.json.error.message).toMatch(/already holds 3 open MCP sessions.*Close one.*DELETE/);
    // The admin's session is untouched.
    const r = await adminClient.callTool({ name: 'list_accounts', arguments: {} });
    expect(r.isError).toBeFalsy();
    // Closing one frees a place.
    const del = await fetch(mcpUrl, { method: 'DELETE', headers: { ...bearer(MEMBER), 'mcp-session-id': held[0]! } });
    expect(del.status).toBe(200);
    expect((await post(bearer(MEMBER), init(10))).status).toBe(200);
    await adminClient.close();
  });

  it('closes sessions left idle past the configured time', async () => {
    const { app, sessions, stop } = createMcpHttpApp(s.h.engine, { tokens: [{ token: ADMIN, actor: 'ops-bot', role: 'admin' }], host: '127.0.0.1', options: { readOnly: false, requireElicitation: false }, limits: { sessionIdleMs: 1500 } }, createLogger({ write: () => undefined }));
    const server = await new Promise<import('node:http').Server>((r) => {
      const x = app.listen(0, '127.0.0.1', () => r(x));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
    const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...bearer(ADMIN) }, body: JSON.stringify(init()) });
    const sid = r.headers.get('mcp-session-id')!;
    await r.body?.cancel();
    expect(sessions.size).toBe(1);
    await new Promise((res) => setTimeout(res, 2500));
    expect(sessions.size).toBe(0);
    const again = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...bearer(ADMIN), 'mcp-session-id': sid }, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) });
    expect(again.status).toBe(404);
    stop();
    server.closeAllConnections();
    server.close();
  });
});

describe('destructive tools need the human', () => {
  it('a client without elicitation cannot delete by passing the name, and is told where the person can confirm', async () => {
    const client = makeClient();
    await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { requestInit: { headers: bearer(OPS) } }));
    const tools = await client.listTools();
    expect(tools.tools.find((t) => t.name === 'delete_account')!.inputSchema.properties).not.toHaveProperty('confirm_account_name');
    const typed = await client.callTool({ name: 'delete_account', arguments: { account: 'R&D', confirm_account_name: 'R&D' } });
    expect(typed.isError).toBe(true);
    const asked = await client.callTool({ name: 'delete_account', arguments: { account: 'R&D' } });
    expect(asked.isError).toBe(true);
    expect(textOf(asked)).toMatch(/cannot ask them.*Confirm it in Slack \(\/cloud delete/s);
    expect(textOf(asked)).not.toContain('confirm_account_name');
    expect((await s.h.store.read()).accounts.map((a) => a.name)).toContain('R&D');
    await client.close();
  });
});

describe('Slack request timestamps', () => {
  it('refuses requests stamped more than five minutes ahead, as well as behind', async () => {
    const body = new URLSearchParams({ command: '/cloud', text: 'help', user_id: 'U_ADMIN', trigger_id: 't' }).toString();
    const now = Math.floor(Date.now() / 1000);
    for (const ts of [now + 10 * 60, now + 365 * 86_400, now - 6 * 60]) {
      expect((await s.post(body, 'application/x-www-form-urlencoded', sign(body, ts))).status, String(ts - now)).toBe(401);
    }
    expect((await s.post(body, 'application/x-www-form-urlencoded', sign(body, now + 60))).status).toBe(200);
  });
});

describe('user text echoed into Slack', () => {
  it('is escaped once wherever it lands in mrkdwn', async () => {
    const replies = async (cmd: string, raw = false) => {
      const before = s.slack.responses.length;
      const r = raw ? await s.rawCommand('U_ADMIN', cmd) : await s.command('U_ADMIN', cmd);
      const later = s.slack.responses.slice(before).map((x) => JSON.stringify(x.body));
      return [r.text, ...later].join('\n');
    };
    for (const cmd of ['status <!channel>', 'status <@U123>', 'status <https://evil.example|click>', 'link <!here>', 'frobnicate <!everyone>']) {
      for (const raw of [false, true]) {
        const out = await replies(cmd, raw);
        expect(out, cmd).not.toMatch(/<!channel>|<!here>|<!everyone>|<@U123>|<https:\/\/evil\.example\|click>/);
      }
    }
    const rd = await replies('status R&D');
    expect(rd).toContain('*R&amp;D*');
    expect(rd).not.toMatch(/\*R&D\*/);
  });
});
