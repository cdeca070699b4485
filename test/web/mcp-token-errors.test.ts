import { mkdtemp, readdir, rm, writeFile as realWriteFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/config.js';

/** The disk refuses: the token file's write fails as a read-only or full disk makes it fail. */
const fail = vi.hoisted(() => ({ code: undefined as string | undefined, calls: 0 }));
vi.mock('node:fs/promises', async (original) => {
  const real = await original<typeof import('node:fs/promises')>();
  // As the kernel does on a full disk: the temporary file is there, half-written, and the write fails.
  const refuse = async (path: unknown) => {
    fail.calls++;
    await real.writeFile(String(path), 'half');
    throw Object.assign(new Error(`${fail.code}: refused, open '${String(path)}'`), { code: fail.code });
  };
  return {
    ...real,
    // The first token file is created whole (open, write, flush), a new one written then renamed.
    open: async (...args: Parameters<typeof real.open>) => (fail.code ? refuse(args[0]) : real.open(...args)),
    writeFile: async (...args: Parameters<typeof real.writeFile>) => (fail.code ? refuse(args[0]) : real.writeFile(...args)),
  };
});
const { McpTokenFile } = await import('../../src/web/console/mcp-token.js');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudlink-token-errors-'));
  fail.code = undefined;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const openFails = async (path: string) => {
  const e = await McpTokenFile.open(path, { actor: 'local-assistant' }).then(
    () => {
      throw new Error('expected the token file to fail');
    },
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ConfigError);
  return (e as Error).message;
};

describe('the console MCP token file on a disk that refuses it', () => {
  it('a read-only file system: the file, the cause in words and the fix, and no temporary file left', async () => {
    const path = join(dir, 'cloudlink.mcp-token');
    fail.code = 'EROFS';
    const message = await openFails(path);
    expect(message).toBe(
      `cloudlink cannot write the console's MCP token file ${path} (in ${dir}): the file system is read-only. Set CLOUDLINK_STORE_PATH to a file on a writable disk (the token is kept beside the store), and start again; or turn the console off (CLOUDLINK_CONSOLE=false), which needs no token file.`,
    );
    expect(message).not.toMatch(/EROFS|\.tmp/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('a full disk: says so and to free space', async () => {
    fail.code = 'ENOSPC';
    const message = await openFails(join(dir, 'cloudlink.mcp-token'));
    expect(message).toMatch(/: the disk is full\. Free some space on that disk, or set CLOUDLINK_STORE_PATH to a file on another one, and start again/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('a folder that cannot be made (a file where a folder should be): names it', async () => {
    await realWriteFile(join(dir, 'not-a-folder'), 'x');
    const path = join(dir, 'not-a-folder', 'cloudlink.mcp-token');
    const message = await openFails(path);
    expect(message).toMatch(new RegExp(`^cloudlink cannot write the console's MCP token file ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} .*: a part of its path is a file, not a folder\\. Set CLOUDLINK_STORE_PATH`));
  });

  it('a new token the console asks for, on a disk that went read-only: the same words, and the old token stays', async () => {
    const file = await McpTokenFile.open(join(dir, 'cloudlink.mcp-token'), { actor: 'local-assistant' });
    const before = file.grant.token;
    fail.code = 'EROFS';
    await expect(file.replace()).rejects.toThrow(/the file system is read-only\. Set CLOUDLINK_STORE_PATH to a file on a writable disk/);
    expect(file.grant.token).toBe(before);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
