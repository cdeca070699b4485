import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { awsFamily } from '../../src/engine/families/aws/index.js';
import { completeAwsSetup } from '../../src/engine/families/aws-role/operations.js';
import type { Engine } from '../../src/engine/engine.js';
import { CloudlinkError } from '../../src/engine/errors.js';
import { NO_METER } from '../../src/engine/ports/meter.js';
import { renameAccount } from '../../src/engine/operations/rename-account.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import { silentLogger } from '../../src/log.js';
import { Confirmations } from '../../src/mcp/confirm.js';
import { createMcpHttpApp, type HttpLimits } from '../../src/mcp/http.js';
import { modernPost, type ModernAnswer } from '../helpers/mcp.js';
import { admin, deployRole, memoryEngine } from '../helpers/memory.js';

/**
 * Repeated read-only calls over HTTP are answered from what was answered for the same store snapshot
 * (src/mcp/answer-cache.ts): the same bytes as the SDK's answer, with the repeat's own id; never
 * across callers, never after a change (here or on another instance), never for errors or for tools
 * whose result depends on the clock or a cloud.
 */

const ADMIN = 'tok-admin-answers-0123456789';
const MEMBER = 'tok-member-answers-0123456789';
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

type Instance = { url: string; runs: string[]; stats(): { answers: number; bytes: number }; close(): Promise<void> };
const open: Instance[] = [];

/** An HTTP MCP endpoint on `engine`, counting the operations the engine really runs. */
async function instance(engine: Engine, limits: Partial<HttpLimits> = {}): Promise<Instance> {
  const runs: string[] = [];
  const counted: Engine = { ...engine, run: ((def, ...rest) => (runs.push(def.name), engine.run(def, ...rest))) as Engine['run'] };
  const { app, stop, answers } = createMcpHttpApp(
    counted,
    { tokens: [{ token: ADMIN, actor: 'ops-bot', role: 'admin' }, { token: MEMBER, actor: 'intern-bot', role: 'member' }], host: '127.0.0.1', options: { readOnly: false, requireElicitation: false, confirmations: new Confirmations('answers-test-key-0123456789abcdef') }, limits },
    silentLogger,
  );
  const server: Server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const i: Instance = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    runs,
    stats: answers.stats,
    async close() {
      await stop();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
  open.push(i);
  return i;
}

async function link(engine: Engine, aws: Parameters<typeof deployRole>[0], name: string, accountId: string) {
  const s = await engine.run(awsFamily.start, admin, { kind: 'management' });
  await engine.run(completeAwsSetup, admin, { setupId: s.setupId, name, roleArn: deployRole(aws, s, accountId) });
}

const list = (url: string, args: Record<string, unknown> = {}, opts: { token?: string; id?: number } = {}) => modernPost(url, bearer(opts.token ?? ADMIN), 'tools/call', { name: 'list_accounts', arguments: args }, opts.id !== undefined ? { id: opts.id } : {});
const names = (a: ModernAnswer) => ((a.body.result?.structuredContent as { accounts: { name: string }[] }).accounts ?? []).map((x) => x.name);
const runsOf = (i: Instance, tool: string) => i.runs.filter((r) => r === tool).length;

/** A raw JSON-RPC POST, so that the id (a string here) and the headers are exactly as given. */
async function post(url: string, headers: Record<string, string>, body: unknown) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

let e1: Awaited<ReturnType<typeof memoryEngine>>;
let e2: Awaited<ReturnType<typeof memoryEngine>>;
let a: Instance;
let b: Instance;

beforeAll(async () => {
  // Two instances on one store, as behind a load balancer.
  // Members who may not link are not shown External IDs: what one caller sees differs from another's.
  const store = new MemoryStore();
  const env = { CLOUDLINK_MEMBERS_CAN_LINK: 'false' };
  e1 = await memoryEngine({ store, env });
  e2 = await memoryEngine({ store, env });
  await link(e1.engine, e1.aws, 'Prod', '111111111111');
  await link(e1.engine, e1.aws, 'Staging', '222222222222');
  a = await instance(e1.engine);
  b = await instance(e2.engine);
});
afterAll(async () => {
  for (const i of open) await i.close();
});

describe('2026-07-28 calls', () => {
  it('answers a repeat without running the operation again, with the same result and its own id', async () => {
    const first = await list(a.url, {}, { id: 7 });
    const before = runsOf(a, 'list_accounts');
    const again = await list(a.url, {}, { id: 8 });
    expect(runsOf(a, 'list_accounts')).toBe(before);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...first.body, id: 8 });
    expect(names(again)).toEqual(['Prod', 'Staging']);

    // A string id is echoed as a string; the body is exactly what the SDK's answer was, in JSON.
    const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'raw-test-client', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} };
    const headers = { ...bearer(ADMIN), 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'list_accounts' };
    const raw = await post(a.url, headers, { jsonrpc: '2.0', id: 'call-9', method: 'tools/call', params: { name: 'list_accounts', arguments: {}, _meta: meta } });
    const raw2 = await post(a.url, headers, { jsonrpc: '2.0', id: 'call-10', method: 'tools/call', params: { name: 'list_accounts', arguments: {}, _meta: meta } });
    expect(raw2.type).toMatch(/^application\/json/);
    expect(JSON.parse(raw2.text)).toEqual({ ...JSON.parse(raw.text), id: 'call-10' });
    expect(JSON.parse(raw2.text).result).toEqual(first.body.result);
  });

  it('sees a change made on another instance at once', async () => {
    await list(a.url);
    const ran = runsOf(a, 'list_accounts');
    await e2.engine.run(renameAccount, admin, { account: 'Staging', newName: 'Staging EU' });
    const after = await list(a.url);
    expect(runsOf(a, 'list_accounts')).toBe(ran + 1);
    expect(names(after)).toEqual(['Prod', 'Staging EU']);
    // And through the other instance's own endpoint, which answered nothing yet.
    expect(names(await list(b.url))).toEqual(['Prod', 'Staging EU']);
  });

  it('never gives one caller what was answered to another', async () => {
    const forAdmin = await list(a.url);
    await list(a.url);
    const ran = runsOf(a, 'list_accounts');
    const forMember = await list(a.url, {}, { token: MEMBER });
    expect(runsOf(a, 'list_accounts')).toBe(ran + 1);
    const externalIds = (x: ModernAnswer) => (x.body.result?.structuredContent as { accounts: { aws?: { externalId?: string } }[] }).accounts.map((y) => y.aws?.externalId);
    expect(externalIds(forAdmin).every(Boolean)).toBe(true);
    expect(externalIds(forMember).some(Boolean)).toBe(false);
  });

  it('runs again for other arguments, for errors, and for tools whose answer may change by itself', async () => {
    await list(a.url, { offset: 1 });
    const ran = runsOf(a, 'list_accounts');
    expect(names(await list(a.url, { offset: 1, limit: 1 }))).toEqual(['Staging EU']);
    expect(runsOf(a, 'list_accounts')).toBe(ran + 1);

    // An error (an unknown account) is told again by the engine each time, never kept.
    for (let i = 0; i < 2; i++) {
      const r = await modernPost(a.url, bearer(ADMIN), 'tools/call', { name: 'get_account', arguments: { account: 'Nope' } });
      expect(r.body.result?.isError).toBe(true);
    }
    expect(runsOf(a, 'get_account')).toBe(2);
    // get_account of a real one is kept, like the list.
    for (let i = 0; i < 2; i++) await modernPost(a.url, bearer(ADMIN), 'tools/call', { name: 'get_account', arguments: { account: 'Prod' } });
    expect(runsOf(a, 'get_account')).toBe(3);

    // A setup's status depends on the clock (it expires): never kept.
    const s = await e1.engine.run(awsFamily.start, admin, { kind: 'linked' });
    for (let i = 0; i < 2; i++) await modernPost(a.url, bearer(ADMIN), 'tools/call', { name: 'get_setup_status', arguments: { setupId: s.setupId } });
    expect(runsOf(a, 'get_setup_status')).toBe(2);
  });

  it('leaves refusals to the SDK: a repeat with headers or an id it would refuse is refused', async () => {
    await list(a.url);
    await list(a.url);
    const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'raw-test-client', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} };
    const body = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_accounts', arguments: {}, _meta: meta } };
    const headers = { ...bearer(ADMIN), 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'list_accounts' };
    // The routing header must match the body: a repeat naming another tool is the SDK's to refuse.
    expect((await post(a.url, { ...headers, 'mcp-name': 'get_account' }, body)).status).toBe(400);
    // An id the protocol does not allow is never answered from the cache.
    const nullId = await post(a.url, headers, { ...body, id: null });
    expect(JSON.parse(nullId.text).result).toBeUndefined();
  });

  it('serves calls that arrive together once', async () => {
    await e1.engine.run(renameAccount, admin, { account: 'Prod', newName: 'Prod EU' });
    const ran = runsOf(a, 'list_accounts');
    const all = await Promise.all(Array.from({ length: 10 }, (_, i) => list(a.url, {}, { id: 100 + i })));
    expect(runsOf(a, 'list_accounts')).toBe(ran + 1);
    for (const [i, r] of all.entries()) {
      expect(r.body.id).toBe(100 + i);
      expect(names(r)).toEqual(['Prod EU', 'Staging EU']);
    }
  });

  it('leaves a store that cannot be read to the operation, which says so', async () => {
    class FailingStore extends MemoryStore {
      failing = false;
      override async read() {
        if (this.failing) throw new CloudlinkError('STORE_BUSY', 'cloudlink cannot read its store right now. Try again in a moment.');
        return super.read();
      }
    }
    const store = new FailingStore();
    const e = await memoryEngine({ store });
    await link(e.engine, e.aws, 'Flaky', '444444444444');
    const i = await instance(e.engine);
    await list(i.url);
    await list(i.url);
    store.failing = true;
    const r = await list(i.url);
    expect(r.status).toBe(200);
    expect(r.body.result?.isError).toBe(true);
    expect(JSON.stringify(r.body.result?.content)).toContain('cannot read its store right now');
    store.failing = false;
    expect(names(await list(i.url))).toEqual(['Flaky']);
  });

  it('lets one of those waiting take over when the first is slow, not all of them', async () => {
    const e = await memoryEngine();
    await link(e.engine, e.aws, 'Slow', '555555555555');
    let first = true;
    const slow: Engine = {
      ...e.engine,
      run: (async (def, ...rest) => {
        if (def.name === 'list_accounts' && first) {
          first = false;
          await new Promise((r) => setTimeout(r, 1300));
        }
        return e.engine.run(def, ...rest);
      }) as Engine['run'],
    };
    const i = await instance(slow);
    const all = await Promise.all(Array.from({ length: 6 }, (_, k) => list(i.url, {}, { id: k + 1 })));
    // The slow first call, and the one that took over after a second; the other four got its answer.
    expect(runsOf(i, 'list_accounts')).toBe(2);
    expect(all.map((r) => names(r))).toEqual(Array.from({ length: 6 }, () => ['Slow']));
  });

  it('counts an answer from the cache in the metrics as the operation it stands for', async () => {
    const seen: [string, string, string][] = [];
    const meter = { ...NO_METER, operation: (name: string, frontEnd: string, outcome: string) => void seen.push([name, frontEnd, outcome]) };
    const e = await memoryEngine({ meter });
    await link(e.engine, e.aws, 'Metered', '666666666666');
    const i = await instance(e.engine);
    for (let k = 0; k < 3; k++) await list(i.url);
    expect(runsOf(i, 'list_accounts')).toBe(1);
    expect(seen.filter(([name]) => name === 'list_accounts')).toEqual([
      ['list_accounts', 'mcp', 'ok'],
      ['list_accounts', 'mcp', 'ok'],
      ['list_accounts', 'mcp', 'ok'],
    ]);
  });

  it('keeps nothing when turned off, and no answer larger than its share of the budget', async () => {
    for (const limits of [{ answerCacheBytes: 0 }, { answerCacheBytes: 4096 }]) {
      const off = await instance(e1.engine, limits);
      for (let i = 0; i < 3; i++) await list(off.url);
      expect(runsOf(off, 'list_accounts')).toBe(3);
      expect(off.stats()).toEqual({ answers: 0, bytes: 0 });
    }
  });
});

describe('2025-11-25 sessions', () => {
  const LEGACY = '2025-11-25';
  async function session(url: string, token = ADMIN) {
    const init = await fetch(url, { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: LEGACY, capabilities: {}, clientInfo: { name: 't', version: '1' } } }) });
    await init.text();
    const headers = { ...bearer(token), 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': LEGACY };
    await post(url, headers, { jsonrpc: '2.0', method: 'notifications/initialized' });
    return headers;
  }
  const call = (url: string, headers: Record<string, string>, id: number) => post(url, headers, { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'list_accounts', arguments: {} } });
  const resultOf = (r: { type: string; text: string }) => (r.type.startsWith('text/event-stream') ? JSON.parse(r.text.split('\n').find((l) => l.startsWith('data:'))!.slice(5)) : JSON.parse(r.text));

  it('answers a repeat in a session from the first answer, in JSON', async () => {
    const s = await session(a.url);
    const first = await call(a.url, s, 1);
    expect(first.type).toMatch(/^text\/event-stream/);
    const ran = runsOf(a, 'list_accounts');
    const again = await call(a.url, s, 2);
    expect(runsOf(a, 'list_accounts')).toBe(ran);
    expect(again.type).toMatch(/^application\/json/);
    expect(resultOf(again)).toEqual({ ...resultOf(first), id: 2 });
    // 2025-11-25 answers carry the JSON copy in their text: they are kept apart from 2026-07-28 ones.
    expect(resultOf(again).result.content.at(-1).text).toContain('"accounts"');
  });

  it('keeps each session its own, and refuses a session to another caller before anything is answered', async () => {
    const mine = await session(a.url);
    await call(a.url, mine, 1);
    await call(a.url, mine, 2);
    const ran = runsOf(a, 'list_accounts');
    const other = await session(a.url);
    await call(a.url, other, 1);
    expect(runsOf(a, 'list_accounts')).toBe(ran + 1);
    const stolen = await call(a.url, { ...mine, ...bearer(MEMBER) }, 3);
    expect(stolen.status).toBe(403);
    // An empty protocol version header is not an absent one: the SDK refuses it, kept answers or not.
    const empty = await call(a.url, { ...mine, 'mcp-protocol-version': '' }, 4);
    expect(empty.status).toBe(400);
  });
});

describe('on the default store (lowdb), with another process writing', () => {
  let dir: string;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('sees a write made through another store on the same file, and serves the calls that arrive together once', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cloudlink-answers-'));
    const path = join(dir, 'store.json');
    const mine = await memoryEngine({ store: new LowdbStore(path) });
    const theirs = await memoryEngine({ store: new LowdbStore(path) });
    await mine.store.init();
    await link(mine.engine, mine.aws, 'Lowdb One', '333333333333');
    const i = await instance(mine.engine);
    await list(i.url);
    await list(i.url);
    expect(runsOf(i, 'list_accounts')).toBe(1);
    await theirs.store.init();
    await theirs.engine.run(renameAccount, admin, { account: 'Lowdb One', newName: 'Lowdb Renamed' });
    // Calls arriving together right after the other process wrote share one read of the file, so one run.
    const together = await Promise.all(Array.from({ length: 10 }, (_, k) => list(i.url, {}, { id: k + 1 })));
    expect(together.map(names)).toEqual(Array.from({ length: 10 }, () => ['Lowdb Renamed']));
    expect(runsOf(i, 'list_accounts')).toBe(2);
  });
});
