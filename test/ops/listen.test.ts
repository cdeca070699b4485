import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { startOpsServer } from '../../src/ops/server.js';
import { silentLogger } from '../../src/log.js';
import { CLI } from '../helpers/mcp.js';

/** A port someone else holds, as happens when two services or two copies start on one machine. */
let taken: Server;
let port: number;
let dir: string;
beforeAll(async () => {
  taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
  port = (taken.address() as { port: number }).port;
  dir = await mkdtemp(join(tmpdir(), 'cloudlink-listen-'));
});
afterAll(async () => {
  await new Promise<void>((r) => taken.close(() => r()));
  await rm(dir, { recursive: true, force: true });
});

describe('a port that is taken', () => {
  it('is refused naming the setting to change, not with a stack or a TypeError', async () => {
    const e = await startOpsServer({ port, host: '127.0.0.1', registry: new Registry(), log: silentLogger, checks: { inFlight: () => 0, ready: async () => ({ ok: true, checks: {} }) } }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toBe(`The operator endpoints (/healthz, /readyz, /metrics, the console) cannot listen on 127.0.0.1:${port}: another program uses that port. Set CLOUDLINK_HTTP_PORT to a free port, or to off.`);
  });

  it.each([
    ['CLOUDLINK_API_PORT', { CLOUDLINK_API_TOKENS: 'tok-listen-test-0123456789abcdef=ops:admin' }, /The REST API cannot listen on 127\.0\.0\.1:\d+: another program uses that port\. Set CLOUDLINK_API_PORT to a free port, or to off\./],
    ['CLOUDLINK_MCP_HTTP_PORT', { CLOUDLINK_MCP_TOKENS: 'tok-listen-test-0123456789abcdef=ops:admin' }, /MCP over HTTP cannot listen on 127\.0\.0\.1:\d+: another program uses that port\. Set CLOUDLINK_MCP_HTTP_PORT to a free port, or to off\./],
  ])('stops `cloudlink serve` with what to do when %s is taken', (variable, extra, message) => {
    const r = spawnSync(process.execPath, [CLI, 'serve'], {
      env: { PATH: process.env.PATH ?? '', HOME: dir, CLOUDLINK_STORE_PATH: join(dir, `${variable}.json`), CLOUDLINK_HTTP_PORT: '0', [variable]: String(port), ...extra },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/TypeError|Cannot read properties|at .*\.js:\d+/);
  });
});
