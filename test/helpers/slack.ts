import { createHmac } from 'node:crypto';
import { MemoryAws } from '../fakes/memory-gateways.js';
import { SlackFake } from '../fakes/slack-fake.js';
import { serviceHarness, type Harness } from './engine.js';
import type { Service } from '../../src/compose.js';
import type { Logger } from '../../src/log.js';

export const SIGNING_SECRET = 'test-signing-secret-0123456789';

export function sign(body: string, ts = Math.floor(Date.now() / 1000), secret = SIGNING_SECRET) {
  return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': 'v0=' + createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex') };
}

export type SlackHarness = Awaited<ReturnType<typeof slackHarness>>;

/**
 * The whole service as `npm start` builds it in Slack HTTP mode, its Web API client (and the engine's
 * Slack notifier) pointed at the local fake. Requests are signed as Slack signs them.
 * `memoryAws`: the engine talks to the in-process AWS (`memoryAws` in the result: roles, an
 * organization, StackSet instances) instead of the wire-level fake.
 */
export async function slackHarness(opts: { admins?: string[]; env?: Record<string, string>; processBeforeResponse?: boolean; now?: () => Date; log?: Logger; memoryAws?: boolean } = {}) {
  const memoryAws = opts.memoryAws ? new MemoryAws() : undefined;
  const slack = new SlackFake();
  await slack.start();
  const h: Harness & { service: Service } = await serviceHarness({
    env: {
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: `${slack.url}/api/`,
      CLOUDLINK_SLACK_MODE: 'http',
      CLOUDLINK_SLACK_ADMINS: (opts.admins ?? ['U_ADMIN']).join(','),
      CLOUDLINK_SLACK_WORKSPACE_ADMINS: 'true',
      ...opts.env,
    },
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.log ? { log: opts.log } : {}),
    service: { slack: { port: 0, processBeforeResponse: opts.processBeforeResponse ?? true, retries: 0 }, ...(memoryAws ? { gateways: { aws: memoryAws } } : {}) },
  });
  const url = h.service.slack!.url!;
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
    h,
    slack,
    /** The in-process AWS the engine uses, when asked for (`memoryAws: true`). */
    memoryAws: memoryAws as MemoryAws,
    deps: h.service.slack!.deps!,
    url,
    post,
    /** Slack HTML-escapes command text (& < >), as it does in real requests. */
    command: (user: string, text: string) =>
      post(
        form({ command: '/cloud', text: text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'), user_id: user, user_name: user.toLowerCase(), team_id: 'T1', channel_id: 'C1', trigger_id: `trig-${++triggers}`, response_url: `${slack.url}/response/${triggers}`, token: 'x' }),
        'application/x-www-form-urlencoded',
      ),
    /** A command exactly as given, without Slack's escaping (for raw-input tests). */
    rawCommand: (user: string, text: string) =>
      post(form({ command: '/cloud', text, user_id: user, user_name: user.toLowerCase(), team_id: 'T1', channel_id: 'C1', trigger_id: `trig-${++triggers}`, response_url: `${slack.url}/response/${triggers}`, token: 'x' }), 'application/x-www-form-urlencoded'),
    action: (user: string, action: Record<string, unknown>, view?: { id: string; private_metadata?: string }) =>
      post(payload({ type: 'block_actions', user: { id: user, name: user.toLowerCase() }, team: { id: 'T1' }, trigger_id: `trig-${++triggers}`, actions: [{ block_id: 'b', action_ts: '1', ...action }], ...(view ? { view: { ...view, type: 'modal' } } : {}), response_url: `${slack.url}/response/a${triggers}` }), 'application/x-www-form-urlencoded'),
    submit: (user: string, callbackId: string, values: Record<string, Record<string, unknown>>, privateMetadata = '', viewId = 'V_SUBMIT') =>
      post(payload({ type: 'view_submission', user: { id: user, name: user.toLowerCase() }, team: { id: 'T1' }, trigger_id: `trig-${++triggers}`, view: { id: viewId, type: 'modal', callback_id: callbackId, private_metadata: privateMetadata, state: { values } } }), 'application/x-www-form-urlencoded'),
    event: (event: Record<string, unknown>) => post(JSON.stringify({ type: 'event_callback', team_id: 'T1', api_app_id: 'A1', event_id: `Ev${++triggers}`, event_time: 1, event }), 'application/json'),
    async close() {
      await h.close();
      await slack.stop();
    },
  };
}

/** A text input's state as Slack sends it. */
export const text = (value: string | undefined) => ({ value: { type: 'plain_text_input', value: value ?? null } });
