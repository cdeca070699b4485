import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/mcp.js';

let dir: string;
let taken: Server;
let port: number;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudlink-ports-'));
  taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
  port = (taken.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise<void>((r) => taken.close(() => r()));
  await rm(dir, { recursive: true, force: true });
});

const env = (extra: Record<string, string>) => ({ PATH: process.env.PATH ?? '', HOME: dir, CLOUDLINK_STORE_PATH: join(dir, 'store', 'cloudlink.json'), ...extra });
const once = (args: string[], extra: Record<string, string>) => spawnSync(process.execPath, [CLI, ...args], { cwd: dir, env: env(extra), encoding: 'utf8', timeout: 30_000 });

/** `cloudlink serve` in `cwd` with `env`, stopped with SIGTERM once its start-up summary is out: its exit code and stderr. */
async function serveUntilRunning(cwd: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, 'serve'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const t0 = Date.now();
  while (!/cloudlink is running[^]*\n\n/.test(stderr) && child.exitCode === null && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 25));
  child.kill('SIGTERM');
  return { code: await exited, stderr };
}

describe('a port that is taken, then set to off as its message says', () => {
  it.each([
    ['CLOUDLINK_MCP_HTTP_PORT', { CLOUDLINK_MCP_TOKENS: 'tok-ports-test-0123456789abcdef=ops:admin' }, 'MCP HTTP   off'],
    ['CLOUDLINK_INVITE_PORT', {}, 'invites    outside Slack off'],
  ])('%s: the message offers off, and off starts the service with that part off', async (variable, extra, line) => {
    const refused = once(['serve'], { CLOUDLINK_HTTP_PORT: 'off', [variable]: String(port), ...extra });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: another program uses that port\\. Set ${variable} to a free port, or to off\\.`));

    const { code, stderr } = await serveUntilRunning(dir, env({ CLOUDLINK_HTTP_PORT: 'off', [variable]: 'off', ...extra }));
    expect(code, stderr).toBe(0);
    expect(stderr).toContain(line);
    expect(stderr).not.toMatch(/NaN|Invalid input/);
  }, 40_000);

  it('a port that is not a number is refused in words, before anything is created', () => {
    const r = once(['serve'], { CLOUDLINK_HTTP_PORT: 'abc', CLOUDLINK_STORE_PATH: join(dir, 'never', 'cloudlink.json') });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('  CLOUDLINK_HTTP_PORT: must be a port number from 0 to 65535 (0 picks a free one), or off (it is "abc")');
    expect(r.stderr).not.toMatch(/NaN/);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });
});

describe('an empty CLOUDLINK_STORE_PATH', () => {
  it('is the default store (./data/cloudlink.json), not the current folder, and leaves nothing beside that folder', async () => {
    const home = await mkdtemp(join(dir, 'empty-path-'));
    const { code, stderr } = await serveUntilRunning(home, { PATH: process.env.PATH ?? '', HOME: home, CLOUDLINK_STORE_PATH: '', CLOUDLINK_HTTP_PORT: '0' });
    expect(code, stderr).toBe(0);
    expect(stderr).toContain(`store      ${join(home, 'data', 'cloudlink.json')} (`);
    expect(stderr).not.toMatch(/EISDIR/);
    // Nothing named after the folder itself (`<home>.mcp-token`) beside it.
    expect(existsSync(`${home}.mcp-token`)).toBe(false);
    expect(existsSync(join(home, 'data', 'cloudlink.mcp-token'))).toBe(true);
  }, 40_000);
});

describe('help', () => {
  it('says that `cloudlink` with no arguments runs the service', () => {
    const help = once(['help'], {});
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/\n {2}cloudlink \[serve\] +the service: [^\n]*\n {34}\(`cloudlink` with no arguments runs it too\)\n/);
    const serveHelp = once(['serve', '--help'], {});
    expect(serveHelp.stdout).toMatch(/^Usage: cloudlink serve\n {7}cloudlink +\(no arguments: the same\)\n/);
  });
});
