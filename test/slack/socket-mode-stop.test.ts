import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/mcp.js';
import { slackLogger } from '../../src/slack/start.js';
import { loadConfig } from '../../src/config.js';
import type { Logger } from '../../src/log.js';

/**
 * `serve` in Socket Mode with a Slack it cannot reach: the Socket Mode client retries
 * apps.connections.open for a long time. A SIGTERM must still stop the service at once, and the log
 * must say once, clearly, which API could not be reached and what to check.
 */

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudlink-socket-stop-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A port nothing listens on: connections are refused at once. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** A port that accepts connections and never answers: a request to it stays in flight. */
async function silentServer(): Promise<{ port: number; close: () => Promise<void>; connections: () => number }> {
  const sockets = new Set<Socket>();
  let seen = 0;
  const s: Server = createServer((socket) => {
    seen++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return {
    port: (s.address() as AddressInfo).port,
    connections: () => seen,
    close: async () => {
      for (const c of sockets) c.destroy();
      await new Promise((r) => s.close(r));
    },
  };
}

function serve(name: string, apiUrl: string) {
  const child = spawn(process.execPath, [CLI, 'serve'], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      CLOUDLINK_STORE_PATH: join(dir, name, 'cloudlink.json'),
      CLOUDLINK_HTTP_PORT: 'off',
      SLACK_BOT_TOKEN: 'xoxb-x',
      SLACK_APP_TOKEN: 'xapp-x',
      SLACK_API_URL: apiUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) =>
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      r({ code, signal });
    }),
  );
  const until = async (re: RegExp, ms = 20_000) => {
    const t0 = Date.now();
    while (!re.test(stderr)) {
      if (Date.now() - t0 > ms) throw new Error(`never saw ${re}: ${stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return { child, exited, until, stderr: () => stderr };
}

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: string; msg: string; api?: string });

describe('serve in Socket Mode when Slack cannot be reached', () => {
  it('stops within a few seconds of SIGTERM while the connect is retrying, and warns once naming the API and what to check', async () => {
    const port = await closedPort();
    const run = serve('closed', `http://127.0.0.1:${port}/api/`);
    await run.until(/cloudlink is running/);
    await run.until(/could not be reached/);
    // Let the client fail a few more times (it retries after 1 s, 1.3 s, …): it is pausing between attempts now.
    await new Promise((r) => setTimeout(r, 2500));
    const t0 = Date.now();
    run.child.kill('SIGTERM');
    const end = await run.exited;
    expect(Date.now() - t0, run.stderr()).toBeLessThan(3000);
    expect(end, run.stderr()).toEqual({ code: 0, signal: null });

    const lines = jsonLines(run.stderr());
    const warnings = lines.filter((l) => l.level === 'warn' || l.level === 'error');
    // One warning for the whole outage, naming the API's host and what to check; the retries are debug lines.
    expect(warnings, run.stderr()).toHaveLength(1);
    expect(warnings[0]!.msg).toContain(`Slack's Web API at 127.0.0.1:${port} could not be reached (fetch failed)`);
    expect(warnings[0]!.msg).toMatch(/SLACK_API_URL/);
    expect(warnings[0]!.msg).toMatch(/SLACK_BOT_TOKEN/);
    expect(warnings[0]!.api).toBe(`http://127.0.0.1:${port}/api/`);
    expect(run.stderr()).not.toMatch(/http request failed/);
    expect(run.stderr()).toMatch(/"msg":"cloudlink is stopping","signal":"SIGTERM"/);
    expect(run.stderr()).not.toMatch(/xapp-x|xoxb-x/);
  }, 40_000);

  it('stops within a few seconds of SIGTERM while apps.connections.open is in flight to a Slack that never answers', async () => {
    const silent = await silentServer();
    try {
      const run = serve('silent', `http://127.0.0.1:${silent.port}/api/`);
      await run.until(/cloudlink is running/);
      const t = Date.now();
      while (silent.connections() === 0 && Date.now() - t < 10_000) await new Promise((r) => setTimeout(r, 25));
      expect(silent.connections()).toBeGreaterThan(0);
      const t0 = Date.now();
      run.child.kill('SIGTERM');
      const end = await run.exited;
      expect(Date.now() - t0, run.stderr()).toBeLessThan(3000);
      expect(end, run.stderr()).toEqual({ code: 0, signal: null });
      expect(jsonLines(run.stderr()).filter((l) => l.level === 'error'), run.stderr()).toEqual([]);
    } finally {
      await silent.close();
    }
  }, 40_000);
});

describe('the logger Bolt and the Slack clients write to', () => {
  function capture() {
    const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
    const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => void lines.push({ level, msg, ...(fields ? { fields } : {}) });
    const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
    return { log, lines };
  }

  it('turns the Web API client\'s repeated "http request failed" into one warning per outage, the retries at debug level', () => {
    const { log, lines } = capture();
    const logger = slackLogger(loadConfig({}), log);
    logger.warn('http request failed', 'fetch failed');
    logger.warn('http request failed', 'fetch failed');
    logger.warn('http request failed', 'fetch failed');
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(lines[0]!.msg).toBe(
      "Slack's Web API at slack.com could not be reached (fetch failed). Check that this machine reaches slack.com (network, DNS, proxy, firewall), that SLACK_API_URL is right if it is set, and that SLACK_BOT_TOKEN (and SLACK_APP_TOKEN for Socket Mode) are this app's. cloudlink keeps retrying; further failures are logged at debug level.",
    );
    expect(lines[0]!.fields).toEqual({ api: 'https://slack.com/api/', reason: 'fetch failed' });
    expect(lines.slice(1).map((l) => l.level)).toEqual(['debug', 'debug']);
    expect(logger.unreachable()).toBe(true);

    // A request that gets through ends the outage: the next one warns again.
    logger.debug('http response received');
    expect(logger.unreachable()).toBe(false);
    logger.warn('http request failed', 'fetch failed');
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(2);

    // Other warnings pass through as they are; once stopping, failures are expected and only debug lines.
    logger.warn('some other warning');
    expect(lines.at(-1)).toEqual({ level: 'warn', msg: 'some other warning' });
    logger.quiet();
    logger.debug('http response received');
    logger.warn('http request failed', 'This operation was aborted');
    logger.error('Failed to retrieve a new WSS URL (error: Error: A request error occurred: fetch failed)');
    expect(lines.slice(-3).map((l) => l.level)).toEqual(['debug', 'debug', 'debug']);
  });

  it('names SLACK_API_URL\'s host when it is set', () => {
    const { log, lines } = capture();
    slackLogger(loadConfig({ SLACK_API_URL: 'http://127.0.0.1:9/api/' }), log).warn('http request failed', 'fetch failed');
    expect(lines[0]!.msg).toMatch(/^Slack's Web API at 127\.0\.0\.1:9 could not be reached \(fetch failed\)/);
  });
});
