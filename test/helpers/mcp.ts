import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/bundle/cli.mjs', import.meta.url));

export type Elicitor = { answer: (message: string) => ElicitResult; asked: string[] };

/** An MCP client as assistants run it; with `elicitor`, it declares elicitation and answers as told. */
export function makeClient(elicitor?: Elicitor) {
  const client = new Client({ name: 'cloudlink-test-client', version: '1.0.0' }, { capabilities: elicitor ? { elicitation: {} } : {} });
  if (elicitor) {
    client.setRequestHandler(ElicitRequestSchema, async (req) => {
      const message = (req.params as { message: string }).message;
      elicitor.asked.push(message);
      return elicitor.answer(message);
    });
  }
  return client;
}

/** Spawns the built server over stdio, as a desktop assistant does. */
export async function stdioClient(env: Record<string, string>, args: string[] = [], elicitor?: Elicitor) {
  const client = makeClient(elicitor);
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', ...args], env: { PATH: process.env.PATH ?? '', ...env }, stderr: 'pipe' });
  const stderr: string[] = [];
  transport.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
  await client.connect(transport);
  return { client, stderr, close: () => client.close() };
}

export const textOf = (r: object) => (((r as { content?: unknown }).content as { type: string; text?: string }[]) ?? []).map((c) => c.text ?? '').join('\n');

/** The protocol revision of stateless MCP (no initialize, no session; every request carries `_meta`). */
export const MODERN = '2026-07-28';

/** A 2026-07-28 client (the SDK's v2 Client, pinned to that revision); with `elicitor`, it declares elicitation and answers as told. */
export async function modernClient(url: string, headers: Record<string, string>, elicitor?: Elicitor) {
  const { Client: ModernClient, StreamableHTTPClientTransport: ModernTransport } = await import('@modelcontextprotocol/client');
  const client = new ModernClient({ name: 'cloudlink-modern-client', version: '1.0.0' }, { capabilities: elicitor ? { elicitation: {} } : {}, versionNegotiation: { mode: { pin: MODERN } } });
  if (elicitor) {
    client.setRequestHandler('elicitation/create', async (req) => {
      const message = (req.params as { message: string }).message;
      elicitor.asked.push(message);
      return elicitor.answer(message) as never;
    });
  }
  await client.connect(new ModernTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

export type ModernAnswer = { status: number; body: { id?: number | string; result?: Record<string, unknown> & { resultType?: string; requestState?: string; inputRequests?: Record<string, unknown>; isError?: boolean; content?: { text?: string }[] }; error?: { code: number; message: string; data?: unknown } }; frames: unknown[] };

/**
 * One raw 2026-07-28 request, as the wire carries it (the standard headers, the `_meta` envelope,
 * and on a retry `inputResponses` and `requestState`), for tests that must forge what a client sends.
 */
export async function modernPost(url: string, headers: Record<string, string>, method: string, params: Record<string, unknown> = {}, opts: { capabilities?: Record<string, unknown>; id?: number } = {}): Promise<ModernAnswer> {
  const name = typeof params.name === 'string' ? params.name : typeof params.uri === 'string' ? params.uri : undefined;
  const body = {
    jsonrpc: '2.0',
    id: opts.id ?? 1,
    method,
    params: {
      ...params,
      _meta: { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientInfo': { name: 'raw-test-client', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': opts.capabilities ?? {}, ...((params._meta as object) ?? {}) },
    },
  };
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': MODERN, 'mcp-method': method, ...(name ? { 'mcp-name': name } : {}), ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  const frames = (res.headers.get('content-type') ?? '').includes('text/event-stream')
    ? text.split('\n').filter((l) => l.startsWith('data:')).map((l) => JSON.parse(l.slice(5)))
    : text
      ? [JSON.parse(text)]
      : [];
  const final = (frames as { id?: unknown }[]).find((f) => f.id === body.id) ?? frames.at(-1) ?? {};
  return { status: res.status, body: final as ModernAnswer['body'], frames };
}

export type Msg = { id?: number | string | null; method?: string; result?: Record<string, unknown>; error?: { code: number; message: string } };

/**
 * `cloudlink mcp` spawned with `flags` and `env` (a store in `dir`), sent `lines` one per line (an
 * object is a JSON-RPC message, a string goes as it is), and every line it writes collected until
 * `until` holds, and a moment more (a duplicate answer would come then).
 */
export function conversation(dir: string) {
  return (flags: string[], env: Record<string, string>, lines: (object | string)[], until: (got: Msg[]) => boolean): Promise<Msg[]> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, 'mcp', ...flags], {
        env: { PATH: process.env.PATH ?? '', HOME: dir, CLOUDLINK_STORE_PATH: join(dir, 'store.json'), CLOUDLINK_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'), ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const got: Msg[] = [];
      let out = '';
      let err = '';
      const timer = setTimeout(() => (child.kill(), reject(new Error(`no answer: ${JSON.stringify(got)} ${err}`))), 15_000);
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
          got.push(JSON.parse(out.slice(0, nl)) as Msg);
          out = out.slice(nl + 1);
        }
        if (until(got)) {
          setTimeout(() => {
            clearTimeout(timer);
            child.kill();
            resolve(got);
          }, 300);
        }
      });
      for (const m of lines) child.stdin.write(typeof m === 'string' ? m : `${JSON.stringify({ jsonrpc: '2.0', ...m })}\n`);
    });
}
