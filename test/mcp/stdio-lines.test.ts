import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { checkedLines, MAX_LINE_BYTES } from '../../src/mcp/stdio-lines.js';
import { conversation, type Msg } from '../helpers/mcp.js';

/** checkedLines on in-memory streams: what it passes on, what it answers, what it logs. */
function rig() {
  const input = new PassThrough();
  const answers: Msg[] = [];
  const logged: string[] = [];
  const output = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) answers.push(JSON.parse(line) as Msg);
      done();
    },
  });
  const passed = checkedLines(input, output, createLogger({ write: (l) => logged.push(l) }));
  let through = '';
  passed.on('data', (d: Buffer) => (through += d.toString()));
  const ended = new Promise<void>((r) => passed.on('end', () => r()));
  return { input, answers, logged, through: () => through, ended };
}

describe('the stdio framing check', () => {
  it('passes JSON-RPC messages on byte for byte, a multi-byte character split across chunks included', async () => {
    const r = rig();
    const ping = '{"jsonrpc":"2.0","id":1,"method":"ping"}\n';
    const named = Buffer.from('{"jsonrpc":"2.0","method":"notifications/message","params":{"data":"Zoë"}}\n');
    const split = named.indexOf(Buffer.from('ë')) + 1;
    r.input.write(ping.slice(0, 10));
    r.input.write(ping.slice(10));
    r.input.write(named.subarray(0, split));
    r.input.write(named.subarray(split));
    r.input.write('{"jsonrpc":"2.0","id":"a","result":{}}\r\n\n   \n');
    r.input.end();
    await r.ended;
    expect(r.through()).toBe(`${ping}${named.toString()}{"jsonrpc":"2.0","id":"a","result":{}}\r\n`);
    expect(r.answers).toEqual([]);
  });

  it('answers a line that is not JSON with -32700 and one that is not a message with -32600, and passes neither on', async () => {
    const r = rig();
    r.input.write('hello there, token=xoxb-not-for-the-log\n');
    r.input.write('{"id":7,"foo":1}\n');
    r.input.write('[{"jsonrpc":"2.0","id":1,"method":"ping"}]\n');
    r.input.write('{"jsonrpc":"1.0","id":"x","method":"ping"}\n');
    r.input.write('{"jsonrpc":"2.0","id":2,"method":"ping"}\n');
    r.input.end();
    await r.ended;
    expect(r.answers.map((a) => [a.id, a.error?.code])).toEqual([
      [null, -32700],
      [7, -32600],
      [null, -32600],
      ['x', -32600],
    ]);
    expect(r.answers[0]!.error!.message).toMatch(/not JSON. Send one JSON-RPC 2.0 message per line/);
    expect(r.answers[1]!.error!.message).toMatch(/not a JSON-RPC 2.0 message[^]*"jsonrpc": "2.0"/);
    expect(r.through()).toBe('{"jsonrpc":"2.0","id":2,"method":"ping"}\n');
    // Logged that it happened, never what the line said.
    expect(r.logged).toHaveLength(4);
    expect(r.logged.join('\n')).not.toMatch(/xoxb|hello|foo/);
  });

  it('drops a line longer than the SDK would hold (in bytes, multi-byte text too) with one answer, and goes on with the next', async () => {
    const r = rig();
    // 4 Mi characters of 3 bytes each: 12 MiB, over the limit in bytes though not in characters.
    const chunk = '中'.repeat(1024 * 1024);
    for (let i = 0; i < 4; i++) r.input.write(chunk);
    r.input.write('still the long line\n{"jsonrpc":"2.0","id":3,"method":"ping"}\n');
    r.input.end();
    await r.ended;
    expect(r.answers).toHaveLength(1);
    expect(r.answers[0]).toMatchObject({ id: null, error: { code: -32700, message: expect.stringMatching(/longer than 10485760 bytes/) } });
    expect(r.through()).toBe('{"jsonrpc":"2.0","id":3,"method":"ping"}\n');
  });

  it('passes a line of exactly the limit, its newline included, and drops one byte more', async () => {
    const message = (bytes: number) => {
      const head = '{"jsonrpc":"2.0","method":"notifications/message","params":{"data":"';
      const tail = '"}}\n';
      return head + 'x'.repeat(bytes - head.length - tail.length) + tail;
    };
    const r = rig();
    r.input.write(message(MAX_LINE_BYTES));
    r.input.write(message(MAX_LINE_BYTES + 1));
    r.input.end();
    await r.ended;
    expect(r.through().length).toBe(MAX_LINE_BYTES);
    expect(r.answers.map((a) => a.error?.code)).toEqual([-32700]);
  });
});

describe('initialize without what the SDK requires', () => {
  it('is answered -32602 with what is missing, and not passed on', async () => {
    const r = rig();
    r.input.write('{"jsonrpc":"2.0","id":1,"method":"initialize"}\n');
    r.input.write('{"jsonrpc":"2.0","id":2,"method":"initialize","params":{"protocolVersion":"2025-11-25"}}\n');
    r.input.write('{"jsonrpc":"2.0","id":3,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t"}}}\n');
    const whole = '{"jsonrpc":"2.0","id":4,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}\n';
    r.input.write(whole);
    r.input.end();
    await r.ended;
    expect(r.answers.map((a) => [a.id, a.error?.code])).toEqual([
      [1, -32602],
      [2, -32602],
      [3, -32602],
    ]);
    expect(r.answers[0]!.error!.message).toBe('Invalid params: initialize needs params.protocolVersion (a string, such as "2025-11-25"), params.capabilities (an object: {} for none), params.clientInfo (an object with a name and a version, both strings).');
    expect(r.answers[1]!.error!.message).toBe('Invalid params: initialize needs params.capabilities (an object: {} for none), params.clientInfo (an object with a name and a version, both strings).');
    expect(r.answers[2]!.error!.message).toMatch(/needs params\.clientInfo \(an object with a name and a version/);
    expect(r.through()).toBe(whole);
  });
});

describe('cloudlink mcp on stdio, sent lines that are not messages', () => {
  let dir: string;
  let converse: ReturnType<typeof conversation>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cloudlink-stdio-lines-'));
    converse = conversation(dir);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const opening = [
    { id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'test', version: '1' } } },
    { method: 'notifications/initialized' },
    { id: 2, method: 'tools/list' },
  ];
  const has = (...ids: (number | null)[]) => (got: Msg[]) => ids.every((id) => got.some((m) => m.id === id));

  it.each([
    ['the recorded opening', {}],
    ['the SDK answering from the start', { CLOUDLINK_MCP_OPENING: 'off' }],
  ])('answers an initialize that lacks params with what is missing, and then a whole one (%s)', async (_name, env) => {
    const got = await converse([], env as Record<string, string>, [{ id: 7, method: 'initialize', params: { protocolVersion: '2025-11-25' } }, ...opening], has(7, 1, 2));
    expect(got.filter((m) => m.id === 7)).toEqual([{ jsonrpc: '2.0', id: 7, error: { code: -32602, message: expect.stringMatching(/^Invalid params: initialize needs params\.capabilities/) } }]);
    expect(got.find((m) => m.id === 1)?.result).toMatchObject({ protocolVersion: '2025-11-25', serverInfo: { name: 'cloudlink' } });
    expect((got.find((m) => m.id === 2)?.result as { tools: unknown[] }).tools.length).toBeGreaterThan(10);
  });

  it.each([
    ['the recorded opening', {}],
    ['the SDK answering from the start', { CLOUDLINK_MCP_OPENING: 'off' }],
  ])('answers each with its error and serves the rest of the connection (%s)', async (_name, env) => {
    const got = await converse([], env as Record<string, string>, ['not json at all\n', ...opening, '{"id":9}\n', { id: 3, method: 'ping' }], has(1, 2, 3, 9));
    expect(got.find((m) => m.id === null)?.error?.code).toBe(-32700);
    expect(got.find((m) => m.id === 9)?.error?.code).toBe(-32600);
    expect(got.find((m) => m.id === 1)?.result).toMatchObject({ serverInfo: { name: 'cloudlink' } });
    expect((got.find((m) => m.id === 2)?.result as { tools: unknown[] }).tools.length).toBeGreaterThan(10);
    expect(got.find((m) => m.id === 3)?.result).toEqual({});
    expect(got.filter((m) => m.id === 9)).toHaveLength(1);
  });
});
