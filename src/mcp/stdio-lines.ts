import { PassThrough } from 'node:stream';
import type { Logger } from '../log.js';
import { initializeProblem } from './initialize-params.js';

/** The most one line may hold, its newline included: the SDK's own stdio reader's limit, in bytes. */
export const MAX_LINE_BYTES = 10 * 1024 * 1024;
const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;
const INVALID_PARAMS = -32602;
const NEWLINE = 0x0a;

type Id = string | number | null;

/**
 * What the SDK's stdio reader would take as a message. Looser than its schema, never stricter: a line
 * that passes here and fails there is dropped by the SDK, as before; nothing valid is refused here.
 */
function looksLikeMessage(v: unknown): boolean {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const m = v as Record<string, unknown>;
  return m.jsonrpc === '2.0' && (typeof m.method === 'string' || ('id' in m && ('result' in m || 'error' in m)));
}

const idOf = (v: unknown): Id => {
  const id = v && typeof v === 'object' ? (v as { id?: unknown }).id : undefined;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
};

/**
 * The stdio framing (one JSON-RPC message per line) checked before the SDK reads it. JSON-RPC 2.0
 * answers a line that is not JSON with -32700 and one that is not a message with -32600; the SDK's
 * reader skips the first silently and only logs the second, so a client that sent either would wait
 * for an answer that never comes. Lines that are messages pass on unchanged, one whole line per write
 * (so the SDK's buffer never holds more than one); the others are answered here, on `output`, and go
 * no further, and so does a line longer than the SDK would hold (which would close its transport).
 * Lines are cut as bytes, so a character split across chunks stays whole. Their content is never logged.
 */
export function checkedLines(input: NodeJS.ReadableStream, output: NodeJS.WritableStream, log: Logger): PassThrough {
  const passed = new PassThrough();
  // The bytes of the line under way (before its newline), and their count.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  // After a line too long to keep, everything up to its end is dropped.
  let skipping = false;

  const answer = (id: Id, code: number, message: string) => {
    log.warn('MCP stdio: answered a line that is not a message the server can take with an error', { code });
    output.write(`${JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } })}\n`);
  };
  const tooLong = () => answer(null, PARSE_ERROR, `Parse error: a line longer than ${MAX_LINE_BYTES} bytes was dropped. Send smaller messages.`);
  const judge = (line: Buffer) => {
    const text = line.toString('utf8').trim();
    if (!text) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return answer(null, PARSE_ERROR, 'Parse error: that line is not JSON. Send one JSON-RPC 2.0 message per line, as UTF-8 JSON ended by a newline.');
    }
    if (!looksLikeMessage(value)) {
      return answer(idOf(value), INVALID_REQUEST, 'Invalid Request: that line is JSON but not a JSON-RPC 2.0 message. Send an object with "jsonrpc": "2.0" and a "method" (and an "id" for a request); batches (arrays) are not part of MCP.');
    }
    const problem = initializeProblem(value);
    if (problem) return answer(idOf(value), INVALID_PARAMS, problem);
    passed.write(line);
  };

  input.on('data', (data: Buffer | string) => {
    const chunk = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl >= 0; nl = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, nl + 1);
      start = nl + 1;
      if (skipping) skipping = false;
      else if (pendingBytes + piece.length > MAX_LINE_BYTES) tooLong();
      else judge(pending.length ? Buffer.concat([...pending, piece]) : piece);
      pending = [];
      pendingBytes = 0;
    }
    if (start >= chunk.length || skipping) return;
    const rest = chunk.subarray(start);
    if (pendingBytes + rest.length >= MAX_LINE_BYTES) {
      // Its newline could not fit either: dropped now, rather than held.
      tooLong();
      skipping = true;
      pending = [];
      pendingBytes = 0;
      return;
    }
    pending.push(rest);
    pendingBytes += rest.length;
  });
  // A last line without its newline is not a message yet, as the SDK's reader has it.
  input.on('end', () => passed.end());
  input.on('error', (e: Error) => passed.destroy(e));
  return passed;
}
