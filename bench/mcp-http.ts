import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { writeStore } from './fixtures.js';
import { median, percentile } from './stats.js';

const CLI = fileURLToPath(new URL('../dist/bundle/cli.mjs', import.meta.url));
const TOKEN = 'bench-http-token-0123456789abcdef';
const MODERN = '2026-07-28';

/** `cloudlink serve` with MCP over HTTP on a store of `n` accounts; resolves with its /mcp URL. */
async function serve(dir: string, n: number, env: NodeJS.ProcessEnv) {
  const path = `${dir}/http-${n}.json`;
  await writeStore(path, n);
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: { ...env, CLOUDLINK_STORE_PATH: path, CLOUDLINK_MCP_HTTP_PORT: '0', CLOUDLINK_MCP_TOKENS: `${TOKEN}=bench:admin`, CLOUDLINK_MCP_SESSIONS_PER_TOKEN: '100', CLOUDLINK_HEALTH_INTERVAL_MINUTES: '0', CLOUDLINK_HTTP_PORT: '0', CLOUDLINK_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const t0 = Date.now();
    const poll = setInterval(() => {
      const m = /MCP HTTP +(http:\/\/\S+\/mcp)/.exec(err);
      if (m) {
        clearInterval(poll);
        resolve(m[1]!);
      } else if (child.exitCode !== null || Date.now() - t0 > 30_000) {
        clearInterval(poll);
        reject(new Error(`cloudlink serve did not start: ${err}`));
      }
    }, 20);
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

/** One stateless 2026-07-28 tools/call, as the wire carries it. */
async function modernList(url: string, id: number) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${TOKEN}`, 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': 'list_accounts' },
    body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'list_accounts', arguments: {}, _meta: { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} } } }),
  });
  const body = (await res.json()) as { result?: { structuredContent?: { total?: number } } };
  if (body.result?.structuredContent?.total === undefined) throw new Error(`list_accounts failed: ${JSON.stringify(body).slice(0, 300)}`);
}

/**
 * list_accounts (its first page of 100) over Streamable HTTP against `n` accounts, from 20 clients
 * at once: each sends `perClient` calls back to back. Both eras: 2026-07-28 requests (stateless, a
 * server per request) and 2025-11-25 sessions (one per client).
 */
export async function mcpHttpLatency(dir: string, n: number, env: NodeJS.ProcessEnv, clients = 20, perClient = 25) {
  const { url, stop } = await serve(dir, n, env);
  try {
    const run = async (call: (c: number, i: number) => Promise<void>) => {
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
    };
    // Steady state is what is measured: a warm-up burst first (the first listing of a snapshot builds
    // its views, and V8 has not yet optimised the request path), as a service that has been up a while.
    await modernList(url, 0);
    await run((c, i) => modernList(url, 100_000 + c * 1000 + i));
    const modern = await run((c, i) => modernList(url, c * 1000 + i + 1));

    const sessions = await Promise.all(
      Array.from({ length: clients }, async () => {
        const client = new Client({ name: 'bench', version: '1' });
        await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }));
        return client;
      }),
    );
    const legacyList = async (c: number) => {
      const r = await sessions[c]!.callTool({ name: 'list_accounts', arguments: {} });
      if (r.isError) throw new Error(JSON.stringify(r.content));
    };
    await run(legacyList);
    const legacy = await run(legacyList);
    await Promise.all(sessions.map((s) => s.close()));
    return { modern, legacy };
  } finally {
    stop();
  }
}
