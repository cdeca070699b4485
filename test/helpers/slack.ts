import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTPReceiver, LogLevel } from '@slack/bolt';
import type { Engine } from '../../src/engine/index.js';
import { silentLogger } from '../../src/log.js';
import { createSlackApp } from '../../src/slack/app.js';
import { actorResolver } from '../../src/slack/deps.js';
import { SlackFake } from '../fakes/slack-fake.js';

export const SIGNING_SECRET = 'test-signing-secret-0123456789';

export function sign(body: string, ts = Math.floor(Date.now() / 1000), secret = SIGNING_SECRET) {
  return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': 'v0=' + createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex') };
}

/** The Bolt app on its real HTTP receiver, its Web API client pointed at the local fake. */
export async function slackHarness(engine: Engine, opts: { admins?: string[]; processBeforeResponse?: boolean } = {}) {
  const slack = new SlackFake();
  await slack.start();
  const receiver = new HTTPReceiver({ signingSecret: SIGNING_SECRET, processBeforeResponse: opts.processBeforeResponse ?? true, endpoints: '/slack/events', logLevel: LogLevel.ERROR });
  const deps = { engine, log: silentLogger, actorFor: actorResolver({ CLOUDLINK_SLACK_ADMINS: opts.admins ?? ['U_ADMIN'], CLOUDLINK_SLACK_WORKSPACE_ADMINS: true }, silentLogger), homeViewers: new Set<string>() };
  const app = createSlackApp(deps, { token: 'xoxb-test-token', receiver, botId: 'B_BOT', botUserId: 'U_BOT', logLevel: LogLevel.ERROR, clientOptions: { slackApiUrl: `${slack.url}/api/`, retryConfig: { retries: 0 } } });
  const server = (await app.start(0)) as unknown as Server;
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  let triggers = 0;

  async function post(body: string, contentType: string, headers: Record<string, string> = sign(body)) {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json };
  }
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const payload = (p: unknown) => form({ payload: JSON.stringify(p) });

  return {
    slack,
    deps,
    app,
    url,
    post,
    command: (user: string, text: string) =>
      post(form({ command: '/cloud', text, user_id: user, user_name: user.toLowerCase(), team_id: 'T1', channel_id: 'C1', trigger_id: `trig-${++triggers}`, response_url: `${slack.url}/response/${triggers}`, token: 'x' }), 'application/x-www-form-urlencoded'),
    action: (user: string, action: Record<string, unknown>, view?: { id: string; private_metadata?: string }) =>
      post(payload({ type: 'block_actions', user: { id: user, name: user.toLowerCase() }, team: { id: 'T1' }, trigger_id: `trig-${++triggers}`, actions: [{ block_id: 'b', action_ts: '1', ...action }], ...(view ? { view: { ...view, type: 'modal' } } : {}), response_url: `${slack.url}/response/a${triggers}` }), 'application/x-www-form-urlencoded'),
    submit: (user: string, callbackId: string, values: Record<string, Record<string, unknown>>, privateMetadata = '') =>
      post(payload({ type: 'view_submission', user: { id: user, name: user.toLowerCase() }, team: { id: 'T1' }, trigger_id: `trig-${++triggers}`, view: { id: 'V_SUBMIT', type: 'modal', callback_id: callbackId, private_metadata: privateMetadata, state: { values } } }), 'application/x-www-form-urlencoded'),
    event: (event: Record<string, unknown>) => post(JSON.stringify({ type: 'event_callback', team_id: 'T1', api_app_id: 'A1', event_id: `Ev${++triggers}`, event_time: 1, event }), 'application/json'),
    async close() {
      await app.stop();
      await slack.stop();
    },
  };
}

/** A text input's state as Slack sends it. */
export const text = (value: string | undefined) => ({ value: { type: 'plain_text_input', value: value ?? null } });
