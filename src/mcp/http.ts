import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NodeStreamableHTTPServerTransport, toNodeHandler } from '@modelcontextprotocol/node';
import { listen } from '../listen.js';
import { createMcpHandler, isInitializeRequest, isLegacyRequest, localhostAllowedHostnames, validateHostHeader, type AuthInfo } from '@modelcontextprotocol/server';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Config } from '../config.js';
import type { Engine } from '../engine/engine.js';
import type { Actor } from '../engine/domain/records.js';
import type { Logger } from '../log.js';
import {
  ALL_SCOPES,
  authInfo,
  metadataUrlOf,
  oauthVerifier,
  principalOf,
  protectedResourceMetadata,
  sameSecret,
  SCOPES,
  slackIdentityOf,
  slackSignatureValid,
  slackTimestampFresh,
  TokenRefused,
  type OAuthSettings,
  type Principal,
} from './auth.js';
import { createAnswerCache } from './answer-cache.js';
import { Confirmations } from './confirm.js';
import { initializeProblem } from './initialize-params.js';
import { createMcpServer } from './server.js';
import { mcpOperations } from './tools.js';
import type { McpOptions } from './options.js';

export type TokenGrant = { token: string; actor: string; role: 'admin' | 'member'; slackUser?: string };
type Session = { transport: NodeStreamableHTTPServerTransport; principal: string; lastUsed: number };

export type HttpLimits = {
  /** Request bodies larger than this are refused from their Content-Length, before they are read. */
  maxBodyBytes: number;
  /** Open (2025-11-25) sessions one caller may hold at once. */
  sessionsPerToken: number;
  /** A session unused for this long is closed. */
  sessionIdleMs: number;
  /** Answers to repeated read-only calls kept for the current store snapshot, in bytes; 0 keeps none. */
  answerCacheBytes: number;
};

export const DEFAULT_LIMITS: HttpLimits = { maxBodyBytes: 1_048_576, sessionsPerToken: 20, sessionIdleMs: 30 * 60_000, answerCacheBytes: 32 * 1_048_576 };

/** Slackbot as an MCP client: requests signed with the app's signing secret, from workspaces that are ours. */
export type SlackIdentityAuth = { signingSecret: string; teams: string[]; actorFor(userId: string): Promise<Actor> };

export type HttpOptions = {
  tokens: TokenGrant[];
  host: string;
  allowedHosts?: string[];
  allowedOrigins?: string[];
  options: McpOptions;
  limits?: Partial<HttpLimits>;
  /** JWT access tokens from this issuer, for this resource (its `resource` may be filled in once the port is known). */
  oauth?: OAuthSettings;
  slack?: SlackIdentityAuth;
};

const DAY_S = 86_400;

/** The SDK's era classification reads the body (given parsed) and the three standard headers; only those are copied. */
const STANDARD_HEADERS = ['mcp-protocol-version', 'mcp-method', 'mcp-name'];
function classifiable(req: Request): globalThis.Request {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const h of STANDARD_HEADERS) {
    const v = req.headers[h];
    if (typeof v === 'string') headers[h] = v;
  }
  return new globalThis.Request('http://localhost/mcp', { method: 'POST', headers });
}
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];
/** What a page may send and read (the protocol's headers, and the challenge for a token). */
const CORS_HEADERS = 'Authorization, Content-Type, Accept, Mcp-Protocol-Version, Mcp-Session-Id, Mcp-Method, Mcp-Name, Last-Event-ID';
const CORS_EXPOSED = 'Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate';

/** JSON-RPC's own error codes, answered in JSON for every refusal (never an HTML page). */
const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;
const INTERNAL_ERROR = -32603;
const SERVER_ERROR = -32000;
const INVALID_PARAMS = -32602;
const rpcError = (res: Response, status: number, code: number, message: string, id: string | number | null = null) => void res.status(status).json({ jsonrpc: '2.0', error: { code, message }, id });

/**
 * Which browser origins may call: none but loopback pages by default. A request without an Origin
 * header is not from a browser page and passes; `Origin: null` (sandboxed frames, files) does not.
 */
function originAllowed(origin: string, allowed: string[]): boolean {
  if (allowed.length) return allowed.includes(origin);
  try {
    const u = new URL(origin);
    return (u.protocol === 'http:' || u.protocol === 'https:') && LOOPBACK_HOSTS.includes(u.hostname);
  } catch {
    return false;
  }
}

/** RFC 6750 §3 parameters: quoted strings without quotes or backslashes. */
const quoted = (s: string) => `"${s.replace(/["\\]/g, "'")}"`;

type Pending = { slack?: { timestamp: string; signature: string } };
type WithRaw = Request & { rawBody?: Buffer; pending?: Pending; auth?: AuthInfo };

/**
 * Streamable HTTP on /mcp for remote assistants, both protocol eras on one endpoint:
 * - 2026-07-28 requests (each carries its own `_meta` envelope) are served statelessly by the SDK's
 *   `createMcpHandler`: a fresh server per request, no session, so any instance answers any request;
 * - 2025-11-25 clients keep their sessions (`initialize`, `Mcp-Session-Id`, server-to-client
 *   elicitation on the request's stream), each bound to the caller that opened it, capped per caller
 *   and closed when idle.
 * In order, before any body is read: the Host header (DNS rebinding), the Origin header (MCP's MUST),
 * the credentials (a bearer token, an OAuth access token, or Slack's signature headers), the declared
 * body size; then the body is read, Slack's signature over it checked, and every failure is answered
 * as JSON-RPC in JSON (OAuth's JSON error for 401/403). Request bodies are never logged.
 */
export function createMcpHttpApp(engine: Engine, opts: HttpOptions, log: Logger) {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const options: McpOptions = { ...opts.options, confirmations: opts.options.confirmations ?? new Confirmations() };
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  const sessions = new Map<string, Session>();
  const verifyJwt = opts.oauth ? oauthVerifier(opts.oauth) : undefined;

  // DNS rebinding: the SDK's Host check, with what to set when the name is a real one.
  const hosts = opts.allowedHosts?.length ? opts.allowedHosts : ['127.0.0.1', 'localhost', '::1'].includes(opts.host) ? localhostAllowedHostnames() : undefined;
  if (hosts) {
    app.use((req: Request, res: Response, next: NextFunction) => {
      const checked = validateHostHeader(req.headers.host, hosts);
      if (checked.ok) return next();
      rpcError(res, 403, SERVER_ERROR, `${checked.message}: this server answers only to ${hosts.join(', ')}. If clients reach it by another name (behind a proxy or a load balancer), add that name to CLOUDLINK_MCP_ALLOWED_HOSTS.`);
    });
  }

  // RFC 9728: where a client learns which authorization server issues tokens for this resource.
  if (opts.oauth) {
    const oauth = opts.oauth;
    app.get(['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/*rest'], (_req: Request, res: Response) => {
      res.setHeader('access-control-allow-origin', '*');
      res.json(protectedResourceMetadata(oauth));
    });
  }

  const origin = (req: Request, res: Response, next: NextFunction) => {
    const value = req.headers.origin;
    if (value === undefined || originAllowed(value, opts.allowedOrigins ?? [])) return next();
    log.warn('MCP HTTP request refused: origin not allowed', { origin: value.slice(0, 200) });
    rpcError(res, 403, SERVER_ERROR, `Requests from the web origin ${value.slice(0, 100)} are not allowed. Set CLOUDLINK_MCP_ALLOWED_ORIGINS to allow a page to call cloudlink.`);
  };

  // CORS for the browser origins allowed (CLOUDLINK_MCP_ALLOWED_ORIGINS, or loopback pages): without it a
  // browser would send the request but never show the page its answer, nor let it read Mcp-Session-Id.
  const cors = (req: Request, res: Response, next: NextFunction) => {
    const value = req.headers.origin;
    if (value !== undefined && originAllowed(value, opts.allowedOrigins ?? [])) {
      res.setHeader('Access-Control-Allow-Origin', value);
      res.setHeader('Access-Control-Expose-Headers', CORS_EXPOSED);
    }
    res.vary('Origin');
    next();
  };
  const preflight = (_req: Request, res: Response) => {
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE');
    res.setHeader('Access-Control-Allow-Headers', CORS_HEADERS);
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
  };

  const challenge = (res: Response, status: 401 | 403, error: string | undefined, description: string, scope?: string) => {
    const params = [
      ...(opts.oauth ? [`resource_metadata=${quoted(metadataUrlOf(opts.oauth.resource))}`] : ['realm="cloudlink"']),
      ...(error ? [`error=${quoted(error)}`, `error_description=${quoted(description)}`] : []),
      ...(scope ? [`scope=${quoted(scope)}`] : []),
    ];
    res.setHeader('WWW-Authenticate', `Bearer ${params.join(', ')}`);
    res.status(status).json({ error: error ?? 'invalid_request', error_description: description });
  };

  const tokenPrincipal = (grant: TokenGrant): Principal => ({
    kind: 'token',
    key: grant.token,
    actor: { id: grant.actor, name: grant.actor, via: 'mcp', role: grant.role, ...(grant.slackUser ? { reach: { channel: 'slack' as const, id: grant.slackUser } } : {}) },
  });

  /** Credentials from the headers alone: a Slack-signed request is checked again once its body is read. */
  const auth = async (req: WithRaw, res: Response, next: NextFunction) => {
    const signature = req.headers['x-slack-signature'];
    if (opts.slack && typeof signature === 'string' && !req.headers.authorization) {
      const timestamp = req.headers['x-slack-request-timestamp'];
      if (typeof timestamp !== 'string' || !slackTimestampFresh(timestamp)) {
        log.warn('MCP HTTP request refused: Slack timestamp missing or not within five minutes');
        return challenge(res, 401, 'invalid_token', 'The Slack request timestamp is missing or more than five minutes from this server\'s clock.');
      }
      req.pending = { slack: { timestamp, signature } };
      return next();
    }
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!m) return challenge(res, 401, undefined, 'This cloudlink server needs a bearer token (Authorization: Bearer <token>).');
    const token = m[1]!;
    // Every configured token is compared, in constant time, whatever matches first.
    let grant: TokenGrant | undefined;
    for (const g of opts.tokens) if (sameSecret(g.token, token) && !grant) grant = g;
    if (grant) {
      // Tokens from configuration do not expire; give them a day ahead, as the SDK expects a time.
      req.auth = authInfo(tokenPrincipal(grant), token, ALL_SCOPES, Math.floor(Date.now() / 1000) + DAY_S);
      return next();
    }
    if (verifyJwt && token.split('.').length === 3) {
      try {
        req.auth = await verifyJwt(token);
        return next();
      } catch (e) {
        if (e instanceof TokenRefused) {
          log.info('MCP HTTP access token refused', { reason: e.message });
          return challenge(res, e.status, e.status === 403 ? 'insufficient_scope' : 'invalid_token', e.message, e.scope);
        }
        log.error('MCP HTTP access token could not be checked', { error: e });
        return rpcError(res, 503, SERVER_ERROR, 'cloudlink could not check the access token against its authorization server right now; try again shortly.');
      }
    }
    return challenge(res, 401, 'invalid_token', 'The bearer token is not valid for this cloudlink server. Check the token in your MCP client configuration.');
  };

  const size = (req: Request, res: Response, next: NextFunction) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limits.maxBodyBytes) return rpcError(res, 413, INVALID_REQUEST, `The request body is ${declared} bytes; this server accepts at most ${limits.maxBodyBytes}.`);
    next();
  };
  // The raw bytes are kept: Slack signs them, not their parse.
  const raw = express.raw({ limit: limits.maxBodyBytes, type: () => true });
  const json = (req: WithRaw, res: Response, next: NextFunction) => {
    const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    req.rawBody = bytes;
    try {
      req.body = bytes.length ? JSON.parse(bytes.toString('utf8')) : undefined;
    } catch {
      return rpcError(res, 400, PARSE_ERROR, 'Parse error: the request body is not valid JSON.');
    }
    next();
  };

  /** Slack identity auth: the signature over the raw body, then the Slack user in params._meta.slack, from one of our workspaces. */
  const slackIdentity = async (req: WithRaw, res: Response, next: NextFunction) => {
    const pending = req.pending?.slack;
    if (!pending) return next();
    const slack = opts.slack!;
    if (!slackSignatureValid(slack.signingSecret, pending.timestamp, req.rawBody ?? Buffer.alloc(0), pending.signature)) {
      log.warn('MCP HTTP request refused: bad Slack signature');
      return challenge(res, 401, 'invalid_token', 'The Slack signature does not match this request.');
    }
    const messages = Array.isArray(req.body) ? (req.body as unknown[]) : [req.body];
    const ids = messages.map((m) => ({ m, who: slackIdentityOf(m) }));
    const requests = ids.filter(({ m }) => (m as { id?: unknown })?.id !== undefined && typeof (m as { method?: unknown })?.method === 'string');
    const who = (requests[0] ?? ids[0])?.who;
    if (!who || ids.some((x) => x.who && (x.who.userId !== who.userId || x.who.teamId !== who.teamId)) || requests.some((x) => !x.who)) {
      return challenge(res, 401, 'invalid_token', 'A Slack-signed request must name its Slack user in params._meta.slack (user_id, team_id).');
    }
    const ours = [who.teamId, who.enterpriseId].some((t) => t !== undefined && slack.teams.includes(t));
    if (!ours) {
      log.warn('MCP HTTP request refused: Slack workspace is not ours', { team: who.teamId, enterprise: who.enterpriseId });
      return challenge(res, 401, 'invalid_token', 'This Slack workspace is not one this cloudlink server serves.');
    }
    const actor = await slack.actorFor(who.userId);
    const principal: Principal = { kind: 'slack', key: `slack:${who.enterpriseId ?? ''}:${who.teamId ?? ''}:${who.userId}`, actor: { ...actor, via: 'mcp', reach: { channel: 'slack', id: who.userId } } };
    req.auth = authInfo(principal, 'slack-identity', ALL_SCOPES, Math.floor(Date.now() / 1000) + 300, { slack: who });
    next();
  };

  const principalKey = (req: WithRaw) => principalOf(req.auth)!.key;

  const existing = (req: WithRaw, res: Response): Session | undefined => {
    const sid = req.headers['mcp-session-id'];
    if (typeof sid !== 'string') return undefined;
    const s = sessions.get(sid);
    if (!s) {
      rpcError(res, 404, SERVER_ERROR, 'Unknown or expired MCP session: initialize a new one.');
      return undefined;
    }
    if (!sameSecret(s.principal, principalKey(req))) {
      rpcError(res, 403, SERVER_ERROR, 'This MCP session belongs to another caller.');
      return undefined;
    }
    s.lastUsed = Date.now();
    return s;
  };

  const held = (key: string) => [...sessions.values()].filter((s) => sameSecret(s.principal, key)).length;

  // 2026-07-28: stateless, one server per request, built for the caller the request authenticated.
  const modern = createMcpHandler(
    ({ authInfo: info, requestInfo }) => {
      const principal = principalOf(info);
      if (!principal) throw new Error('MCP request without a caller');
      // The SDK holds these headers to the body; an instance registers only what its request needs.
      const method = requestInfo?.headers.get('mcp-method')?.trim();
      const name = requestInfo?.headers.get('mcp-name')?.trim();
      return createMcpServer(engine, principal.actor, options, log, { era: 'modern', request: { ...(method ? { method } : {}), ...(name ? { name } : {}) } });
    },
    { legacy: 'reject', maxRequestBodySize: limits.maxBodyBytes, onerror: (e) => log.debug('MCP HTTP request refused by the protocol layer', { error: e.message }) },
  );
  const modernNode = toNodeHandler(modern, { maxRequestBodySize: limits.maxBodyBytes, onerror: (e) => log.error('MCP HTTP request failed', { error: e }) });

  // Repeated read-only calls answered from what was answered for the same store snapshot.
  const answers = createAnswerCache({
    snapshot: () => engine.snapshot(),
    tools: new Set(mcpOperations(engine, options).filter((d) => d.fromSnapshot).map((d) => d.name)),
    maxBytes: limits.answerCacheBytes,
  });
  const cached = async (req: WithRaw, res: Response, serve: () => Promise<void>) => {
    const hit = await answers.answer(req, res, callerOf(req), serve);
    const def = hit && engine.find(hit.tool);
    if (def) engine.answeredFromSnapshot(def, principalOf(req.auth)!.actor, hit.ms);
  };
  /** Who asks, with which rights: answers are kept per caller, never shared. */
  const callerOf = (req: WithRaw) => {
    const p = principalOf(req.auth)!;
    return JSON.stringify([p.kind, p.key, p.actor, req.auth?.scopes ?? []]);
  };

  const openSession = async (req: WithRaw, res: Response) => {
    if (!isInitializeRequest(req.body)) {
      // An initialize that lacks what the protocol requires is told what, not to send an initialize.
      const problem = initializeProblem(req.body);
      const id = (req.body as { id?: unknown }).id;
      if (problem) return rpcError(res, 400, INVALID_PARAMS, problem, typeof id === 'string' || typeof id === 'number' ? id : null);
      return rpcError(res, 400, INVALID_REQUEST, 'Start with an initialize request (no MCP session id was given).');
    }
    const principal = principalOf(req.auth)!;
    if (held(principal.key) >= limits.sessionsPerToken) {
      return rpcError(res, 429, SERVER_ERROR, `This caller already holds ${limits.sessionsPerToken} open MCP sessions, the most one may. Close one (an HTTP DELETE on /mcp with its Mcp-Session-Id) or wait: sessions close after ${Math.round(limits.sessionIdleMs / 60_000)} minutes unused.`);
    }
    const transport: NodeStreamableHTTPServerTransport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void sessions.set(id, { transport, principal: principal.key, lastUsed: Date.now() }),
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    const server = createMcpServer(engine, principal.actor, options, log, { era: 'legacy' });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  };

  app.use('/mcp', cors);
  app.options('/mcp', origin, preflight);
  app.post('/mcp', origin, auth, size, raw, json, slackIdentity, async (req: WithRaw, res: Response) => {
    try {
      if (req.body === undefined) return rpcError(res, 400, INVALID_REQUEST, 'The request body is empty: send a JSON-RPC message.');
      if (typeof req.headers['mcp-session-id'] === 'string') {
        const s = existing(req, res);
        if (s) await cached(req, res, () => s.transport.handleRequest(req, res, req.body));
      } else {
        // A repeat is known by its bytes and headers, so it is looked up before the era is worked out.
        await cached(req, res, async () => ((await isLegacyRequest(classifiable(req), req.body)) ? openSession(req, res) : modernNode(req, res, req.body)));
      }
    } catch (e) {
      log.error('MCP HTTP request failed', { error: e });
      if (!res.headersSent) rpcError(res, 500, INTERNAL_ERROR, 'Internal error in cloudlink.');
    }
  });
  const onSession = async (req: WithRaw, res: Response) => {
    // Slack names its user in the body, and a GET or DELETE has none: it cannot say whose session it is.
    if (req.pending?.slack) {
      if (!slackSignatureValid(opts.slack!.signingSecret, req.pending.slack.timestamp, Buffer.alloc(0), req.pending.slack.signature)) return challenge(res, 401, 'invalid_token', 'The Slack signature does not match this request.');
      res.setHeader('Allow', 'POST');
      return rpcError(res, 405, SERVER_ERROR, 'Slack identity requests are POSTs: the Slack user they act for is in the body.');
    }
    if (typeof req.headers['mcp-session-id'] !== 'string') return rpcError(res, 400, INVALID_REQUEST, 'Missing MCP session id.');
    const s = existing(req, res);
    if (s) await s.transport.handleRequest(req, res);
  };
  app.get('/mcp', origin, auth, onSession);
  app.delete('/mcp', origin, auth, onSession);
  app.all('/mcp', (_req: Request, res: Response) => {
    res.setHeader('Allow', 'GET, POST, DELETE, OPTIONS');
    rpcError(res, 405, INVALID_REQUEST, 'The MCP endpoint takes POST (messages), GET (a session\'s event stream) and DELETE (ending a session).');
  });

  app.use((_req: Request, res: Response) => rpcError(res, 404, INVALID_REQUEST, 'Not found: the MCP endpoint is POST /mcp.'));
  // Body-parser failures carry the raw body: answer with what went wrong, log only what kind of failure it was.
  app.use((err: { type?: string; status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    if (err?.type === 'entity.parse.failed') return rpcError(res, 400, PARSE_ERROR, 'Parse error: the request body is not valid JSON.');
    if (err?.type === 'entity.too.large') return rpcError(res, 413, INVALID_REQUEST, `The request body is larger than ${limits.maxBodyBytes} bytes, the most this server accepts.`);
    if (err?.status && err.status >= 400 && err.status < 500) return rpcError(res, err.status, INVALID_REQUEST, 'The request could not be read.');
    log.error('MCP HTTP request failed', { kind: err?.type ?? 'unknown' });
    if (!res.headersSent) rpcError(res, 500, INTERNAL_ERROR, 'Internal error in cloudlink.');
  });

  const reaper = setInterval(() => {
    const cutoff = Date.now() - limits.sessionIdleMs;
    for (const [id, s] of sessions) {
      if (s.lastUsed >= cutoff) continue;
      sessions.delete(id);
      void s.transport.close().catch(() => undefined);
    }
  }, Math.min(60_000, Math.max(1000, limits.sessionIdleMs / 4)));
  reaper.unref();
  return {
    app,
    sessions,
    answers,
    stop: async () => {
      clearInterval(reaper);
      answers.close();
      await modern.close().catch(() => undefined);
    },
  };
}

/** Slack identity auth needs the signing secret and the workspaces that are ours; roles as /cloud gives them. */
async function slackIdentityFrom(config: Config, log: Logger): Promise<SlackIdentityAuth | undefined> {
  if (!config.SLACK_SIGNING_SECRET || !config.CLOUDLINK_MCP_SLACK_TEAMS.length) return undefined;
  const { actorResolver } = await import('../slack/deps.js');
  const resolve = actorResolver(config, log);
  let client: import('@slack/web-api').WebClient | undefined;
  const webClient = async () => {
    if (client) return client;
    const [{ WebClient }, { slackLogger }] = await Promise.all([import('@slack/web-api'), import('../slack/logger.js')]);
    return (client = new WebClient(config.SLACK_BOT_TOKEN, { ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}), logger: slackLogger(config, log) }));
  };
  return { signingSecret: config.SLACK_SIGNING_SECRET, teams: config.CLOUDLINK_MCP_SLACK_TEAMS, actorFor: async (userId) => resolve(userId, await webClient()) };
}

/** The bearer tokens, by the actor each stands for (the console's own is `local-assistant`): never the tokens. */
function tokensLine(tokens: TokenGrant[]): string {
  if (!tokens.length) return '';
  const actors = tokens.slice(0, 5).map((t) => t.actor);
  return `${tokens.length} bearer token${tokens.length === 1 ? '' : 's'} (${actors.join(', ')}${tokens.length > 5 ? ', …' : ''})`;
}

export async function startMcpHttp(config: Config, engine: Engine, log: Logger, port = config.CLOUDLINK_MCP_HTTP_PORT ?? 0) {
  const slack = await slackIdentityFrom(config, log);
  const oauth: OAuthSettings | undefined = config.CLOUDLINK_MCP_OAUTH_ISSUER
    ? { issuer: config.CLOUDLINK_MCP_OAUTH_ISSUER, resource: config.CLOUDLINK_MCP_RESOURCE_URL ?? '', ...(config.CLOUDLINK_MCP_OAUTH_JWKS_URL ? { jwksUrl: config.CLOUDLINK_MCP_OAUTH_JWKS_URL } : {}) }
    : undefined;
  if (!config.CLOUDLINK_MCP_TOKENS.length && !oauth && !slack) {
    log.warn('MCP HTTP has no tokens configured (CLOUDLINK_MCP_TOKENS), no OAuth issuer and no Slack identity auth: every request will be refused with 401');
  }
  const confirmations = new Confirmations(config.CLOUDLINK_MCP_STATE_KEY ?? undefined, config.CLOUDLINK_MCP_CONFIRM_TTL_SECONDS);
  if (!config.CLOUDLINK_MCP_STATE_KEY) log.info('CLOUDLINK_MCP_STATE_KEY is not set: this instance signs its own confirmations (set the same key on every instance behind a load balancer)');
  const { app, sessions, stop } = createMcpHttpApp(
    engine,
    {
      tokens: config.CLOUDLINK_MCP_TOKENS,
      host: config.CLOUDLINK_MCP_HOST,
      allowedHosts: config.CLOUDLINK_MCP_ALLOWED_HOSTS,
      allowedOrigins: config.CLOUDLINK_MCP_ALLOWED_ORIGINS,
      options: { readOnly: config.CLOUDLINK_MCP_READ_ONLY, requireElicitation: config.CLOUDLINK_MCP_REQUIRE_ELICITATION, typedConfirmation: config.CLOUDLINK_MCP_TYPED_CONFIRMATION, confirmations },
      limits: { maxBodyBytes: config.CLOUDLINK_MCP_MAX_BODY_KB * 1024, sessionsPerToken: config.CLOUDLINK_MCP_SESSIONS_PER_TOKEN, sessionIdleMs: config.CLOUDLINK_MCP_SESSION_IDLE_MINUTES * 60_000, answerCacheBytes: config.CLOUDLINK_MCP_ANSWER_CACHE_MB * 1_048_576 },
      ...(oauth ? { oauth } : {}),
      ...(slack ? { slack } : {}),
    },
    log,
  );
  const server: Server = await listen(app, port, config.CLOUDLINK_MCP_HOST, { what: 'MCP over HTTP', portVariable: 'CLOUDLINK_MCP_HTTP_PORT', hostVariable: 'CLOUDLINK_MCP_HOST', canBeOff: true });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}/mcp`;
  // The resource's identifier is its public URL: configured behind a proxy, or where it listens.
  if (oauth && !oauth.resource) oauth.resource = url;
  return {
    url,
    port: addr.port,
    sessions,
    /** The answer cache's budget, for the start-up summary. */
    answerCache: config.CLOUDLINK_MCP_ANSWER_CACHE_MB ? `answer cache ${config.CLOUDLINK_MCP_ANSWER_CACHE_MB} MB` : 'answer cache off',
    /** What the HTTP endpoint accepts, for the start-up summary. */
    auth: [tokensLine(config.CLOUDLINK_MCP_TOKENS), oauth ? `OAuth tokens from ${oauth.issuer}` : '', slack ? 'Slack identity' : ''].filter(Boolean).join(', ') || 'no credentials',
    async stop() {
      await stop();
      await Promise.allSettled([...sessions.values()].map((s) => s.transport.close()));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export { SCOPES };
