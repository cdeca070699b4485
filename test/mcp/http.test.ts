import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startMcpHttp } from '../../src/mcp/http.js';
import { silentLogger } from '../../src/log.js';
import { listAccounts } from '../../src/engine/operations/accounts.js';
import { admin, deployStack, harness, type Harness } from '../helpers/engine.js';
import { makeClient, textOf, type Elicitor } from '../helpers/mcp.js';

const ADMIN_TOKEN = 'tok-admin-0123456789abcdef';
const MEMBER_TOKEN = 'tok-member-0123456789abcdef';
let h: Harness;
let http: Awaited<ReturnType<typeof startMcpHttp>>;

beforeAll(async () => {
  h = await harness();
  const config = loadConfig({ ...h.env, CLOUDLINK_MCP_TOKENS: `${ADMIN_TOKEN}=ops-bot:admin,${MEMBER_TOKEN}=intern-bot:member` });
  http = await startMcpHttp(config, h.engine, silentLogger, 0);
});
afterAll(async () => {
  await http.stop();
  await h.close();
});

async function connect(token: string, elicitor?: Elicitor) {
  const client = makeClient(elicitor);
  await client.connect(new StreamableHTTPClientTransport(new URL(http.url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  return client;
}

const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '1' } } };
const post = (headers: Record<string, string>, body: unknown = initialize) =>
  fetch(http.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify(body) });

describe('MCP over Streamable HTTP', () => {
  it('binds to 127.0.0.1 by default, and says which tokens it takes', () => {
    expect(http.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    // The start-up summary names who the tokens stand for, never the tokens.
    expect(http.auth).toBe('2 bearer tokens (ops-bot, intern-bot)');
    expect(http.answerCache).toBe('answer cache 32 MB');
  });

  it('refuses requests without a token or with a wrong one, with a clear 401', async () => {
    const none = await post({});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const wrong = await post({ authorization: 'Bearer not-a-real-token' });
    expect(wrong.status).toBe(401);
    expect(JSON.stringify(await wrong.json())).toMatch(/not valid for this cloudlink server/);
  });

  it('answers pages of allowed origins with CORS (preflight, then the headers a page may read); others get none', async () => {
    const page = 'http://localhost:5173';
    const pre = await fetch(http.url, { method: 'OPTIONS', headers: { origin: page, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, mcp-protocol-version' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(page);
    expect(pre.headers.get('access-control-allow-methods')).toBe('GET, POST, DELETE');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/Authorization[^]*Content-Type[^]*Mcp-Protocol-Version[^]*Mcp-Session-Id/);
    const opened = await post({ authorization: `Bearer ${ADMIN_TOKEN}`, origin: page });
    expect(opened.status).toBe(200);
    expect(opened.headers.get('access-control-allow-origin')).toBe(page);
    expect(opened.headers.get('access-control-expose-headers')).toMatch(/Mcp-Session-Id/);
    await opened.body?.cancel();
    // Not allowed: refused, and nothing that would let a browser hand the page an answer.
    const foreign = await fetch(http.url, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    // Another method: 405 with what is allowed.
    const put = await fetch(http.url, { method: 'PUT', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST, DELETE, OPTIONS');
  });

  it('tells an initialize without what the protocol requires what is missing, and one without a session to start with initialize', async () => {
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const bare = await post(auth, { jsonrpc: '2.0', id: 5, method: 'initialize', params: {} });
    expect(bare.status).toBe(400);
    expect(await bare.json()).toEqual({ jsonrpc: '2.0', id: 5, error: { code: -32602, message: expect.stringMatching(/^Invalid params: initialize needs params\.protocolVersion .*params\.capabilities .*params\.clientInfo/) } });
    const noInfo = await post(auth, { ...initialize, params: { protocolVersion: '2025-11-25', capabilities: {} } });
    expect(((await noInfo.json()) as { error: { message: string } }).error.message).toBe('Invalid params: initialize needs params.clientInfo (an object with a name and a version, both strings).');
    const ping = await post(auth, { jsonrpc: '2.0', id: 6, method: 'ping' });
    expect(ping.status).toBe(400);
    expect(((await ping.json()) as { error: unknown }).error).toEqual({ code: -32600, message: 'Start with an initialize request (no MCP session id was given).' });
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    // fetch will not send a forged Host header; node:http will, as a rebinding browser effectively does.
    const { request } = await import('node:http');
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(http.url, { method: 'POST', headers: { host: 'evil.example.com', authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' } }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end(JSON.stringify(initialize));
    });
    expect(status).toBe(403);
    // Says which names it answers to, and what to set for a real one.
    expect(JSON.parse(body)).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000, message: expect.stringMatching(/evil\.example\.com[^]*answers only to localhost, 127\.0\.0\.1, \[::1\][^]*CLOUDLINK_MCP_ALLOWED_HOSTS/) } });
  });

  it('serves the same tools, acting as the token\'s actor, with elicitation for deletes', async () => {
    const elicitor: Elicitor = { asked: [], answer: () => ({ action: 'accept', content: { confirmName: 'Web' } }) };
    const client = await connect(ADMIN_TOKEN, elicitor);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['list_accounts', 'delete_account', 'start_aws_setup']));
    const setup = (await client.callTool({ name: 'start_aws_setup', arguments: { kind: 'management' } })).structuredContent as Parameters<typeof deployStack>[1] & { setupId: string };
    const roleArn = deployStack(h.aws, setup, '777777777777');
    const done = await client.callTool({ name: 'complete_aws_setup', arguments: { setupId: setup.setupId, name: 'Web', roleArn } });
    expect(done.structuredContent).toMatchObject({ account: { name: 'Web', status: 'connected', createdBy: { id: 'ops-bot', via: 'mcp' } } });

    const intern = await connect(MEMBER_TOKEN);
    const refused = await intern.callTool({ name: 'delete_account', arguments: { account: 'Web' } });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/only cloudlink admins may delete/);

    const deleted = await client.callTool({ name: 'delete_account', arguments: { account: 'Web' } });
    expect(deleted.isError).toBeFalsy();
    expect(elicitor.asked).toHaveLength(1);
    expect((await h.engine.run(listAccounts, admin, {})).total).toBe(0);
    await client.close();
    await intern.close();
  });

  it('keeps a session to the token that opened it', async () => {
    const first = await post({ authorization: `Bearer ${ADMIN_TOKEN}` });
    const sid = first.headers.get('mcp-session-id')!;
    expect(sid).toBeTruthy();
    const hijack = await post({ authorization: `Bearer ${MEMBER_TOKEN}`, 'mcp-session-id': sid }, { jsonrpc: '2.0', id: 2, method: 'tools/list' });
    expect(hijack.status).toBe(403);
  });
});
