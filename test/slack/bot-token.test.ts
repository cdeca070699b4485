import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/mcp.js';

/**
 * A wrong SLACK_BOT_TOKEN is a setting to fix, not a crash: Bolt checked the token as it was built and
 * left the refusal in a promise nobody awaited, so `serve` died with a stack trace a moment after start.
 */

let dir: string;
let slack: Server;
let answer: Record<string, unknown>;
let slackUrl: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudlink-bot-token-'));
  // Slack's Web API as it answers auth.test: HTTP 200 with ok:false for a refused token.
  slack = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(req.url?.startsWith('/api/auth.test') ? answer : { ok: true }));
  });
  await new Promise<void>((r) => slack.listen(0, '127.0.0.1', r));
  slackUrl = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/api/`;
});
afterAll(async () => {
  await new Promise((r) => slack.close(r));
  await rm(dir, { recursive: true, force: true });
});

/** `serve` in HTTP mode until its summary is out, then a moment more (the crash came just after), then SIGTERM. */
function serve(name: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const env = { PATH: process.env.PATH ?? '', HOME: dir, CLOUDLINK_STORE_PATH: join(dir, name, 'cloudlink.json'), CLOUDLINK_HTTP_PORT: '0', PORT: '0', SLACK_BOT_TOKEN: 'xoxb-0000-not-a-real-token', SLACK_SIGNING_SECRET: 'signing-secret-for-tests', SLACK_API_URL: slackUrl };
    const child = spawn(process.execPath, [CLI, 'serve'], { env: { ...env, PORT: '39211' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let signalled = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!signalled && /console +/.test(stderr)) {
        signalled = true;
        setTimeout(() => child.kill('SIGTERM'), 700);
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('the Slack bot token', () => {
  it('refused by Slack: the summary says what to do, the rest of the service keeps running and stops cleanly', async () => {
    answer = { ok: false, error: 'invalid_auth' };
    const { code, stderr } = await serve('refused');
    expect(stderr).toMatch(/Slack +ERROR: Slack refused SLACK_BOT_TOKEN \(invalid_auth\): copy the Bot User OAuth Token/);
    expect(stderr).not.toMatch(/WebAPIPlatformError|\n\s+at .+:\d+:\d+/);
    expect(stderr).not.toContain('xoxb-0000-not-a-real-token');
    expect(code).toBe(0);
  });

  it('accepted: the summary names the bot and its workspace', async () => {
    answer = { ok: true, user_id: 'U_BOT', bot_id: 'B_BOT', user: 'cloudlink', team: 'Acme Corp', team_id: 'T1' };
    const { code, stderr } = await serve('accepted');
    expect(stderr).toMatch(/Slack +HTTP mode as @cloudlink in Acme Corp on :39211\/slack\/events/);
    expect(code).toBe(0);
  });
});
