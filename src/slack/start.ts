import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTPReceiver, LogLevel } from '@slack/bolt';
import type { Config } from '../config.js';
import type { Engine } from '../engine/engine.js';
import type { Logger } from '../log.js';
import { createSlackApp } from './app.js';
import { listenError } from '../listen.js';
import { matchingAccounts } from './accounts.js';
import { accountListPage } from './views/accounts.js';
import { actorResolver, type SlackDeps } from './deps.js';

export type SlackStartOptions = {
  /** HTTP mode's port (0: any free one); PORT by default. */
  port?: number;
  /** Bolt's processBeforeResponse: answers only after the listener finished (FaaS, and deterministic tests). */
  processBeforeResponse?: boolean;
  /** Web API retries (Bolt's default when absent). */
  retries?: number;
  /** See SlackDeps.refreshesHomes: the service passes "this instance leads" when several share a store. */
  refreshesHomes?: () => boolean;
};

/**
 * Slack's rule is "within five minutes of now", either way; Bolt refuses only the old ones. A request
 * stamped more than five minutes ahead is refused here, from its header, before its body is read.
 */
function refuseFutureTimestamps(receiver: HTTPReceiver, log: Logger) {
  const next = receiver.requestListener;
  receiver.requestListener = (req, res) => {
    const ts = Number(req.headers['x-slack-request-timestamp']);
    if (Number.isFinite(ts) && ts > Date.now() / 1000 + 300) {
      log.warn('Slack request refused: timestamp in the future', { skewSeconds: Math.round(ts - Date.now() / 1000) });
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'The request timestamp is more than five minutes ahead of this server\'s clock.' }));
      return;
    }
    return next(req, res);
  };
}

/**
 * Builds what the first `/cloud list` needs before the first request arrives (the account views for
 * both kinds of reader, and their Block Kit rendering), so a burst right after a start is not the one
 * that pays for it.
 */
async function warmListings(engine: Engine, log: Logger) {
  const t0 = performance.now();
  for (const role of ['admin', 'member'] as const) {
    accountListPage(await matchingAccounts({ engine }, { id: 'cloudlink-warm-up', via: 'slack', role }));
  }
  log.debug('account listings prepared', { ms: Math.round(performance.now() - t0) });
}

export type RunningSlack = { summary: string; url?: string; deps?: SlackDeps; stop?: () => Promise<void> };

/**
 * Starts the Slack app when it is configured: Socket Mode (app token, no public URL: for development)
 * or HTTP (signing secret, POST /slack/events: for production and the Marketplace).
 */
export async function startSlack(config: Config, engine: Engine, log: Logger, opts: SlackStartOptions = {}): Promise<RunningSlack> {
  const token = config.SLACK_BOT_TOKEN;
  const mode = config.CLOUDLINK_SLACK_MODE ?? (config.SLACK_APP_TOKEN ? 'socket' : 'http');
  if (!token) return { summary: 'MISSING: set SLACK_BOT_TOKEN, plus SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode), to enable /cloud' };
  if (mode === 'socket' && !config.SLACK_APP_TOKEN) return { summary: 'MISSING: Socket Mode needs SLACK_APP_TOKEN (xapp-…, scope connections:write)' };
  if (mode === 'http' && !config.SLACK_SIGNING_SECRET) return { summary: 'MISSING: HTTP mode needs SLACK_SIGNING_SECRET (Basic Information → App Credentials)' };

  const deps: SlackDeps = { engine, log, actorFor: actorResolver(config, log), ...(opts.refreshesHomes ? { refreshesHomes: opts.refreshesHomes } : {}) };
  await warmListings(engine, log);
  const clientOptions = { ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}), ...(opts.retries !== undefined ? { retryConfig: { retries: opts.retries } } : {}) };
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
    // Connecting waits for Slack, which may be slow or unreachable: the rest of the service starts
    // meanwhile, and the log says what is wrong if it takes long or fails.
    let connected = false;
    const slow = setTimeout(() => {
      if (!connected) log.warn('Slack Socket Mode is not connected yet: check that this machine reaches slack.com and that SLACK_APP_TOKEN is an app-level token (xapp-…) with connections:write', { api: config.SLACK_API_URL ?? 'https://slack.com/api/' });
    }, 10_000);
    slow.unref();
    const starting = app.start().then(
      () => {
        connected = true;
        log.info('Slack connected (Socket Mode)');
      },
      (e: unknown) => log.error('Slack Socket Mode could not connect: check SLACK_APP_TOKEN (xapp-…, scope connections:write) and SLACK_BOT_TOKEN, or use HTTP mode (SLACK_SIGNING_SECRET)', { error: e }),
    );
    return {
      summary: 'Socket Mode (development; no public URL needed), connecting',
      deps,
      stop: async () => {
        clearTimeout(slow);
        await starting;
        await app.stop().catch(() => undefined);
      },
    };
  }
  const receiver = new HTTPReceiver({ signingSecret: config.SLACK_SIGNING_SECRET!, endpoints: '/slack/events', logger: boltLogger, processBeforeResponse: opts.processBeforeResponse ?? false });
  refuseFutureTimestamps(receiver, log);
  // Bolt asks auth.test for the bot's ids on the first event unless told; a configured token is enough.
  const app = createSlackApp(deps, { token, receiver, clientOptions, logger: boltLogger });
  const port0 = opts.port ?? config.PORT;
  const server = (await app.start(port0).catch((e: NodeJS.ErrnoException) => {
    throw e?.code ? listenError(e, port0, '0.0.0.0', { what: 'Slack (HTTP mode)', portVariable: 'PORT' }) : e;
  })) as unknown as Server;
  const port = (server.address() as AddressInfo).port;
  return { summary: `HTTP mode on :${port}/slack/events`, url: `http://127.0.0.1:${port}/slack/events`, deps, stop: async () => void (await app.stop()) };
}
