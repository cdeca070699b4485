import { readFileSync } from 'node:fs';
import { PassThrough, Writable } from 'node:stream';
import { initializeProblem } from './initialize-params.js';

/**
 * The opening exchange of a stdio MCP server, answered before the SDK, zod and the engine have loaded.
 *
 * An assistant spawns `cloudlink mcp` at every start and waits for `initialize` and `tools/list`;
 * loading what answers them is most of the start-up. Both answers are fixed for a given build and set
 * of options, so the build records them (scripts/mcp-opening.mjs runs the real server once per option
 * set and writes `mcp-opening.json` next to the bundle). This module answers from that record, then
 * hands the connection to the SDK: every byte read is replayed to the SDK's own stdio transport, and
 * the SDK's answers to the requests answered here are dropped, so the SDK sees the whole conversation
 * (the client's capabilities included) and the client hears each answer once.
 *
 * Anything it does not recognise (another protocol version, a 2026-07-28 opening, a paged
 * `tools/list`, any other request) ends the fast path there: the SDK answers it and all that follows.
 */

/** What the build recorded for one set of options (scripts/mcp-opening.mjs). */
export type OpeningRecord = { supported: string[]; initialize: Record<string, unknown>; tools: unknown };
export type Opening = { input: PassThrough; output: Writable };

export type OpeningOptions = { readOnly: boolean; requireElicitation: boolean; typedConfirmation: boolean };

/** The record's file name for a set of options: one small file each, so a start reads only its own. */
export const openingFile = (o: OpeningOptions) => `mcp-opening.${Number(o.readOnly)}${Number(o.requireElicitation)}${Number(o.typedConfirmation)}.json`;

const FLAGS = { '--read-only': 'readOnly', '--require-elicitation': 'requireElicitation', '--typed-confirmation': 'typedConfirmation' } as const;
const ENV = { CLOUDLINK_MCP_READ_ONLY: 'readOnly', CLOUDLINK_MCP_REQUIRE_ELICITATION: 'requireElicitation', CLOUDLINK_MCP_TYPED_CONFIRMATION: 'typedConfirmation' } as const;

/**
 * The options `cloudlink mcp` will run with, read as the configuration reads them; undefined when
 * anything is unusual (an unknown flag, a value the configuration would refuse): then there is no
 * fast path, and the configuration says what is wrong.
 */
export function openingOptions(flags: string[], env: NodeJS.ProcessEnv): OpeningOptions | undefined {
  const o: OpeningOptions = { readOnly: false, requireElicitation: false, typedConfirmation: false };
  for (const [name, key] of Object.entries(ENV)) {
    const v = env[name];
    if (v === undefined || v === '' || v === 'false' || v === '0' || v === 'no') continue;
    if (v === 'true' || v === '1' || v === 'yes') o[key] = true;
    else return undefined;
  }
  for (const f of flags) {
    const key = FLAGS[f as keyof typeof FLAGS];
    if (!key) return undefined;
    o[key] = true;
  }
  return o;
}

/** The record for these options in the folder `dir` (the bundle's); undefined when there is none (running from source). */
export function readOpeningRecord(dir: URL, options: OpeningOptions): OpeningRecord | undefined {
  try {
    return JSON.parse(readFileSync(new URL(openingFile(options), dir), 'utf8')) as OpeningRecord;
  } catch {
    return undefined;
  }
}

/** Splits a stream of bytes into newline-delimited lines (the stdio framing). */
function lines(onLine: (line: string) => void) {
  let buf = '';
  return (chunk: Buffer | string) => {
    buf += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl).replace(/\r$/, '');
      buf = buf.slice(nl + 1);
      if (line.trim()) onLine(line);
    }
  };
}

type Message = { id?: string | number; method?: string; params?: { protocolVersion?: string; cursor?: string; _meta?: Record<string, unknown> }; result?: unknown; error?: unknown };

/** Starts answering the opening from `record` on these streams; the SDK's transport is then built on `input` and `output`. */
export function startOpening(entry: OpeningRecord, stdin: NodeJS.ReadableStream = process.stdin, stdout: NodeJS.WritableStream = process.stdout): Opening {
  const input = new PassThrough();
  const answered = new Set<string>();
  let fast = true;
  let initialized = false;

  const answer = (id: string | number, result: unknown) => {
    answered.add(JSON.stringify(id));
    stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id, result })}\n`);
  };
  const look = lines((line) => {
    if (!fast) return;
    let msg: Message;
    try {
      msg = JSON.parse(line) as Message;
    } catch {
      fast = false;
      return;
    }
    // Answered by the framing check (what is missing) and never seen by the SDK: the fast path goes on.
    if (!initialized && initializeProblem(msg)) return;
    const modern = msg.params?._meta && 'io.modelcontextprotocol/protocolVersion' in msg.params._meta;
    if (!initialized && msg.method === 'initialize' && msg.id !== undefined && !modern && entry.supported.includes(msg.params?.protocolVersion ?? '')) {
      initialized = true;
      return answer(msg.id, { ...entry.initialize, protocolVersion: msg.params!.protocolVersion });
    }
    if (initialized && msg.method === 'notifications/initialized') return;
    if (initialized && msg.method === 'tools/list' && msg.id !== undefined && !msg.params?.cursor) return answer(msg.id, entry.tools);
    fast = false;
  });
  stdin.on('data', (chunk: Buffer) => {
    // Looked at first, so that our answer is written before the SDK could answer the same request.
    look(chunk);
    input.write(chunk);
  });
  stdin.on('end', () => input.end());

  // What the SDK writes, less its answers to what was answered here already.
  const forward = lines((line) => {
    try {
      const msg = JSON.parse(line) as Message;
      const key = msg.id === undefined ? undefined : JSON.stringify(msg.id);
      if (key && msg.method === undefined && ('result' in msg || 'error' in msg) && answered.delete(key)) return;
    } catch {
      /* not ours to judge: pass it on */
    }
    stdout.write(`${line}\n`);
  });
  const output = new Writable({
    write(chunk: Buffer, _enc, done) {
      forward(chunk);
      done();
    },
  });
  return { input, output };
}
