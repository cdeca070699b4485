import { HTTPReceiver, LogLevel } from '@slack/bolt';
import type { Config } from '../config.js';
import type { Engine } from '../engine/index.js';
import type { Logger } from '../log.js';
import { createSlackApp } from './app.js';
import { actorResolver } from './deps.js';


/**
 * Starts the Slack app when it is configured: Socket Mode (app token, no public URL: for development)
 * or HTTP (signing secret, POST /slack/events: for production and the Marketplace).
 */
/** Delivers what other processes completed (invites finished through MCP) every watcher interval. */
function pollPending(app: { deliverPending(): Promise<void> }, config: Config, log: Logger) {
  const timer = setInterval(() => app.deliverPending().catch((e) => log.warn('could not deliver pending notifications', { error: e })), config.CLOUDLINK_WATCH_INTERVAL_SECONDS * 1000);
  timer.unref();
  return () => clearInterval(timer);
}

export async function startSlack(config: Config, engine: Engine, log: Logger): Promise<{ summary: string; stop?: () => Promise<void> }> {
  const token = config.SLACK_BOT_TOKEN;
  const mode = config.CLOUDLINK_SLACK_MODE ?? (config.SLACK_APP_TOKEN ? 'socket' : 'http');
  if (!token) return { summary: 'MISSING: set SLACK_BOT_TOKEN, plus SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode), to enable /cloud' };
  if (mode === 'socket' && !config.SLACK_APP_TOKEN) return { summary: 'MISSING: Socket Mode needs SLACK_APP_TOKEN (xapp-…, scope connections:write)' };
  if (mode === 'http' && !config.SLACK_SIGNING_SECRET) return { summary: 'MISSING: HTTP mode needs SLACK_SIGNING_SECRET (Basic Information → App Credentials)' };

  const deps = { engine, log, actorFor: actorResolver(config, log), homeViewers: new Set<string>() };
  const clientOptions = config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {};
  const boltLogger = {
    debug: (...m: unknown[]) => log.debug(m.map(String).join(' ')),
    info: (...m: unknown[]) => log.info(m.map(String).join(' ')),
    warn: (...m: unknown[]) => log.warn(m.map(String).join(' ')),
    error: (...m: unknown[]) => log.error(m.map(String).join(' ')),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
  if (mode === 'socket') {
    const app = createSlackApp(deps, { token, appToken: config.SLACK_APP_TOKEN, socketMode: true, clientOptions, logger: boltLogger });
    await app.start();
    const stopPoll = pollPending(app, config, log);
    return { summary: 'Socket Mode (development; no public URL needed)', stop: async () => { stopPoll(); await app.stop(); } };
  }
  const receiver = new HTTPReceiver({ signingSecret: config.SLACK_SIGNING_SECRET!, endpoints: '/slack/events', logger: boltLogger });
  const app = createSlackApp(deps, { token, receiver, clientOptions, logger: boltLogger });
  await app.start(config.PORT);
  const stopPoll = pollPending(app, config, log);
  return { summary: `HTTP mode on :${config.PORT}/slack/events`, stop: async () => { stopPoll(); await app.stop(); } };
}
