import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from './helpers/mcp.js';

/**
 * `cloudlink serve` opens its store before anything else: a store it cannot open stops start-up with
 * the store's own message and nothing new beside it, and the console's MCP token file (written next) is
 * refused in words naming the file, the cause and the fix.
 */

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudlink-store-first-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const key = Buffer.alloc(32, 7).toString('base64');

function serve(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'serve'], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, CLOUDLINK_HTTP_PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('serve on a store it cannot open', () => {
  it('a store file that is not JSON: the store says so, and no MCP token (nor key) is left beside it', async () => {
    const folder = join(dir, 'corrupt');
    await rm(folder, { recursive: true, force: true });
    mkdirSync(folder);
    await writeFile(join(folder, 'cloudlink.json'), '{"accounts": [');
    const r = await serve({ CLOUDLINK_STORE_PATH: join(folder, 'cloudlink.json') });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/The store file .*cloudlink\.json is not valid JSON/);
    expect(await readdir(folder)).toEqual(['cloudlink.json']);
  });
});

/** A small tmpfs of our own, when this machine lets the tests mount one (root on Linux); else these are skipped. */
function tmpfs(at: string, options: string): boolean {
  try {
    mkdirSync(at, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', at], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const unmount = (at: string) => {
  try {
    execFileSync('umount', [at], { stdio: 'ignore' });
  } catch {
    /* not mounted */
  }
};

describe('serve on a disk that refuses the MCP token file (a tmpfs mounted for the test)', () => {
  const ro = join(tmpdir(), `cloudlink-ro-${process.pid}`);
  const full = join(tmpdir(), `cloudlink-full-${process.pid}`);
  let mounted = false;
  beforeAll(() => {
    mounted = tmpfs(ro, 'size=256k') && tmpfs(full, 'size=256k');
    if (!mounted) return;
    // A store that opens (it exists and is valid), on a disk that then goes read-only, and one on a disk filled up.
    writeFileSync(join(ro, 'cloudlink.json'), '{"accounts": []}\n');
    execFileSync('mount', ['-o', 'remount,ro', ro]);
    writeFileSync(join(full, 'cloudlink.json'), '{"accounts": []}\n');
    try {
      writeFileSync(join(full, 'filler'), Buffer.alloc(1024 * 1024));
    } catch {
      /* full, as meant */
    }
  });
  afterAll(() => {
    unmount(ro);
    unmount(full);
  });

  it('read-only: the token file named, "read-only", and where to point CLOUDLINK_STORE_PATH instead', async (ctx) => {
    if (!mounted) return ctx.skip();
    const r = await serve({ CLOUDLINK_STORE_PATH: join(ro, 'cloudlink.json'), CLOUDLINK_ENCRYPTION_KEY: key });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `cloudlink cannot write the console's MCP token file ${ro}/cloudlink.mcp-token (in ${ro}): the file system is read-only. Set CLOUDLINK_STORE_PATH to a file on a writable disk (the token is kept beside the store), and start again; or turn the console off (CLOUDLINK_CONSOLE=false), which needs no token file.`,
    );
  });

  it('a full disk: "the disk is full" and to free space, with no temporary file left', async (ctx) => {
    if (!mounted) return ctx.skip();
    const r = await serve({ CLOUDLINK_STORE_PATH: join(full, 'cloudlink.json'), CLOUDLINK_ENCRYPTION_KEY: key });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^cloudlink cannot write the console's MCP token file .*cloudlink\.mcp-token \(in .*\): the disk is full\. Free some space on that disk/);
    expect(r.stderr).not.toMatch(/ENOSPC|cloudlink failed/);
    expect((await readdir(full)).sort()).toEqual(['cloudlink.json', 'filler']);
  });
});
