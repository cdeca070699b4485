import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { InvalidTokenError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Request, Response } from 'express';
import type { Config } from '../config.js';
import type { Engine } from '../engine/engine.js';
import type { Logger } from '../log.js';
import { createMcpServer } from './server.js';
import type { McpOptions } from './options.js';

export type TokenGrant = { token: string; actor: string; role: 'admin' | 'member'; slackUser?: string };
type Session = { transport: StreamableHTTPServerTransport; token: string; lastUsed: number };

const MAX_SESSIONS = 200;
const DAY_S = 86_400;

const sameToken = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Streamable HTTP on /mcp for remote assistants: bearer tokens (each one an actor for the audit log),
 * Host-header checks against DNS rebinding, one MCP session per initialize, bound to its token.
 */
export function createMcpHttpApp(engine: Engine, opts: { tokens: TokenGrant[]; host: string; allowedHosts?: string[]; options: McpOptions }, log: Logger) {
  const app = createMcpExpressApp({ host: opts.host, ...(opts.allowedHosts?.length ? { allowedHosts: opts.allowedHosts } : {}) });
  const sessions = new Map<string, Session>();

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

  const rpcError = (res: Response, status: number, message: string) => res.status(status).json({ jsonrpc: '2.0', error: { code: -32000, message }, id: null });

  const existing = (req: Request, res: Response): Session | undefined => {
    const sid = req.headers['mcp-session-id'];
    if (typeof sid !== 'string') return undefined;
    const s = sessions.get(sid);
    if (!s) {
      rpcError(res, 404, 'Unknown or expired MCP session: initialize a new one.');
      return undefined;
    }
    if (!sameToken(s.token, req.auth!.token)) {
      rpcError(res, 403, 'This MCP session belongs to another token.');
      return undefined;
    }
    s.lastUsed = Date.now();
    return s;
  };

  app.post('/mcp', auth, async (req: Request, res: Response) => {
    try {
      if (typeof req.headers['mcp-session-id'] === 'string') {
        const s = existing(req, res);
        if (s) await s.transport.handleRequest(req, res, req.body);
        return;
      }
      if (!isInitializeRequest(req.body)) return void rpcError(res, 400, 'Start with an initialize request (no MCP session id was given).');
      const grant = opts.tokens.find((g) => sameToken(g.token, req.auth!.token))!;
      if (sessions.size >= MAX_SESSIONS) {
        const oldest = [...sessions.entries()].sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0]!;
        await oldest[1].transport.close().catch(() => undefined);
        sessions.delete(oldest[0]);
      }
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => void sessions.set(id, { transport, token: grant.token, lastUsed: Date.now() }),
      });
      transport.onclose = () => {
        if (transport.sessionId) sessions.delete(transport.sessionId);
      };
      const server = createMcpServer(engine, { id: grant.actor, name: grant.actor, via: 'mcp', role: grant.role, ...(grant.slackUser ? { reach: { channel: 'slack', id: grant.slackUser } } : {}) }, opts.options, log);
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    } catch (e) {
      log.error('MCP HTTP request failed', { error: e });
      if (!res.headersSent) rpcError(res, 500, 'Internal error in cloudlink.');
    }
  });
  const onSession = async (req: Request, res: Response) => {
    if (typeof req.headers['mcp-session-id'] !== 'string') return void rpcError(res, 400, 'Missing MCP session id.');
    const s = existing(req, res);
    if (s) await s.transport.handleRequest(req, res);
  };
  app.get('/mcp', auth, onSession);
  app.delete('/mcp', auth, onSession);
  return { app, sessions };
}

export async function startMcpHttp(config: Config, engine: Engine, log: Logger, port = config.CLOUDLINK_MCP_HTTP_PORT ?? 0) {
  if (!config.CLOUDLINK_MCP_TOKENS.length) {
    log.warn('MCP HTTP has no tokens configured (CLOUDLINK_MCP_TOKENS): every request will be refused with 401');
  }
  const { app, sessions } = createMcpHttpApp(
    engine,
    {
      tokens: config.CLOUDLINK_MCP_TOKENS,
      host: config.CLOUDLINK_MCP_HOST,
      allowedHosts: config.CLOUDLINK_MCP_ALLOWED_HOSTS,
      options: { readOnly: config.CLOUDLINK_MCP_READ_ONLY, requireElicitation: config.CLOUDLINK_MCP_REQUIRE_ELICITATION },
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
    async stop() {
      await Promise.allSettled([...sessions.values()].map((s) => s.transport.close()));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
