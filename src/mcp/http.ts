import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { InvalidTokenError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { hostHeaderValidation, localhostHostValidation } from '@modelcontextprotocol/sdk/server/middleware/hostHeaderValidation.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Config } from '../config.js';
import type { Engine } from '../engine/engine.js';
import type { Logger } from '../log.js';
import { createMcpServer } from './server.js';
import type { McpOptions } from './options.js';

export type TokenGrant = { token: string; actor: string; role: 'admin' | 'member'; slackUser?: string };
type Session = { transport: StreamableHTTPServerTransport; token: string; lastUsed: number };

export type HttpLimits = {
  /** Request bodies larger than this are refused from their Content-Length, before they are read. */
  maxBodyBytes: number;
  /** Open sessions one token may hold at once. */
  sessionsPerToken: number;
  /** A session unused for this long is closed. */
  sessionIdleMs: number;
};

export const DEFAULT_LIMITS: HttpLimits = { maxBodyBytes: 1_048_576, sessionsPerToken: 20, sessionIdleMs: 30 * 60_000 };

const DAY_S = 86_400;
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

const sameToken = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** JSON-RPC's own error codes, answered in JSON for every refusal (never an HTML page). */
const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;
const INTERNAL_ERROR = -32603;
const SERVER_ERROR = -32000;
const rpcError = (res: Response, status: number, code: number, message: string) => void res.status(status).json({ jsonrpc: '2.0', error: { code, message }, id: null });

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

/**
 * Streamable HTTP on /mcp for remote assistants. In order, before any body is read: the Host header
 * (DNS rebinding), the Origin header (MCP's MUST), the bearer token, the declared body size; then the
 * body is parsed, and every failure is answered as JSON-RPC in JSON. Request bodies are never logged.
 * Each token holds its own capped set of sessions; idle ones are closed.
 */
export function createMcpHttpApp(
  engine: Engine,
  opts: { tokens: TokenGrant[]; host: string; allowedHosts?: string[]; allowedOrigins?: string[]; options: McpOptions; limits?: Partial<HttpLimits> },
  log: Logger,
) {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  const sessions = new Map<string, Session>();

  if (opts.allowedHosts?.length) app.use(hostHeaderValidation(opts.allowedHosts));
  else if (['127.0.0.1', 'localhost', '::1'].includes(opts.host)) app.use(localhostHostValidation());

  const origin = (req: Request, res: Response, next: NextFunction) => {
    const value = req.headers.origin;
    if (value === undefined || originAllowed(value, opts.allowedOrigins ?? [])) return next();
    log.warn('MCP HTTP request refused: origin not allowed', { origin: value.slice(0, 200) });
    rpcError(res, 403, SERVER_ERROR, `Requests from the web origin ${value.slice(0, 100)} are not allowed. Set CLOUDLINK_MCP_ALLOWED_ORIGINS to allow a page to call cloudlink.`);
  };

  const auth = requireBearerAuth({
    verifier: {
      async verifyAccessToken(token: string) {
        const grant = opts.tokens.find((g) => sameToken(g.token, token));
        if (!grant) throw new InvalidTokenError('The bearer token is not valid for this cloudlink server. Check the token in your MCP client configuration.');
        // Tokens from configuration do not expire; the middleware wants a time, so give it a day ahead.
        return { token, clientId: grant.actor, scopes: [grant.role], expiresAt: Math.floor(Date.now() / 1000) + DAY_S };
      },
    },
  });

  const size = (req: Request, res: Response, next: NextFunction) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limits.maxBodyBytes) return rpcError(res, 413, INVALID_REQUEST, `The request body is ${declared} bytes; this server accepts at most ${limits.maxBodyBytes}.`);
    next();
  };
  const body = express.json({ limit: limits.maxBodyBytes, type: () => true });

  const existing = (req: Request, res: Response): Session | undefined => {
    const sid = req.headers['mcp-session-id'];
    if (typeof sid !== 'string') return undefined;
    const s = sessions.get(sid);
    if (!s) {
      rpcError(res, 404, SERVER_ERROR, 'Unknown or expired MCP session: initialize a new one.');
      return undefined;
    }
    if (!sameToken(s.token, req.auth!.token)) {
      rpcError(res, 403, SERVER_ERROR, 'This MCP session belongs to another token.');
      return undefined;
    }
    s.lastUsed = Date.now();
    return s;
  };

  const held = (token: string) => [...sessions.values()].filter((s) => sameToken(s.token, token)).length;

  app.post('/mcp', origin, auth, size, body, async (req: Request, res: Response) => {
    try {
      if (typeof req.headers['mcp-session-id'] === 'string') {
        const s = existing(req, res);
        if (s) await s.transport.handleRequest(req, res, req.body);
        return;
      }
      if (!isInitializeRequest(req.body)) return rpcError(res, 400, INVALID_REQUEST, 'Start with an initialize request (no MCP session id was given).');
      const grant = opts.tokens.find((g) => sameToken(g.token, req.auth!.token))!;
      if (held(grant.token) >= limits.sessionsPerToken) {
        return rpcError(res, 429, SERVER_ERROR, `This token already holds ${limits.sessionsPerToken} open MCP sessions, the most one token may. Close one (an HTTP DELETE on /mcp with its Mcp-Session-Id) or wait: sessions close after ${Math.round(limits.sessionIdleMs / 60_000)} minutes unused.`);
      }
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => void sessions.set(id, { transport, token: grant.token, lastUsed: Date.now() }),
      });
      transport.onclose = () => {
        if (transport.sessionId) sessions.delete(transport.sessionId);
      };
      const actor = { id: grant.actor, name: grant.actor, via: 'mcp' as const, role: grant.role, ...(grant.slackUser ? { reach: { channel: 'slack' as const, id: grant.slackUser } } : {}) };
      const server = createMcpServer(engine, actor, opts.options, log);
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    } catch (e) {
      log.error('MCP HTTP request failed', { error: e });
      if (!res.headersSent) rpcError(res, 500, INTERNAL_ERROR, 'Internal error in cloudlink.');
    }
  });
  const onSession = async (req: Request, res: Response) => {
    if (typeof req.headers['mcp-session-id'] !== 'string') return rpcError(res, 400, INVALID_REQUEST, 'Missing MCP session id.');
    const s = existing(req, res);
    if (s) await s.transport.handleRequest(req, res);
  };
  app.get('/mcp', origin, auth, onSession);
  app.delete('/mcp', origin, auth, onSession);

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
  return { app, sessions, stop: () => clearInterval(reaper) };
}

export async function startMcpHttp(config: Config, engine: Engine, log: Logger, port = config.CLOUDLINK_MCP_HTTP_PORT ?? 0) {
  if (!config.CLOUDLINK_MCP_TOKENS.length) {
    log.warn('MCP HTTP has no tokens configured (CLOUDLINK_MCP_TOKENS): every request will be refused with 401');
  }
  const { app, sessions, stop } = createMcpHttpApp(
    engine,
    {
      tokens: config.CLOUDLINK_MCP_TOKENS,
      host: config.CLOUDLINK_MCP_HOST,
      allowedHosts: config.CLOUDLINK_MCP_ALLOWED_HOSTS,
      allowedOrigins: config.CLOUDLINK_MCP_ALLOWED_ORIGINS,
      options: { readOnly: config.CLOUDLINK_MCP_READ_ONLY, requireElicitation: config.CLOUDLINK_MCP_REQUIRE_ELICITATION, typedConfirmation: config.CLOUDLINK_MCP_TYPED_CONFIRMATION },
      limits: { maxBodyBytes: config.CLOUDLINK_MCP_MAX_BODY_KB * 1024, sessionsPerToken: config.CLOUDLINK_MCP_SESSIONS_PER_TOKEN, sessionIdleMs: config.CLOUDLINK_MCP_SESSION_IDLE_MINUTES * 60_000 },
    },
    log,
  );
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, config.CLOUDLINK_MCP_HOST, () => resolve(s));
    s.on('error', reject);
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}/mcp`,
    port: addr.port,
    sessions,
    async stop() {
      stop();
      await Promise.allSettled([...sessions.values()].map((s) => s.transport.close()));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
