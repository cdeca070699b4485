import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import type { Config } from '../config.js';
import type { Engine } from '../engine/engine.js';
import type { Logger } from '../log.js';
import { createSlackApp } from './app.js';
import { listenError } from '../listen.js';
import { matchingAccounts } from './accounts.js';
import { accountListPage } from './views/accounts.js';
import { actorResolver, type SlackDeps } from './deps.js';
import { apiUrl, slackLogger } from './logger.js';

export { slackLogger } from './logger.js';

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

export type RunningSlack = {
  summary: string;
  url?: string;
  deps?: SlackDeps;
  stop?: () => Promise<void>;
  /** What of Slack has not finished starting (said when a stop takes too long), if anything. */
  pending?: () => string | undefined;
};


/** auth.test answers that mean the bot token itself is wrong: nothing but a new token helps. */
const TOKEN_REFUSED = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'not_allowed_token_type', 'no_permission', 'missing_scope']);

type BotIdentity = { ok: true; botId: string; botUserId: string; name?: string; team?: string } | { ok: false; refused: string } | { ok: false; unreachable: string };

/**
 * Who the bot token is, asked once at start (5 s, no retries). Bolt would ask this itself as it is
 * built and keep the answer in a promise nobody awaits until the first event: a refused token then
 * crashed the whole service with a stack trace. Given the ids, Bolt asks nothing.
 */
async function botIdentity(token: string, config: Config, logger: ReturnType<typeof slackLogger>): Promise<BotIdentity> {
  const { WebClient } = await import('@slack/web-api');
  const client = new WebClient(token, { ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}), retryConfig: { retries: 0 }, timeout: 5000, logger });
  try {
    const r = await client.auth.test();
    if (r.user_id && r.bot_id) return { ok: true, botId: r.bot_id, botUserId: r.user_id, ...(r.user ? { name: r.user } : {}), ...(r.team ? { team: r.team } : {}) };
    return { ok: false, refused: 'not_a_bot_token' };
  } catch (e) {
    const code = (e as { data?: { error?: string } }).data?.error;
    if (code && TOKEN_REFUSED.has(code)) return { ok: false, refused: code };
    return { ok: false, unreachable: code ?? ((e as Error).message || 'no answer') };
  }
}

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
  const clientOptions = { ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}), ...(opts.retries !== undefined ? { retryConfig: { retries: opts.retries } } : {}) };
  const boltLogger = slackLogger(config, log);
  // Asking Slack who the bot is waits on the network; the listings are built meanwhile.
  const [me] = await Promise.all([botIdentity(token, config, boltLogger), warmListings(engine, log)]);
  if (!me.ok && 'refused' in me) {
    log.error('Slack refused SLACK_BOT_TOKEN: /cloud is off until it is fixed', { answer: me.refused });
    return { summary: `ERROR: Slack refused SLACK_BOT_TOKEN (${me.refused}): copy the Bot User OAuth Token (xoxb-…) from your app's OAuth & Permissions page (reinstall the app if it was revoked) and start again; /cloud is off until then` };
  }
  // Known ids: Bolt asks Slack nothing at construction. Unknown (Slack unreachable at start): Bolt asks at
  // each event, where a failure is handled, until the next start.
  const identity = me.ok ? { botId: me.botId, botUserId: me.botUserId } : { tokenVerificationEnabled: false };
  // One warning an outage: when the Web API was unreachable, the logger already said so and what to check.
  if (!me.ok) {
    const said = ['Slack did not answer auth.test at start: /cloud works once Slack is reachable, each event asking Slack who the bot is until the next start', { api: apiUrl(config), reason: me.unreachable }] as const;
    if (boltLogger.unreachable()) log.debug(...said);
    else log.warn(...said);
  }
  const as = me.ok && me.name ? ` as @${me.name}${me.team ? ` in ${me.team}` : ''}` : '';
  if (mode === 'socket') {
    // Everything the Socket Mode client asks Slack (apps.connections.open, at every connect and reconnect)
    // goes through this fetch and these retries, so stopping ends them: a request in flight is aborted,
    // every later one is refused at once, and the retry loop ends at its next failure without waiting
    // (its pauses do not hold the process). Without that, an unreachable Slack kept `serve` retrying,
    // and logging, long after a SIGTERM.
    const stopping = new AbortController();
    const socketFetch: typeof fetch = (input, init) => {
      if (stopping.signal.aborted) return Promise.reject(new Error('cloudlink is stopping'));
      return fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, stopping.signal]) : stopping.signal });
    };
    const receiver = new SocketModeReceiver({
      appToken: config.SLACK_APP_TOKEN!,
      logger: boltLogger,
      installerOptions: {
        clientOptions: {
          ...clientOptions,
          fetch: socketFetch,
          // Bolt's own connect policy (100 retries, factor 1.3), ended by a stop.
          retryConfig: { retries: 100, factor: 1.3, unref: true, onFailedAttempt: (e: Error) => {
            if (stopping.signal.aborted) throw e;
          } } as Record<string, unknown>,
        },
      },
    });
    const app = createSlackApp(deps, { token, ...identity, receiver, socketMode: true, clientOptions, logger: boltLogger });
    // Connecting waits for Slack, which may be slow or unreachable: the rest of the service starts
    // meanwhile, and the log says what is wrong if it takes long or fails.
    let connected = false;
    const slow = setTimeout(() => {
      if (!connected && !boltLogger.unreachable()) log.warn('Slack Socket Mode is not connected yet: check that this machine reaches slack.com and that SLACK_APP_TOKEN is an app-level token (xapp-…) with connections:write', { api: apiUrl(config) });
    }, 10_000);
    slow.unref();
    let settled = false;
    const starting = app.start().then(
      () => {
        connected = true;
        log.info('Slack connected (Socket Mode)');
      },
      (e: unknown) => {
        if (stopping.signal.aborted) log.debug('Slack Socket Mode connect ended: cloudlink is stopping');
        else log.error('Slack Socket Mode could not connect: check SLACK_APP_TOKEN (xapp-…, scope connections:write) and SLACK_BOT_TOKEN, that this machine reaches Slack\'s Web API, or use HTTP mode (SLACK_SIGNING_SECRET)', { api: apiUrl(config), error: e });
      },
    ).finally(() => (settled = true));
    return {
      summary: `Socket Mode${as} (development; no public URL needed), connecting`,
      deps,
      pending: () => (settled ? undefined : 'Slack Socket Mode was still connecting'),
      stop: async () => {
        clearTimeout(slow);
        boltLogger.quiet();
        stopping.abort();
        // Disconnects the socket (or cancels a reconnect that was waiting); a connect in progress ends at
        // its next attempt, refused above. A connect still pausing between attempts is not waited for.
        await app.stop().catch(() => undefined);
        let bound: NodeJS.Timeout | undefined;
        await Promise.race([starting, new Promise<void>((r) => (bound = setTimeout(r, 1000)))]);
        clearTimeout(bound);
      },
    };
  }
  const receiver = new HTTPReceiver({ signingSecret: config.SLACK_SIGNING_SECRET!, endpoints: '/slack/events', logger: boltLogger, processBeforeResponse: opts.processBeforeResponse ?? false });
  refuseFutureTimestamps(receiver, log);
  const app = createSlackApp(deps, { token, ...identity, receiver, clientOptions, logger: boltLogger });
  const port0 = opts.port ?? config.PORT;
  const server = (await app.start(port0).catch((e: NodeJS.ErrnoException) => {
    throw e?.code ? listenError(e, port0, '0.0.0.0', { what: 'Slack (HTTP mode)', portVariable: 'PORT' }) : e;
  })) as unknown as Server;
  const port = (server.address() as AddressInfo).port;
  return {
    summary: `HTTP mode${as} on :${port}/slack/events`,
    url: `http://127.0.0.1:${port}/slack/events`,
    deps,
    stop: async () => {
      boltLogger.quiet();
      await app.stop();
    },
  };
}
