import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudlinkError } from '../../src/engine/errors.js';
import { createLogger } from '../../src/log.js';
import { engineLoader } from '../../src/mcp/stdio.js';
import { MODERN, stdioClient, textOf } from '../helpers/mcp.js';

/**
 * A stdio server whose store cannot be opened has answered `initialize` already (the recorded
 * opening): it must keep the connection, list its tools, and answer every request that needs the
 * engine with what is wrong and what to do, instead of exiting after the assistant was told all is well.
 */

let dir: string;
const key = Buffer.alloc(32, 5).toString('base64');
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudlink-stdio-store-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const loadFailures = (stderr: string[]) =>
  stderr
    .join('')
    .split('\n')
    .filter((l) => l.includes('the engine cannot load'));

describe('cloudlink mcp on a store it cannot open', () => {
  it('a store file that is not JSON: tools/list answers, and tools, resources, prompts and completions carry the store\'s message; fixed, the next request after 5 s is served', async () => {
    const store = join(dir, 'broken.json');
    await writeFile(store, '{"accounts": [');
    const { client, stderr, close } = await stdioClient({ HOME: dir, CLOUDLINK_STORE_PATH: store, CLOUDLINK_ENCRYPTION_KEY: key });
    try {
      const { tools } = await client.listTools();
      expect(tools.length).toBeGreaterThan(10);

      const call = await client.callTool({ name: 'list_accounts', arguments: {} });
      expect(call.isError).toBe(true);
      expect(textOf(call)).toMatch(/^The store file .*broken\.json is not valid JSON .*restore it from a backup, or move it aside/);
      expect(textOf(call)).toMatch(/keeps running and tries again at the next request \(at most once every 5 s\)/);
      expect(textOf(call)).toMatch(/\(error code: STORE_CORRUPT\)/);

      const said = /The store file .*broken\.json is not valid JSON/;
      await expect(client.readResource({ uri: 'cloudlink://setups/abc' })).rejects.toThrow(said);
      await expect(client.getPrompt({ name: 'review_accounts_in_trouble', arguments: {} })).rejects.toThrow(said);
      await expect(client.complete({ ref: { type: 'ref/resource', uri: 'cloudlink://setups/{setupId}' }, argument: { name: 'setupId', value: '' } })).rejects.toThrow(said);
      // What does not need the store still answers, and the connection is still up.
      expect((await client.readResource({ uri: 'cloudlink://templates/aws-integration-role.yaml' })).contents).toHaveLength(1);
      expect(await client.ping()).toEqual({});
      // Said once on stderr, as JSON, however many requests it answered.
      expect(loadFailures(stderr)).toHaveLength(1);
      // (The logger may redact a long path; the message is the store's.)
      expect(JSON.parse(loadFailures(stderr)[0]!)).toMatchObject({ level: 'error', error: expect.stringMatching(/is not valid JSON .*restore it from a backup/) });

      // Fixed (a valid, empty store), the next request after the wait opens it.
      await writeFile(store, '{"accounts": []}\n');
      await new Promise((r) => setTimeout(r, 5_200));
      const again = await client.callTool({ name: 'list_accounts', arguments: {} });
      expect(again.isError, textOf(again)).toBeFalsy();
      expect(again.structuredContent).toMatchObject({ total: 0 });
      expect(stderr.join('')).toContain('the engine loaded after all');
    } finally {
      await close();
    }
  }, 30_000);

  it('PostgreSQL that does not answer: the connection stays, and a tool call says where nothing answers and what to do (a 2026-07-28 client too)', async () => {
    // A port that was just free: nothing listens there once the server is closed.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const env = { HOME: dir, CLOUDLINK_DATABASE_URL: `postgresql://cloudlink:pw@127.0.0.1:${port}/cloudlink`, CLOUDLINK_ENCRYPTION_KEY: key };

    const { client, stderr, close } = await stdioClient(env);
    try {
      expect((await client.listTools()).tools.length).toBeGreaterThan(10);
      const call = await client.callTool({ name: 'list_accounts', arguments: {} });
      expect(call.isError).toBe(true);
      expect(textOf(call)).toMatch(new RegExp(`^Nothing answers at 127\\.0\\.0\\.1:${port}, .*Start PostgreSQL there, or fix the host and port in CLOUDLINK_DATABASE_URL\\.`));
      expect(textOf(call)).not.toContain(':pw@');
      expect(await client.ping()).toEqual({});
      expect(loadFailures(stderr)).toHaveLength(1);
    } finally {
      await close();
    }

    const { Client } = await import('@modelcontextprotocol/client');
    const { StdioClientTransport } = await import('@modelcontextprotocol/client/stdio');
    const { CLI } = await import('../helpers/mcp.js');
    const modern = new Client({ name: 'modern-stdio-client', version: '1' }, { versionNegotiation: { mode: { pin: MODERN } } });
    await modern.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp'], env: { PATH: process.env.PATH ?? '', ...env }, stderr: 'ignore' }));
    try {
      expect((await modern.listTools()).tools.length).toBeGreaterThan(10);
      const call = await modern.callTool({ name: 'list_accounts', arguments: {} });
      expect(call.isError).toBe(true);
      expect(textOf(call)).toMatch(/^Nothing answers at 127\.0\.0\.1:/);
    } finally {
      await modern.close();
    }
  }, 30_000);
});

describe('the stdio engine loader', () => {
  const rig = (results: (() => Promise<string>)[]) => {
    let clock = 0;
    const logged: string[] = [];
    let attempts = 0;
    const load = engineLoader(
      () => {
        const next = results[Math.min(attempts, results.length - 1)]!;
        attempts++;
        return next();
      },
      createLogger({ write: (l) => logged.push(l) }),
      { retryAfterMs: 5_000, now: () => clock },
    );
    return { load, logged, attempts: () => attempts, advance: (ms: number) => (clock += ms) };
  };
  const fail = (message: string) => () => Promise.reject(new CloudlinkError('STORE_CORRUPT', message));

  it('loads once for concurrent requests, and keeps what loaded', async () => {
    const r = rig([async () => 'engine']);
    expect(await Promise.all([r.load(), r.load(), r.load()])).toEqual(['engine', 'engine', 'engine']);
    r.advance(60_000);
    expect(await r.load()).toBe('engine');
    expect(r.attempts()).toBe(1);
  });

  it('answers a failure from memory for 5 s (no attempt per request), then lets one request try again; each distinct failure is logged once', async () => {
    const r = rig([fail('the file is damaged'), fail('the file is damaged'), fail('the folder is read-only'), async () => 'engine']);
    const first = await r.load().catch((e: unknown) => e);
    expect(first).toBeInstanceOf(CloudlinkError);
    expect((first as CloudlinkError).code).toBe('STORE_CORRUPT');
    expect((first as CloudlinkError).message).toMatch(/^the file is damaged\nThis MCP server keeps running/);
    for (let i = 0; i < 50; i++) await expect(r.load()).rejects.toThrow(/the file is damaged/);
    r.advance(4_999);
    await expect(r.load()).rejects.toThrow(/the file is damaged/);
    expect(r.attempts()).toBe(1);
    r.advance(1);
    await expect(r.load()).rejects.toThrow(/the file is damaged/);
    expect(r.attempts()).toBe(2);
    expect(r.logged.filter((l) => l.includes('cannot load'))).toHaveLength(1);
    r.advance(5_000);
    await expect(r.load()).rejects.toThrow(/the folder is read-only/);
    expect(r.logged.filter((l) => l.includes('cannot load'))).toHaveLength(2);
    r.advance(5_000);
    expect(await r.load()).toBe('engine');
    expect(r.logged.at(-1)).toContain('loaded after all');
  });

  it('words a failure that is not the store\'s own as a configuration problem, its raw text kept to the log', async () => {
    const r = rig([() => Promise.reject(new Error('EACCES: permission denied, open \'/x/cloudlink.key\''))]);
    const e = (await r.load().catch((x: unknown) => x)) as CloudlinkError;
    expect(e.code).toBe('PLATFORM_NOT_CONFIGURED');
    expect(e.message).toMatch(/^cloudlink could not load its store and engine \(the reason is in the server log, on stderr\)\./);
    expect(e.message).not.toContain('/x/cloudlink.key');
    expect(r.logged.join('\n')).toContain('EACCES: permission denied');
  });
});
