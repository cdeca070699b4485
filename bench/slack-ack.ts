import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { SlackFake } from '../test/fakes/slack-fake.js';
import { writeStore } from './fixtures.js';
import { median, percentile } from './stats.js';

const CLI = fileURLToPath(new URL('../dist/bundle/cli.mjs', import.meta.url));
const SECRET = 'bench-signing-secret';

export const rssOf = async (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

async function waitForPort(url: string) {
  for (let i = 0; i < 200; i++) {
    try {
      await fetch(url, { method: 'POST', body: '' });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error('the service did not start');
}

/**
 * The running service (`cloudlink serve`, HTTP mode) with `accounts` stored: 200 signed `/cloud list`
 * requests, 20 at a time, timed to Slack's acknowledgement; and the service's resident memory.
 */
export async function slackAck(dir: string, accounts: number, env: NodeJS.ProcessEnv, port = 39123) {
  const slack = new SlackFake();
  await slack.start();
  const path = `${dir}/slack-${accounts}.json`;
  await writeStore(path, accounts);
  const child: ChildProcess = spawn(process.execPath, [CLI, 'serve'], {
    env: { ...env, CLOUDLINK_STORE_PATH: path, SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: SECRET, CLOUDLINK_SLACK_MODE: 'http', PORT: String(port), SLACK_API_URL: `${slack.url}/api/`, CLOUDLINK_LOG_LEVEL: 'error', CLOUDLINK_HTTP_PORT: '0' },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const url = `http://127.0.0.1:${port}/slack/events`;
  try {
    await waitForPort(url);
    await new Promise((r) => setTimeout(r, 500));
    const idle = await rssOf(child.pid!);
    // One keep-alive connection per concurrent sender, as Slack's own delivery does.
    const agent = new Agent({ keepAlive: true, maxSockets: 20 });
    const one = async (i: number) => {
      const body = new URLSearchParams({ command: '/cloud', text: 'list', user_id: 'U_BENCH', user_name: 'bench', team_id: 'T1', channel_id: 'C1', trigger_id: `t${i}`, response_url: `${slack.url}/response/${i}` }).toString();
      const ts = Math.floor(Date.now() / 1000);
      const sig = 'v0=' + createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex');
      const t0 = performance.now();
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(body);
      });
      if (status !== 200) throw new Error(`HTTP ${status}`);
      return performance.now() - t0;
    };
    // The first burst after a start, on cold code paths: measured as its own figure.
    const cold = await Promise.all(Array.from({ length: 20 }, (_, i) => one(1000 + i)));
    const times: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next < 200) times.push(await one(next++));
      }),
    );
    // Let the listings the acks promised finish before measuring memory after the run.
    const t0 = Date.now();
    while (slack.responses.length < 220 && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 50));
    const after = await rssOf(child.pid!);
    agent.destroy();
    return { median: median(times), p99: percentile(times, 99), cold: { median: median(cold), p99: percentile(cold, 99) }, idle, after, answered: slack.responses.length - 20 };
  } finally {
    child.kill('SIGTERM');
    await slack.stop();
  }
}
