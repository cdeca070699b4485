import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Config } from '../config.js';
import type { Engine } from '../engine/engine.js';
import type { Logger } from '../log.js';
import { protectedResourceMetadata, type OAuthSettings } from '../mcp/auth.js';
import { ApiAuthError, authenticator, mayRead, mayWrite, type ApiCaller, type Authenticate, type TokenGrant } from './auth.js';
import { sendError, sendFailure } from './errors.js';
import { openApiDocument } from './openapi.js';
import { apiRoutes, inputFromQuery, type Route } from './routes.js';
import { listen } from '../listen.js';

type WithCaller = Request & { caller?: ApiCaller };

export type ApiOptions = { authenticate: Authenticate; log: Logger; maxBodyBytes: number; serverUrl: () => string; version: string; oauth?: OAuthSettings };

/** `Link: <…>; rel="next"` for a GET list page that has more after it (`total` and `offset` in its result). */
function nextLink(req: Request, out: unknown): string | undefined {
  const o = out as { total?: unknown; offset?: unknown } & Record<string, unknown>;
  if (typeof o?.total !== 'number' || typeof o.offset !== 'number') return undefined;
  const page = Object.values(o).find(Array.isArray) as unknown[] | undefined;
  const next = o.offset + (page?.length ?? 0);
  if (!page?.length || next >= o.total) return undefined;
  const url = new URL(req.originalUrl, 'http://x');
  url.searchParams.set('offset', String(next));
  return `<${url.pathname}${url.search}>; rel="next"`;
}

/**
 * The REST API: a route per operation (routes.ts), each checked in this order before its body is
 * read: the bearer token, the scope its method needs, the declared body size; then the operation runs
 * through the engine like any front end's (input parsed by its zod schema, permission, use case).
 * Every answer is JSON; nothing is cached (`Cache-Control: no-store`: some answers are credentials).
 */
export function createApiApp(engine: Engine, opts: ApiOptions) {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use((_req, res, next) => {
    res.setHeader('cache-control', 'no-store');
    next();
  });
  const challenge = (res: Response, e: ApiAuthError) => {
    const params = [opts.oauth ? `resource_metadata="${opts.serverUrl()}/.well-known/oauth-protected-resource"` : 'realm="cloudlink"', ...(e.oauthError ? [`error="${e.oauthError}"`] : []), ...(e.scope ? [`scope="${e.scope}"`] : [])];
    if (e.status !== 503) res.setHeader('WWW-Authenticate', `Bearer ${params.join(', ')}`);
    sendError(res, e.status, e.status === 403 ? 'FORBIDDEN' : e.status === 503 ? 'AUTH_UNAVAILABLE' : 'UNAUTHORIZED', e.message);
  };

  let doc: ReturnType<typeof openApiDocument> | undefined;
  app.get('/openapi.json', (_req, res) => void res.json((doc ??= openApiDocument(engine, { serverUrl: opts.serverUrl(), version: opts.version }))));
  if (opts.oauth) {
    const oauth = opts.oauth;
    app.get('/.well-known/oauth-protected-resource', (_req, res) => void res.json(protectedResourceMetadata(oauth)));
  }

  const auth = (route: Route) => async (req: WithCaller, res: Response, next: NextFunction) => {
    try {
      const caller = await opts.authenticate(req.headers.authorization);
      const allowed = route.scope === 'read' ? mayRead(caller.scopes) : mayWrite(caller.scopes);
      if (!allowed) throw new ApiAuthError(`${route.def.name} ${route.scope === 'read' ? 'reads' : 'changes'} cloudlink: the access token needs the cloudlink:${route.scope} scope.`, 403, 'insufficient_scope', route.scope === 'read' ? 'cloudlink:read' : 'cloudlink:read cloudlink:write');
      req.caller = caller;
      next();
    } catch (e) {
      if (e instanceof ApiAuthError) {
        opts.log.info('REST API request refused', { route: route.path, status: e.status });
        return challenge(res, e);
      }
      next(e);
    }
  };
  // Not strict: any JSON is read, so a body that is JSON but not an object (null, "x", 5) is told so below.
  const json = express.json({ limit: opts.maxBodyBytes, type: () => true, strict: false });
  const body = (req: Request, res: Response, next: NextFunction) => {
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > opts.maxBodyBytes) return sendError(res, 413, 'TOO_LARGE', `The request body is ${length} bytes; this API accepts at most ${opts.maxBodyBytes}.`);
    const type = req.headers['content-type'];
    if ((length > 0 || req.headers['transfer-encoding']) && !/^application\/json\b/i.test(type ?? '')) return sendError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the input as JSON (Content-Type: application/json).');
    return json(req, res, next);
  };

  for (const route of apiRoutes(engine)) {
    const run = async (req: WithCaller, res: Response) => {
      let input: unknown;
      try {
        // No body at all is an empty input; a body of `null` is not.
        input = route.method === 'get' ? inputFromQuery(route.def, req.query as Record<string, unknown>) : req.body === undefined ? {} : req.body;
      } catch (e) {
        return sendFailure(res, e, opts.log, route.def.name);
      }
      if (!input || typeof input !== 'object' || Array.isArray(input)) return sendError(res, 400, 'INVALID_INPUT', 'The request body must be a JSON object with the operation\'s fields (see /openapi.json).');
      try {
        const out = await engine.run(route.def, req.caller!.actor, input);
        const link = route.method === 'get' ? nextLink(req, out) : undefined;
        if (link) res.setHeader('link', link);
        res.json(out);
      } catch (e) {
        sendFailure(res, e, opts.log, route.def.name);
      }
    };
    if (route.method === 'get') app.get(route.path, auth(route), run);
    else app.post(route.path, auth(route), body, run);
    app.all(route.path, (_req, res) => {
      res.setHeader('allow', route.method.toUpperCase());
      sendError(res, 405, 'METHOD_NOT_ALLOWED', `${route.path} takes ${route.method.toUpperCase()} (${route.method === 'get' ? 'input in the query string' : 'a JSON body'}).`);
    });
  }

  app.use((req, res) => sendError(res, 404, 'NOT_FOUND', `There is no route ${req.method} ${req.path.slice(0, 200)}. The routes are listed in /openapi.json.`));
  // Body parsing failures (bad JSON, too large) and anything else, as JSON: never an HTML page or a stack.
  app.use((e: { type?: string; status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    if (e?.type === 'entity.too.large') return sendError(res, 413, 'TOO_LARGE', `The request body is larger than this API accepts (${opts.maxBodyBytes} bytes).`);
    if (e?.type === 'entity.parse.failed') return sendError(res, 400, 'INVALID_INPUT', 'The request body is not valid JSON.');
    sendFailure(res, e, opts.log, 'request');
  });
  return app;
}

/** The API's own listener (CLOUDLINK_API_HOST:CLOUDLINK_API_PORT), started and stopped by composeService. */
export async function startApiServer(config: Config, engine: Engine, log: Logger, port: number, extra: { version?: string } = {}) {
  let url = '';
  // The API is a protected resource of its own (RFC 9728): its metadata names its own URL, which a client
  // checks against the URL it called, so its tokens carry that URL as their audience, not /mcp's.
  const oauth: OAuthSettings | undefined = config.CLOUDLINK_MCP_OAUTH_ISSUER
    ? { issuer: config.CLOUDLINK_MCP_OAUTH_ISSUER, resource: config.CLOUDLINK_API_RESOURCE_URL ?? '', ...(config.CLOUDLINK_MCP_OAUTH_JWKS_URL ? { jwksUrl: config.CLOUDLINK_MCP_OAUTH_JWKS_URL } : {}) }
    : undefined;
  const tokens: TokenGrant[] = config.CLOUDLINK_API_TOKENS;
  if (!tokens.length && !oauth) log.warn('The REST API has no tokens (CLOUDLINK_API_TOKENS) and no OAuth issuer (CLOUDLINK_MCP_OAUTH_ISSUER): every request will be refused with 401');
  const app = createApiApp(engine, {
    authenticate: authenticator({ tokens, ...(oauth ? { oauth } : {}) }),
    log,
    maxBodyBytes: config.CLOUDLINK_API_MAX_BODY_KB * 1024,
    serverUrl: () => config.CLOUDLINK_API_RESOURCE_URL?.replace(/\/$/, '') ?? url,
    version: extra.version ?? '1',
    ...(oauth ? { oauth } : {}),
  });
  const server: Server = await listen(app, port, config.CLOUDLINK_API_HOST, { what: 'The REST API', portVariable: 'CLOUDLINK_API_PORT', hostVariable: 'CLOUDLINK_API_HOST', canBeOff: true });
  const addr = server.address() as AddressInfo;
  url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  // Tokens for this API carry its URL as their audience, unless CLOUDLINK_API_RESOURCE_URL names its public one.
  if (oauth && !oauth.resource) {
    oauth.resource = url;
    // Behind a proxy or on every interface, the URL it listens on is not the one clients use; and a
    // deployment whose API took /mcp's tokens (before it was a resource of its own) needs telling.
    if (config.CLOUDLINK_MCP_RESOURCE_URL || !['127.0.0.1', 'localhost', '::1'].includes(config.CLOUDLINK_API_HOST)) {
      log.warn(`The REST API accepts OAuth access tokens for its own URL only (aud ${url}), not /mcp's. Set CLOUDLINK_API_RESOURCE_URL to the API's public URL, and have clients ask for tokens for it.`);
    }
  }
  return {
    url,
    port: addr.port,
    auth: [tokens.length ? `${tokens.length} bearer token${tokens.length === 1 ? '' : 's'}` : '', oauth ? `OAuth tokens from ${oauth.issuer}` : ''].filter(Boolean).join(', ') || 'no credentials',
    /** Stops taking requests and lets those under way finish (the service waited for the engine's first); idle keep-alives close at once. */
    async stop() {
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      const late = setTimeout(() => server.closeAllConnections(), 5000);
      late.unref();
      await closed;
      clearTimeout(late);
    },
  };
}
