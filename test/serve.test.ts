import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudlink-serve-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `npm start` as a person (or systemd, or `docker run` without -i) runs it, with nothing configured. */
function start(how: 'npm' | 'node', stdin: 'ignore' | 'pipe', name: string) {
  const [cmd, args] = how === 'npm' ? ['npm', ['start', '--silent']] : [process.execPath, ['dist/bundle/cli.mjs', 'serve']];
  const child = spawn(cmd as string, args as string[], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: dir, CLOUDLINK_STORE_PATH: join(dir, name, 'cloudlink.json'), CLOUDLINK_HTTP_PORT: '0' },
    stdio: [stdin, 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  return { child, exited, stderr: () => stderr };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('npm start', () => {
  it('stays up until a signal whether stdin is closed or an open pipe, then exits cleanly', async () => {
    const runs = [start('npm', 'ignore', 'npm-closed'), start('npm', 'pipe', 'npm-pipe'), start('node', 'ignore', 'node-closed')];
    const t0 = Date.now();
    while (!runs.every((r) => /cloudlink is running/.test(r.stderr()))) {
      if (Date.now() - t0 > 20_000) throw new Error(`did not start: ${runs.map((r) => r.stderr()).join('\n')}`);
      await sleep(50);
    }
    await sleep(10_000);
    for (const r of runs) expect(r.child.exitCode, r.stderr()).toBeNull();
    for (const r of runs) r.child.kill('SIGTERM');
    const ends = await Promise.all(runs.map((r) => r.exited));
    // The service itself exits 0; npm, told by the same signal, hands it on to its own exit.
    expect(ends[2]).toEqual({ code: 0, signal: null });
    for (const [i, end] of ends.slice(0, 2).entries()) expect([0, 'SIGTERM'], runs[i]!.stderr()).toContain(end.code ?? end.signal);
    for (const r of runs) expect(r.stderr()).toMatch(/"msg":"cloudlink is stopping","signal":"SIGTERM"/);
  }, 40_000);
});
