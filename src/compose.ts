import { randomBytes } from 'node:crypto';
import { ConfigError, type Config } from './config.js';
import type { EngineSettings, Gateways } from './engine/context.js';
import { createEngine, type Engine } from './engine/engine.js';
import { combineNotifiers, NO_NOTIFIER, type Notifier } from './engine/ports/notifier.js';
import type { Store } from './engine/ports/store.js';
import type { CertificateIssuer } from './engine/ports/certificates.js';
import type { Meter } from './engine/ports/meter.js';
import { meteredStore } from './ops/metered-store.js';
import { SecretBox } from './engine/secrets.js';
import { findEncryptionKey, keyFileOf, loadEncryptionKey } from './key-file.js';
import { checkStoreKey, sealedValues } from './store/sealed-values.js';
import { createLogger, type Logger } from './log.js';
import { awsCredentialSource } from './providers/aws/credentials.js';
import { SdkAwsGateway } from './providers/aws/sdk-gateway.js';
import { x509CertificateIssuer } from './providers/certificates.js';
import { SdkMicrosoftGateway } from './providers/microsoft/sdk-gateway.js';
import { LowdbStore } from './store/lowdb-store.js';
import { linkingNotifier } from './engine/invite-links.js';

/**
 * The composition root: the one place that knows every concrete implementation. `npm start`, the
 * stdio MCP server, the CLI and the tests all build cloudlink here.
 */

export function settingsFrom(config: Config): EngineSettings {
  if (config.CLOUDLINK_CREDENTIALS_DURATION_SECONDS > config.CLOUDLINK_CREDENTIALS_MAX_DURATION_SECONDS) {
    throw new ConfigError(`CLOUDLINK_CREDENTIALS_DURATION_SECONDS (${config.CLOUDLINK_CREDENTIALS_DURATION_SECONDS}) is longer than CLOUDLINK_CREDENTIALS_MAX_DURATION_SECONDS (${config.CLOUDLINK_CREDENTIALS_MAX_DURATION_SECONDS}). Lower the first or raise the second.`);
  }
  return {
    setupTtlMs: config.CLOUDLINK_SETUP_TTL_HOURS * 3_600_000,
    inviteTtlMs: config.CLOUDLINK_INVITE_TTL_HOURS * 3_600_000,
    awsDefaultRegion: config.CLOUDLINK_AWS_REGION ?? config.AWS_REGION ?? 'us-east-1',
    templateBaseUrl: config.CLOUDLINK_TEMPLATE_BASE_URL,
    invitePagesUrl: config.CLOUDLINK_PUBLIC_URL?.replace(/\/+$/, ''),
    emailInvites: Boolean(config.CLOUDLINK_SMTP_HOST && config.CLOUDLINK_SMTP_FROM),
    awsPropagationTimeoutMs: config.CLOUDLINK_AWS_PROPAGATION_TIMEOUT_SECONDS * 1000,
    membersCanLink: config.CLOUDLINK_MEMBERS_CAN_LINK,
    certificateLifetimeDays: config.CLOUDLINK_CERT_LIFETIME_DAYS,
    certificateWarnDays: config.CLOUDLINK_CERT_WARN_DAYS,
    orgSyncMs: config.CLOUDLINK_ORG_SYNC_MINUTES * 60_000,
    orgConcurrency: config.CLOUDLINK_ORG_CONCURRENCY,
    memberRoleGraceMs: config.CLOUDLINK_ORG_ROLE_GRACE_MINUTES * 60_000,
    credentials: {
      members: config.CLOUDLINK_CREDENTIALS_MEMBERS,
      defaultDurationSeconds: config.CLOUDLINK_CREDENTIALS_DURATION_SECONDS,
      maxDurationSeconds: config.CLOUDLINK_CREDENTIALS_MAX_DURATION_SECONDS,
      sessionName: config.CLOUDLINK_CREDENTIALS_SESSION_NAME,
    },
    webhooks: { allowHttp: config.CLOUDLINK_WEBHOOK_ALLOW_HTTP, source: config.CLOUDLINK_WEBHOOK_SOURCE },
  };
}

export function gatewaysFrom(config: Config, settings: EngineSettings, log?: Logger, meter?: Meter): Gateways {
  return {
    aws: new SdkAwsGateway({
      region: settings.awsDefaultRegion,
      endpoint: config.CLOUDLINK_AWS_ENDPOINT,
      principalArn: config.CLOUDLINK_AWS_PRINCIPAL_ARN,
      maxAttempts: 3,
      requestTimeoutMs: config.CLOUDLINK_CLOUD_TIMEOUT_MS,
      retryBaseMs: config.CLOUDLINK_AWS_RETRY_BASE_MS,
      hasCredentialSource: Boolean(awsCredentialSource(process.env, config.CLOUDLINK_AWS_INSTANCE_ROLE)),
      ...(log ? { log } : {}),
      ...(meter ? { onCall: (service: string, operation: string, outcome: 'ok' | 'error' | 'throttled') => meter.cloud(service, operation, outcome) } : {}),
    }),
    microsoft: new SdkMicrosoftGateway({
      authorityHost: config.CLOUDLINK_AZURE_AUTHORITY_HOST,
      armEndpoint: config.CLOUDLINK_ARM_ENDPOINT ?? 'https://management.azure.com',
      graphEndpoint: config.CLOUDLINK_GRAPH_ENDPOINT ?? 'https://graph.microsoft.com',
      exchangeResource: config.CLOUDLINK_EXCHANGE_RESOURCE,
      timeoutMs: config.CLOUDLINK_CLOUD_TIMEOUT_MS,
      ...(meter ? { onCall: (service: string, operation: string, outcome: 'ok' | 'error' | 'throttled') => meter.cloud(service, operation, outcome) } : {}),
    }),
  };
}

/** The lowdb file by default; PostgreSQL when CLOUDLINK_DATABASE_URL names one (loaded only then). */
export async function storeFrom(config: Config, log?: Logger): Promise<Store> {
  if (config.CLOUDLINK_DATABASE_URL) {
    if (!config.CLOUDLINK_ENCRYPTION_KEY) {
      throw new ConfigError('CLOUDLINK_ENCRYPTION_KEY is required with CLOUDLINK_DATABASE_URL: every instance must seal and open private keys with the same key (`openssl rand -base64 32`).');
    }
    const { PostgresStore } = await import('./store/postgres/postgres-store.js');
    return new PostgresStore(config.CLOUDLINK_DATABASE_URL, { poolSize: config.CLOUDLINK_DATABASE_POOL_SIZE, leaderHeartbeatMs: config.CLOUDLINK_LEADER_HEARTBEAT_SECONDS * 1000, ...(log ? { log } : {}) });
  }
  return new LowdbStore(config.CLOUDLINK_STORE_PATH, { staleMs: config.CLOUDLINK_STORE_STALE_LOCK_SECONDS * 1000 });
}

export type ComposeOptions = {
  log?: Logger;
  now?: () => Date;
  /** Another store (the in-memory one for the fast test tier); the lowdb file by default. */
  store?: Store;
  gateways?: Partial<Gateways>;
  certificates?: CertificateIssuer;
  /** Who this process can tell things to; Slack's DM notifier is added when Slack is configured and `deliver` is on. */
  notifiers?: Notifier[];
  /** Whether this process delivers notifications (the service does; a stdio MCP server leaves them to it). */
  deliver?: boolean;
  /** Operator metrics (the service's /metrics); the store is timed too when given. */
  meter?: Meter;
  /** Whether this process POSTs webhook deliveries (the service does; the CLI and a stdio MCP server leave them to it). */
  webhooks?: boolean;
};

export type Composed = { engine: Engine; store: Store; log: Logger; config: Config; gateways: Gateways };

export async function composeEngine(config: Config, opts: ComposeOptions = {}): Promise<Composed> {
  const log = opts.log ?? createLogger({ level: config.CLOUDLINK_LOG_LEVEL });
  const raw = opts.store ?? (await storeFrom(config, log));
  await raw.init();
  const store = opts.meter ? meteredStore(raw, opts.meter) : raw;
  const settings = settingsFrom(config);
  const secrets = await storeSecrets(config, raw, log).catch(async (e: unknown) => {
    // Refused: the store this call opened is closed again (a PostgreSQL pool would keep the process alive).
    if (!opts.store) await raw.close?.().catch(() => undefined);
    throw e;
  });
  const notifiers = [...(opts.notifiers ?? [])];
  if (opts.deliver && opts.webhooks) {
    const { WebhookNotifier } = await import('./providers/webhooks/http-notifier.js');
    notifiers.push(
      new WebhookNotifier({
        timeoutMs: config.CLOUDLINK_WEBHOOK_TIMEOUT_MS,
        log,
        async lookup(id) {
          const w = (await store.read()).webhooks.find((x) => x.id === id);
          return w ? { url: w.url, secret: secrets.open(w.secret, 'webhook') } : undefined;
        },
      }),
    );
  }
  if (opts.deliver && config.SLACK_BOT_TOKEN) {
    const { SlackNotifier } = await import('./slack/notifier.js');
    const { slackLogger } = await import('./slack/logger.js');
    notifiers.push(new SlackNotifier(config.SLACK_BOT_TOKEN, { ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}) }, log, slackLogger(config, log)));
  }
  if (opts.deliver && config.CLOUDLINK_SMTP_HOST) {
    const { emailNotifierFrom } = await import('./email/notifier.js');
    const email = await emailNotifierFrom(config, log);
    if (email) notifiers.push(email);
  }
  const gateways = { ...gatewaysFrom(config, settings, log, opts.meter), ...opts.gateways };
  const engine = createEngine({
    store,
    settings,
    gateways,
    certificates: opts.certificates ?? x509CertificateIssuer,
    secrets,
    // Invites get their page's signed link as they go out (never stored in the outbox).
    notifier: notifiers.length ? linkingNotifier(combineNotifiers(...notifiers), { store, secrets, settings }) : NO_NOTIFIER,
    log,
    now: opts.now ?? (() => new Date()),
    ...(opts.meter ? { meter: opts.meter } : {}),
  });
  return { engine, store, log, config, gateways };
}

/**
 * The key this process seals and opens with, checked against the store first (one pass over the
 * records that hold sealed values): a key that opens none of them is refused, and so is creating a
 * key file for a store that already holds sealed values (the key they need is missing, not new),
 * unless CLOUDLINK_ACCEPT_UNREADABLE_SECRETS says that key is lost for good; when only some match,
 * one warning says how many cannot be opened. Only key ids are ever logged.
 */
async function storeSecrets(config: Config, raw: Store, log: Logger): Promise<SecretBox> {
  const keyFile = raw instanceof LowdbStore ? keyFileOf(raw.location) : undefined;
  const found = await findEncryptionKey(config.CLOUDLINK_ENCRYPTION_KEY, keyFile);
  // A store without a file (in memory) keeps its sealed keys for its own lifetime only: a random key does, unchecked.
  if (!found && !keyFile) return new SecretBox(randomBytes(32));
  const sealed = sealedValues(await raw.read());
  const origin = found ? { keyId: new SecretBox(found.key).keyId, source: found.source } : undefined;
  const warning = checkStoreKey(sealed, raw.location, origin, keyFile, config.CLOUDLINK_ACCEPT_UNREADABLE_SECRETS);
  if (warning) log.warn(warning, { store: raw.location, ...(origin ? { keyId: origin.keyId } : {}) });
  return new SecretBox(found ? found.key : (await loadEncryptionKey(undefined, keyFile!)).key);
}

export type ServiceOptions = ComposeOptions & {
  slack?: import('./slack/start.js').SlackStartOptions;
  /** MCP over HTTP on this port instead of CLOUDLINK_MCP_HTTP_PORT (0: any free one). */
  mcpHttpPort?: number;
  /** Whether to run the background jobs (watcher, health checks, outbox); tests drive them by hand. */
  jobs?: boolean;
  /** The operator endpoints (/healthz, /readyz, /metrics) on this port instead of CLOUDLINK_HTTP_PORT (0: any free one). */
  opsPort?: number;
  /** The REST API on this port instead of CLOUDLINK_API_PORT (0: any free one). */
  apiPort?: number;
};

export type Service = Composed & {
  /** One line per part: what is running and what is missing. */
  lines: string[];
  slack?: import('./slack/start.js').RunningSlack;
  mcpHttp?: { url: string; port: number };
  ops?: { url: string; port: number };
  /** The invite pages: where they listen, and the public URL their links use. */
  invitePages?: { url: string; publicUrl: string };
  api?: { url: string; port: number };
  /** Who runs the background work when several instances share the store. */
  leadership?: { readonly leading: boolean };
  stop(): Promise<void>;
};

/** The long-running service: the engine, its background jobs, and whichever front ends are configured. */
export async function composeService(given: Config, opts: ServiceOptions = {}): Promise<Service> {
  const { prometheusMeter } = await import('./ops/metrics.js');
  const metrics = prometheusMeter();
  // The store first: one that cannot be opened (a damaged file, a read-only or full disk, a database
  // that does not answer) stops start-up with its own message before anything is written beside it.
  const log = opts.log ?? createLogger({ level: given.CLOUDLINK_LOG_LEVEL });
  const opened = opts.store ?? (await storeFrom(given, log));
  // If start-up fails from here, the store this call opened is closed again (a PostgreSQL pool would keep the process alive).
  const closing = async (e: unknown): Promise<never> => {
    if (!opts.store) await opened.close?.().catch(() => undefined);
    throw e;
  };
  await opened.init().catch(closing);
  // The invite pages listen before the engine exists (its links need their URL); the console's MCP token exists before MCP HTTP.
  const wiring = await import('./web/wiring.js');
  const web = await wiring.prepareWeb(given, opts.opsPort ?? given.CLOUDLINK_HTTP_PORT).catch(closing);
  const config = web.config;
  const composed = await composeEngine(config, { deliver: true, webhooks: true, meter: metrics.meter, ...opts, log, store: opened }).catch(closing);
  const { engine } = composed;
  const lines: string[] = [];
  const stops: (() => Promise<void>)[] = [];
  const store = await engine.describeStore();
  lines.push(`store      ${store.location} (${store.kind}, ${store.accounts} account${store.accounts === 1 ? '' : 's'})`);

  const source = awsCredentialSource(process.env, config.CLOUDLINK_AWS_INSTANCE_ROLE);
  if (config.CLOUDLINK_AWS_PRINCIPAL_ARN || source) {
    const principal = await composed.gateways.aws.platformPrincipalArn().then(
      (p) => p,
      (e: Error) => `unknown (${e.message.split('.')[0]})`,
    );
    lines.push(`AWS        credentials from ${source ?? 'configuration'}; customers trust ${principal}`);
  } else {
    lines.push('AWS        MISSING: no AWS credentials. Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or CLOUDLINK_AWS_INSTANCE_ROLE=true) to link AWS and EKS accounts.');
  }
  lines.push(
    config.CLOUDLINK_TEMPLATE_BASE_URL
      ? `templates  ${config.CLOUDLINK_TEMPLATE_BASE_URL} (quick-create links on)`
      : 'templates  not published: set CLOUDLINK_TEMPLATE_BASE_URL to the S3/HTTPS folder holding manifests/ for one-click quick-create links (until then setups hand out the template to upload).',
  );
  let leadership: Service['leadership'];
  if (opts.jobs !== false) {
    const every = { watchMs: config.CLOUDLINK_WATCH_INTERVAL_SECONDS * 1000, healthMs: config.CLOUDLINK_HEALTH_INTERVAL_MINUTES * 60_000, outboxMs: config.CLOUDLINK_OUTBOX_POLL_SECONDS * 1000 };
    if (composed.store.leadership) {
      // Several instances share this store: the one holding the leader lock runs the background work.
      // Every instance still delivers its own outbox items (claims keep them once).
      let stopJobs: (() => Promise<void>) | undefined;
      let stopping = false;
      const lead = composed.store.leadership({
        start: () => void (stopJobs = engine.jobs.start(every)),
        async stop() {
          await stopJobs?.();
          stopJobs = undefined;
          // The jobs' stop ends this instance's outbox polling too: a former leader still delivers.
          if (!stopping) engine.jobs.outbox.start(every.outboxMs);
        },
      });
      leadership = lead;
      engine.jobs.outbox.start(every.outboxMs);
      stops.push(async () => {
        stopping = true;
        engine.jobs.outbox.stop();
        await lead.stop();
      });
      lines.push(`background one instance at a time (leader lock in PostgreSQL; another takes over within ${config.CLOUDLINK_LEADER_HEARTBEAT_SECONDS} s of its end, ${4 * config.CLOUDLINK_LEADER_HEARTBEAT_SECONDS} s of its silence)`);
    } else stops.push(engine.jobs.start(every));
  }
  lines.push(`watcher    checks open AWS setups every ${config.CLOUDLINK_WATCH_INTERVAL_SECONDS} s`);
  lines.push(config.CLOUDLINK_HEALTH_INTERVAL_MINUTES > 0 ? `health     every ${config.CLOUDLINK_HEALTH_INTERVAL_MINUTES} min` : 'health     scheduled checks off (CLOUDLINK_HEALTH_INTERVAL_MINUTES=0)');

  const { startSlack } = await import('./slack/start.js');
  const slack = await startSlack(config, engine, log, { ...(leadership ? { refreshesHomes: () => leadership!.leading } : {}), ...opts.slack });
  lines.push(`Slack      ${slack.summary}`);
  if (slack.stop) stops.push(slack.stop);

  let mcpHttp: Service['mcpHttp'];
  const port = opts.mcpHttpPort ?? config.CLOUDLINK_MCP_HTTP_PORT;
  if (port !== undefined) {
    const { startMcpHttp } = await import('./mcp/http.js');
    const http = await startMcpHttp(wiring.withConsoleToken(config, web.token), engine, log, port);
    mcpHttp = { url: http.url, port: http.port };
    lines.push(`MCP HTTP   ${http.url} (2025-11-25 and 2026-07-28; ${http.auth}; ${http.answerCache})`);
    stops.push(http.stop);
  } else {
    lines.push('MCP HTTP   off: set CLOUDLINK_MCP_HTTP_PORT and CLOUDLINK_MCP_TOKENS to serve remote assistants');
  }
  lines.push(`MCP stdio  ${process.execPath} ${(await import('./install-path.js')).CLI_PATH} mcp (what desktop assistants spawn: this command and its arguments, by absolute path)`);
  web.pages?.serve(engine, log);
  if (web.pages) stops.push(web.pages.stop);
  lines.push(...wiring.webLines(config, web.pages));

  let api: Service['api'];
  const apiPort = opts.apiPort ?? config.CLOUDLINK_API_PORT;
  if (apiPort !== undefined) {
    const { startApiServer } = await import('./api/server.js');
    const server = await startApiServer(config, engine, log, apiPort);
    api = { url: server.url, port: server.port };
    lines.push(`REST API   ${server.url}/v1 and ${server.url}/openapi.json (${server.auth})`);
    stops.push(server.stop);
  } else {
    lines.push('REST API   off: set CLOUDLINK_API_PORT and CLOUDLINK_API_TOKENS (or the MCP OAuth issuer) to serve /v1 and /openapi.json');
  }

  let ops: Awaited<ReturnType<typeof import('./ops/server.js').startOpsServer>> | undefined;
  const opsPort = opts.opsPort ?? config.CLOUDLINK_HTTP_PORT;
  if (opsPort !== undefined) {
    const { startOpsServer } = await import('./ops/server.js');
    const ready = async () => {
      const s = composed.store.health ? await composed.store.health() : await composed.store.read().then(() => ({ ok: true, detail: `${composed.store.kind} readable` }), (e: Error) => ({ ok: false, detail: e.message }));
      return { ok: s.ok, checks: { store: s, ...(leadership ? { background: { ok: true, detail: leadership.leading ? 'this instance leads' : 'another instance leads' } } : {}) } };
    };
    // The first-run console shares the operator listener (loopback by default), beside /healthz.
    const consoleRoutes = web.token
      ? (await import('./web/console/routes.js')).consoleRouter({
          facts: wiring.consoleFacts({ config, store, aws: { ...(source ? { source } : {}), ...(config.CLOUDLINK_AWS_PRINCIPAL_ARN || source ? { principal: await composed.gateways.aws.platformPrincipalArn().catch(() => 'unknown (GetCallerIdentity failed)') } : {}) }, slack, ...(web.pages ? { pages: web.pages } : {}), ...(mcpHttp ? { mcpHttp } : {}), publicUrlSet: Boolean(given.CLOUDLINK_PUBLIC_URL) }),
          token: web.token,
          accounts: async () => (await engine.describeStore()).accounts,
          ready,
          log,
        })
      : undefined;
    ops = await startOpsServer({
      port: opsPort,
      host: config.CLOUDLINK_HTTP_HOST,
      registry: metrics.registry,
      log,
      checks: { inFlight: () => engine.inFlight(), ready },
      ...(consoleRoutes ? { router: consoleRoutes } : {}),
    });
    lines.push(`ops        ${ops.url}/healthz, /readyz, /metrics`);
  }
  lines.push(wiring.consoleLine(config, ops?.url, Boolean(web.token && ops)));

  return {
    ...composed,
    lines,
    slack,
    ...(mcpHttp ? { mcpHttp } : {}),
    ...(api ? { api } : {}),
    ...(ops ? { ops: { url: ops.url, port: ops.port } } : {}),
    ...(web.pages ? { invitePages: { url: web.pages.url, publicUrl: web.pages.publicUrl } } : {}),
    ...(leadership ? { leadership } : {}),
    /**
     * Stops as a rolling deploy wants: says "draining" to the load balancer, stops taking requests,
     * waits for those in flight (CLOUDLINK_DRAIN_SECONDS), then stops the background work (releasing
     * the leader lock) and closes the store.
     */
    async stop() {
      ops?.drain();
      const deadline = Date.now() + config.CLOUDLINK_DRAIN_SECONDS * 1000;
      while (engine.inFlight() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      for (const s of stops.reverse()) await s().catch((e: unknown) => log.warn('could not stop cleanly', { error: e }));
      await engine.jobs.outbox.idle();
      await ops?.stop();
      await composed.store.close?.();
    },
  };
}
