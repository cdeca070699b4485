import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/**
 * Answers to repeated read-only tool calls over HTTP, kept for the store snapshot they were read from.
 *
 * The first call is served by the SDK as any other; the JSON-RPC result it answered is kept,
 * serialized and encoded, under a key made of everything the SDK's answer depends on: the caller, the
 * request's headers the SDK reads, the whole message but its id, and the snapshot. A repeat is
 * answered from those bytes with its own id. Served by the SDK, a page of 100 accounts (54 kB) costs
 * about 1.3 ms of CPU, most of it the SDK's per-request work and serializing the answer; a repeat
 * about 0.3 ms (see README, Benchmarks). Assistants ask for the same page again and again between
 * changes.
 *
 * Only operations flagged `fromSnapshot` are kept: their result is a function of the stored data, the
 * reader and the input (no clock, no cloud call). Any write, here or on another instance, makes a new
 * snapshot, and the answers kept for the old one are dropped with it. Calls that arrive together while
 * the first is being served wait for it rather than all doing the same work (one takes over if it
 * takes more than a second).
 */
export type AnswerCacheOptions = {
  /** The store's current snapshot: the same object until something stored changes. */
  snapshot: () => Promise<object>;
  /** Tools whose answers may be kept. */
  tools: ReadonlySet<string>;
  /** Answers kept for one snapshot, in bytes, at most (oldest dropped first); 0 keeps none. */
  maxBytes: number;
};

export type Hit = { tool: string; ms: number };
type Answer = { result: Buffer; headers: Record<string, string> };
type Id = string | number;

/** The request headers the SDK's answer depends on (content negotiation, the protocol's own headers). */
const KEYED_HEADERS = ['accept', 'content-type', 'mcp-protocol-version', 'mcp-method', 'mcp-name', 'mcp-session-id'] as const;
/** Response headers worth repeating: what the protocol sets, not what HTTP or the stream sets. */
const KEPT_HEADERS = new Set(['mcp-session-id', 'mcp-protocol-version']);
/** An answer larger than the budget over this is never kept: a caller asking for 10,000 accounts at once is rare. */
const MAX_ANSWER_SHARE = 8;
/** Answers kept for one snapshot at most, whatever their size. */
const MAX_ENTRIES = 4096;
/** What an entry costs beside its key and bytes (the Map's slot, the objects), counted against the budget. */
const ENTRY_OVERHEAD = 256;
/** How long a repeat waits for the same call already being served before it is served itself. */
const FOLLOWER_WAIT_MS = 1000;

/** A message the cache may answer: one tools/call request for a kept tool, with a usable id. */
export function cacheableCall(body: unknown, tools: ReadonlySet<string>): { id: Id; tool: string } | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const m = body as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: { name?: unknown } };
  if (m.jsonrpc !== '2.0' || m.method !== 'tools/call' || typeof m.params?.name !== 'string' || !tools.has(m.params.name)) return undefined;
  // The ids the SDK accepts (a string, or an integer), so a repeat's id is one it would have accepted too.
  if (!(typeof m.id === 'string' || Number.isSafeInteger(m.id))) return undefined;
  return { id: m.id as Id, tool: m.params.name };
}

export function createAnswerCache(opts: AnswerCacheOptions) {
  // The snapshot is held weakly: the store drops an old one when it moves on, and the answers go with it.
  let current: { snapshot: WeakRef<object>; answers: Map<string, Answer>; bytes: number } | undefined;
  const inFlight = new Map<string, Promise<void>>();
  let closed = false;
  const shareLimit = opts.maxBytes / MAX_ANSWER_SHARE;

  const answersFor = (snapshot: object) => {
    if (current?.snapshot.deref() !== snapshot) current = { snapshot: new WeakRef(snapshot), answers: new Map(), bytes: 0 };
    return current.answers;
  };
  const sizeOf = (key: string, a: Answer) => key.length + a.result.length + ENTRY_OVERHEAD;

  function keep(snapshot: object, key: string, answer: Answer) {
    // An answer read from a snapshot that is no longer the newest is not kept.
    if (!current || current.snapshot.deref() !== snapshot) return;
    const replaced = current.answers.get(key);
    if (replaced) {
      current.answers.delete(key);
      current.bytes -= sizeOf(key, replaced);
    }
    current.answers.set(key, answer);
    current.bytes += sizeOf(key, answer);
    for (const [k, a] of current.answers) {
      if (current.bytes <= opts.maxBytes && current.answers.size <= MAX_ENTRIES) break;
      current.answers.delete(k);
      current.bytes -= sizeOf(k, a);
    }
  }

  return {
    /**
     * Answers `body` from the cache, or has `serve` answer it (the SDK) and keeps what it answered.
     * `caller` names who is asking and with which rights: answers are never shared between callers.
     * Resolves with the tool and the time taken when the answer came from the cache.
     */
    async answer(req: { body: unknown; headers: Record<string, string | string[] | undefined> }, res: ServerResponse, caller: string, serve: () => Promise<void>): Promise<Hit | undefined> {
      const call = opts.maxBytes > 0 && !closed ? cacheableCall(req.body, opts.tools) : undefined;
      if (!call) return void (await serve());
      const t0 = performance.now();
      const key = keyOf(req, caller);
      // A store that cannot be read now is the operation's to report, in its own words: the SDK serves it.
      const snapshot = await opts.snapshot().catch(() => undefined);
      if (!snapshot) return void (await serve());
      let hit = answersFor(snapshot).get(key);
      // The same call already being served: wait for it. If it is slow, one of those waiting takes over
      // (it sees the call it waited for still registered) and the others wait for that one.
      for (let pending = inFlight.get(key); !hit && pending; pending = inFlight.get(key)) {
        await pending;
        hit = answersFor(snapshot).get(key);
        if (!hit && inFlight.get(key) === pending) inFlight.delete(key);
      }
      if (hit) {
        send(res, hit, call.id);
        return { tool: call.tool, ms: performance.now() - t0 };
      }
      const recorded = record(res, shareLimit);
      const done = (async () => {
        await serve();
        const answer = answerOf(await recorded, call.id);
        if (answer) keep(snapshot, key, answer);
      })();
      const waitable = Promise.race([done.catch(() => undefined), new Promise<void>((r) => setTimeout(r, FOLLOWER_WAIT_MS).unref())]);
      inFlight.set(key, waitable);
      try {
        await done;
      } finally {
        if (inFlight.get(key) === waitable) inFlight.delete(key);
      }
      return undefined;
    },
    /** How many answers are kept now, and the bytes counted for them: for tests and the bench. */
    stats: () => ({ answers: current?.answers.size ?? 0, bytes: current?.bytes ?? 0 }),
    /** Nothing more is answered from the cache (the endpoint is closing: the SDK answers what still comes). */
    close() {
      closed = true;
      current = undefined;
    },
  };
}

export type AnswerCache = ReturnType<typeof createAnswerCache>;

/**
 * What a repeat must match: the caller, the headers the SDK reads (absent is not empty), the message
 * but its id. Hashed, so a key costs the same whatever the request carried.
 */
function keyOf(req: { body: unknown; headers: Record<string, string | string[] | undefined> }, caller: string): string {
  const headers = KEYED_HEADERS.map((h) => req.headers[h] ?? null);
  const { id: _id, ...message } = req.body as Record<string, unknown>;
  return createHash('sha256').update(JSON.stringify([caller, headers, message])).digest('base64');
}

/** The repeat: the kept result with the repeat's own id, in JSON (a client that sent Accept for both takes either). */
function send(res: ServerResponse, answer: Answer, id: Id) {
  const head = Buffer.from('{"jsonrpc":"2.0","id":' + JSON.stringify(id) + ',"result":');
  res.writeHead(200, { ...answer.headers, 'content-type': 'application/json', 'content-length': String(head.length + answer.result.length + 1) });
  // One write to the socket for the head, the kept bytes and the tail.
  res.cork();
  res.write(head);
  res.write(answer.result);
  res.end('}');
}

type Recorded = { status: number; headers: Record<string, string>; body: Buffer };

/**
 * What the SDK writes to `res` (status, headers, bytes), copied as it goes out: resolves once the
 * answer is finished, with nothing if it grew past `limit` bytes (it would not be kept anyway).
 */
function record(res: ServerResponse, limit: number): Promise<Recorded | undefined> {
  let chunks: Buffer[] | undefined = [];
  let size = 0;
  const headers: Record<string, string> = {};
  const { write, end, writeHead } = res;
  const copy = (chunk: unknown, encoding?: unknown) => {
    if (!chunks || chunk === undefined || chunk === null || typeof chunk === 'function') return;
    const bytes = Buffer.isBuffer(chunk) ? chunk : typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8') : Buffer.from(chunk as Uint8Array);
    size += bytes.length;
    if (size > limit) chunks = undefined;
    else chunks.push(bytes);
  };
  // Headers given to writeHead directly never reach getHeaders(): they are copied here.
  res.writeHead = function (this: ServerResponse, status: number, ...rest: unknown[]) {
    const given = rest.find((r) => r && typeof r === 'object') as Record<string, unknown> | unknown[] | undefined;
    const pairs = Array.isArray(given) ? Array.from({ length: given.length / 2 }, (_, i) => [given[2 * i], given[2 * i + 1]]) : Object.entries(given ?? {});
    for (const [h, v] of pairs) if (v !== undefined) headers[String(h).toLowerCase()] = String(v);
    return (writeHead as (...a: unknown[]) => ServerResponse).call(this, status, ...rest);
  } as ServerResponse['writeHead'];
  res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    copy(chunk, rest[0]);
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as ServerResponse['write'];
  res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
    copy(chunk, rest[0]);
    return (end as (...a: unknown[]) => ServerResponse).call(this, chunk, ...rest);
  } as ServerResponse['end'];
  return new Promise((resolve) => {
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      res.writeHead = writeHead;
      res.write = write;
      res.end = end;
      if (!res.writableFinished || !chunks) return resolve(undefined);
      for (const [h, v] of Object.entries(res.getHeaders())) if (v !== undefined) headers[h] = String(v);
      resolve({ status: res.statusCode, headers, body: Buffer.concat(chunks) });
    };
    res.once('finish', settle);
    res.once('close', settle);
  });
}

/**
 * The result worth keeping from what the SDK answered: exactly one JSON-RPC response, to this id,
 * a complete result (not an error, nor a question for the human), in JSON or as the only event of a stream.
 */
function answerOf(r: Recorded | undefined, id: Id): Answer | undefined {
  if (!r || r.status !== 200) return undefined;
  const contentType = r.headers['content-type'] ?? '';
  let message: unknown;
  try {
    if (contentType.startsWith('application/json')) message = JSON.parse(r.body.toString('utf8'));
    else if (contentType.startsWith('text/event-stream')) {
      const data = r.body
        .toString('utf8')
        .split('\n')
        .filter((l) => l.startsWith('data:'));
      if (data.length !== 1) return undefined;
      message = JSON.parse(data[0]!.slice(5));
    } else return undefined;
  } catch {
    return undefined;
  }
  const m = message as { jsonrpc?: unknown; id?: unknown; result?: { isError?: unknown; resultType?: unknown }; error?: unknown };
  if (!m || m.jsonrpc !== '2.0' || m.id !== id || m.error !== undefined || !m.result || typeof m.result !== 'object') return undefined;
  if (m.result.isError === true || (m.result.resultType !== undefined && m.result.resultType !== 'complete')) return undefined;
  const kept: Record<string, string> = {};
  for (const h of KEPT_HEADERS) if (r.headers[h] !== undefined) kept[h] = r.headers[h]!;
  return { result: Buffer.from(JSON.stringify(m.result)), headers: kept };
}
