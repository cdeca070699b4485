import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from './helpers/mcp.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudlink-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the built CLI on a machine with nothing configured (no AWS, no Slack), until `until` shows. */
function run(args: string[], env: Record<string, string>, until?: RegExp): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (until?.test(stderr)) child.kill('SIGTERM');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

describe('cloudlink serve on a fresh machine', () => {
  it('starts on the embedded store and says what is enabled and what is missing', async () => {
    const { stderr, stdout } = await run(['serve'], {}, /MCP stdio/);
    expect(stderr).toMatch(/cloudlink is running/);
    expect(stderr).toMatch(/store +.*data\/cloudlink\.json \(lowdb JSON file, 0 accounts\)/);
    expect(stderr).toMatch(/AWS +MISSING: no AWS credentials/);
    expect(stderr).toMatch(/Slack +MISSING: set SLACK_BOT_TOKEN/);
    expect(stderr).toMatch(/MCP HTTP +off/);
    expect(stdout).toBe('');
    expect((await stat(join(dir, 'data', 'cloudlink.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'data', 'cloudlink.key'))).mode & 0o777).toBe(0o600);
  });

  it('stops with a message naming a bad setting, not a stack trace', async () => {
    const { code, stderr } = await run(['serve'], { CLOUDLINK_MCP_TOKENS: 'short=bot', CLOUDLINK_AWS_PROPAGATION_TIMEOUT_SECONDS: 'soon' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/CLOUDLINK_MCP_TOKENS: each entry must look like/);
    expect(stderr).toMatch(/CLOUDLINK_AWS_PROPAGATION_TIMEOUT_SECONDS/);
    expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('refuses an unknown command or option with the usage', async () => {
    const { code, stderr } = await run(['mcp', '--write-everything'], {});
    expect(code).toBe(1);
    expect(stderr).toMatch(/Unknown option --write-everything/);
    expect(stderr).toMatch(/cloudlink mcp \[--read-only\]/);
  });
});
