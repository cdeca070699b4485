import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { writeStore } from './fixtures.js';
import { median, percentile } from './stats.js';

const CLI = fileURLToPath(new URL('../dist/bundle/cli.mjs', import.meta.url));
const TOKEN = 'bench-http-token-0123456789abcdef';
const MODERN = '2026-07-28';
const LEGACY = '2025-11-25';

/** Resolves with what `pattern` captures in a child's stderr once it appears. */
function waitFor(child: ReturnType<typeof spawn>, pattern: RegExp, what: string): Promise<string> {
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise<string>((resolve, reject) => {
    const t0 = Date.now();
    const poll = setInterval(() => {
      const m = pattern.exec(err);
      if (m) {
        clearInterval(poll);
        resolve(m[1]!);
      } else if (child.exitCode !== null || Date.now() - t0 > 30_000) {
        clearInterval(poll);
        reject(new Error(`${what} did not start: ${err}`));
      }
    }, 20);
  });
}

/** `cloudlink serve` with MCP over HTTP on a store of `n` accounts; resolves with its /mcp URL. */
async function serve(path: string, env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: { ...env, CLOUDLINK_STORE_PATH: path, CLOUDLINK_MCP_HTTP_PORT: '0', CLOUDLINK_MCP_TOKENS: `${TOKEN}=bench:admin`, CLOUDLINK_MCP_SESSIONS_PER_TOKEN: '100', CLOUDLINK_HEALTH_INTERVAL_MINUTES: '0', CLOUDLINK_HTTP_PORT: '0', CLOUDLINK_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await waitFor(child, /MCP HTTP +(http:\/\/\S+\/mcp)/, 'cloudlink serve');
  return { url, stop: () => child.kill('SIGTERM') };
}

/**
 * A server that does nothing but answer every POST with the same bytes: the floor this machine and
 * this load generator allow, whatever the MCP server does.
 */
async function cannedServer(body: string) {
  const js = `const b=Buffer.from(process.env.BODY);require('http').createServer((q,s)=>{q.resume();q.on('end',()=>{s.writeHead(200,{'content-type':'application/json','content-length':b.length});s.end(b)})}).listen(0,'127.0.0.1',function(){console.error('CANNED http://127.0.0.1:'+this.address().port+'/mcp')})`;
  const child = spawn(process.execPath, ['-e', js], { env: { BODY: body }, stdio: ['ignore', 'ignore', 'pipe'] });
  const url = await waitFor(child, /CANNED (\S+)/, 'the floor server');
  return { url, stop: () => child.kill('SIGTERM') };
}

type Answer = { status: number; headers: http.IncomingHttpHeaders; text: string };

/**
 * The load generator: plain keep-alive HTTP, one socket per client, every answer read whole and
 * parsed. The SDK's own client would also check every result against the tool's output schema and
 * run its own streams: on a 2-core machine the load generator would then take as much CPU as the
 * server it measures.
 */
function client(url: string, sockets: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const target = new URL(url);
  const post = (headers: Record<string, string>, body: string) =>
    new Promise<Answer>((resolve, reject) => {
      const req = http.request(target, { method: 'POST', agent, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${TOKEN}`, 'content-length': String(Buffer.byteLength(body)), ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  return { post, close: () => agent.destroy() };
}

/** The JSON-RPC answer to request `id`, from a JSON body or from the event stream 2025-11-25 answers with. */
type RpcAnswer = { id?: number; result?: { structuredContent?: { total?: number }; isError?: boolean }; error?: unknown };
function answerTo(a: Answer, id: number): RpcAnswer {
  if (String(a.headers['content-type']).startsWith('text/event-stream')) {
    for (const line of a.text.split('\n')) {
      if (!line.startsWith('data:')) continue;
      const m = JSON.parse(line.slice(5)) as RpcAnswer;
      if (m.id === id) return m;
    }
    throw new Error(`no answer to request ${id} in the event stream (HTTP ${a.status})`);
  }
  return JSON.parse(a.text);
}

const listed = (a: Answer, id: number) => {
  const m = answerTo(a, id);
  if (m.result?.structuredContent?.total === undefined || m.result.isError) throw new Error(`list_accounts failed (HTTP ${a.status}): ${a.text.slice(0, 300)}`);
};

const modernCall = (id: number) =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'list_accounts', arguments: {}, _meta: { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} } } });
const MODERN_HEADERS = { 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': 'list_accounts' };

/** 20 clients at once, each sending `perClient` calls back to back (50: a p99 over 1,000 calls). */
async function run(clients: number, perClient: number, call: (c: number, i: number) => Promise<void>) {
  const xs: number[] = [];
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; i < perClient; i++) {
        const t0 = performance.now();
        await call(c, i);
        xs.push(performance.now() - t0);
      }
    }),
  );
  return { median: median(xs), p99: percentile(xs, 99), calls: xs.length };
}

/**
 * list_accounts (its first page of 100) over Streamable HTTP against `n` accounts, from 20 clients
 * at once: as served (repeats answered from the answer cache), then with the cache off (every call
 * served by the SDK); each for 2026-07-28 requests and 2025-11-25 sessions. Then the same load
 * against a server that only sends back the same bytes.
 */
export async function mcpHttpLatency(dir: string, n: number, env: NodeJS.ProcessEnv, clients = 20, perClient = 50) {
  const path = `${dir}/http-${n}.json`;
  await writeStore(path, n);
  const cached = await bothEras(path, env, clients, perClient);
  const uncached = await bothEras(path, { ...env, CLOUDLINK_MCP_ANSWER_CACHE_MB: '0' }, clients, perClient);
  return { ...cached, uncached: { modern: uncached.modern, legacy: uncached.legacy }, floor: await floorOf(cached.sample, clients, perClient), bytes: Buffer.byteLength(cached.sample) };
}

async function bothEras(path: string, env: NodeJS.ProcessEnv, clients: number, perClient: number) {
  const { url, stop } = await serve(path, env);
  const c = client(url, clients);
  let sample = '';
  try {
    const modernList = async (id: number) => {
      const a = await c.post(MODERN_HEADERS, modernCall(id));
      listed(a, id);
      sample = a.text;
    };
    // Steady state is what is measured: a warm-up burst first (the first listing of a snapshot builds
    // its views, and V8 has not yet optimised the request path), as a service that has been up a while.
    await modernList(0);
    await run(clients, perClient, (k, i) => modernList(100_000 + k * 1000 + i));
    const modern = await run(clients, perClient, (k, i) => modernList(k * 1000 + i + 1));

    const sessions = await Promise.all(
      Array.from({ length: clients }, async () => {
        const init = await c.post({}, JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: LEGACY, capabilities: {}, clientInfo: { name: 'bench', version: '1' } } }));
        const sid = init.headers['mcp-session-id'];
        if (typeof sid !== 'string') throw new Error(`initialize opened no session (HTTP ${init.status}): ${init.text.slice(0, 300)}`);
        const headers = { 'mcp-session-id': sid, 'mcp-protocol-version': LEGACY };
        await c.post(headers, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
        return headers;
      }),
    );
    const legacyList = async (k: number, i: number) => {
      const id = i + 1;
      listed(await c.post(sessions[k]!, JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'list_accounts', arguments: {} } })), id);
    };
    await run(clients, perClient, legacyList);
    const legacy = await run(clients, perClient, legacyList);
    return { modern, legacy, sample };
  } finally {
    c.close();
    stop();
  }
}

/** The same load and checks against the canned server answering with a real 2026-07-28 answer. */
async function floorOf(body: string, clients: number, perClient: number) {
  const canned = await cannedServer(body);
  const c = client(canned.url, clients);
  try {
    const call = async () => {
      const a = await c.post(MODERN_HEADERS, modernCall(1));
      if (JSON.parse(a.text).result?.structuredContent?.total === undefined) throw new Error('the floor server answered something else');
    };
    await run(clients, perClient, call);
    return await run(clients, perClient, call);
  } finally {
    c.close();
    canned.stop();
  }
}
