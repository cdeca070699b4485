import type { McpServer } from '@modelcontextprotocol/server';
import { serveStdio, StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { ConfigError, type Config } from '../config.js';
import type { Engine } from '../engine/engine.js';
import { CloudlinkError } from '../engine/errors.js';
import { FAMILIES } from '../engine/families/table.js';
import { allOperations } from '../engine/operations/index.js';
import { createLogger, type Logger } from '../log.js';
import { Confirmations } from './confirm.js';
import { createMcpServer } from './server.js';
import { checkedLines } from './stdio-lines.js';
import type { McpOptions } from './options.js';

/**
 * The engine as the MCP front end sees it before it has loaded: the operation registry (what the
 * tools are) at once, and the rest (the store, the gateways) from `load`, which every call awaits.
 */
function deferredEngine(load: () => Promise<Engine>): Engine {
  const operations = allOperations(FAMILIES);
  const byName = new Map(operations.map((o) => [o.name, o]));
  const facade: Partial<Engine> = {
    operations,
    families: FAMILIES,
    find: (name: string) => byName.get(name),
    run: (async (...args: Parameters<Engine['run']>) => (await load()).run(...args)) as Engine['run'],
    confirmation: (async (...args: Parameters<Engine['confirmation']>) => (await load()).confirmation(...args)) as Engine['confirmation'],
  };
  return new Proxy(facade, {
    get(target, key) {
      if (key in target) return target[key as keyof Engine];
      throw new Error(`engine.${String(key)} is used by the MCP front end before the engine has loaded`);
    },
  }) as Engine;
}

/** How long a failed load is the answer before a request may try again. */
export const RETRY_AFTER_MS = 5_000;

/** A failed load as the answer to a request: what is wrong and what to do (the store's own words), and that the server goes on. */
function unavailable(e: unknown, retryAfterMs: number): CloudlinkError {
  // Only words written for users reach the assistant; anything else (a driver's error, a path) stays in the log.
  const said = e instanceof ConfigError || e instanceof CloudlinkError ? e.message : 'cloudlink could not load its store and engine (the reason is in the server log, on stderr).';
  const code = e instanceof CloudlinkError && e.code.startsWith('STORE_') ? e.code : 'PLATFORM_NOT_CONFIGURED';
  return new CloudlinkError(
    code,
    `${said}\nThis MCP server keeps running and tries again at the next request (at most once every ${retryAfterMs / 1000} s): fix the above and ask again. If the fix is to a setting (an environment variable in the assistant's MCP configuration), restart the server from the assistant instead.`,
  );
}

/**
 * Loads the engine once for every request that needs it, and never ends the server when it cannot (a
 * store file that is not JSON, a read-only disk, a bad key file, PostgreSQL down or refusing the
 * URL): the assistant was told all is well by the opening, so the connection stays, tools/list still
 * answers, and each request that needs the engine is answered with the failure. Nothing retries by
 * itself: a request that comes `retryAfterMs` or more after the last attempt tries once more (the file
 * may have been restored, PostgreSQL started), so a client calling in a loop costs one attempt every
 * few seconds at most. Each distinct failure is logged once.
 */
export function engineLoader<T>(attempt: () => Promise<T>, log: Logger, opts: { retryAfterMs?: number; now?: () => number } = {}): () => Promise<T> {
  const retryAfterMs = opts.retryAfterMs ?? RETRY_AFTER_MS;
  const now = opts.now ?? Date.now;
  let current: Promise<T> | undefined;
  let failed: { error: CloudlinkError; at: number; said: string } | undefined;
  return (): Promise<T> => {
    if (current) return current;
    if (failed && now() - failed.at < retryAfterMs) return Promise.reject(failed.error);
    const again = failed;
    const p = attempt().then(
      (value) => {
        if (again) log.info('cloudlink MCP: the engine loaded after all; requests are served again');
        failed = undefined;
        return value;
      },
      (e: unknown) => {
        const said = (e as Error)?.message ?? String(e);
        if (said !== again?.said) log.error('cloudlink MCP: the engine cannot load; requests that need it are answered with this (the server keeps running)', { error: said });
        failed = { error: unavailable(e, retryAfterMs), at: now(), said };
        current = undefined;
        throw failed.error;
      },
    );
    current = p;
    return p;
  };
}

/**
 * Completions and prompts make do without an engine that cannot answer (a completion offers nothing,
 * a prompt says no account is in trouble: src/mcp/completions.ts, prompts.ts), so they wait for the
 * engine first: one that cannot load answers them with its failure, as it answers tool calls and
 * resource reads. The SDK's own handlers (reached through its protected accessor for registered
 * handlers) answer them otherwise.
 */
function afterLoad(server: McpServer, load: () => Promise<unknown>) {
  type Handler = (request: unknown, ctx: unknown) => Promise<unknown>;
  const low = server.server as unknown as { _getRequestHandler(method: string): Handler | undefined; setRequestHandler(method: string, handler: Handler): void };
  for (const method of ['completion/complete', 'prompts/get']) {
    const sdk = low._getRequestHandler(method);
    if (sdk) low.setRequestHandler(method, (request, ctx) => load().then(() => sdk(request, ctx)));
  }
}

/** The engine for a stdio server: one that does not deliver, on a store that is closed again if the rest fails (so a retry holds nothing twice). */
async function composeForStdio(config: Config, options: McpOptions, log: Logger): Promise<Engine> {
  const { composeEngine, storeFrom } = await import('../compose.js');
  const store = await storeFrom(config, log);
  try {
    const { engine } = await composeEngine(config, { deliver: false, log, store });
    const described = await engine.describeStore();
    log.info('cloudlink MCP server on stdio', { readOnly: options.readOnly, requireElicitation: options.requireElicitation, store: described.location });
    return engine;
  } catch (e) {
    await store.close?.().catch(() => undefined);
    throw e;
  }
}

/**
 * stdio: what desktop assistants spawn. stdout carries only the protocol; logs go to stderr. The
 * opening exchange picks the era (a 2025-11-25 `initialize`, or a 2026-07-28 request with its own
 * `_meta`), and one server instance serves the connection. It answers the opening and tools/list from
 * the operation registry while the rest (store, gateways) loads; a tool call waits for it. A rest that
 * cannot load does not end the server (engineLoader). It delivers no notifications itself: what it
 * writes to the outbox, the service delivers.
 */
export async function runStdio(config: Config, options: McpOptions) {
  const log = createLogger({ level: config.CLOUDLINK_LOG_LEVEL });
  const load = engineLoader(() => composeForStdio(config, options, log), log);
  const engine = deferredEngine(load);
  const reach = config.CLOUDLINK_MCP_SLACK_USER ? { reach: { channel: 'slack' as const, id: config.CLOUDLINK_MCP_SLACK_USER } } : {};
  const actor = { id: config.CLOUDLINK_MCP_ACTOR, name: config.CLOUDLINK_MCP_ACTOR, via: 'mcp' as const, role: config.CLOUDLINK_MCP_ROLE, ...reach };
  const confirmations = options.confirmations ?? new Confirmations(config.CLOUDLINK_MCP_STATE_KEY ?? undefined, config.CLOUDLINK_MCP_CONFIRM_TTL_SECONDS);
  const { opening, ...rest } = options;
  const output = opening?.output ?? process.stdout;
  const handle = serveStdio(
    ({ era }) => {
      const server = createMcpServer(engine, actor, { ...rest, confirmations }, log, { era });
      afterLoad(server, load);
      return server;
    },
    {
      onerror: (e) => log.warn('MCP stdio error', { error: e }),
      transport: new StdioServerTransport(checkedLines(opening?.input ?? process.stdin, output, log), output),
    },
  );
  // The rest loads right after the opening exchange has had its turn (or at the first call, if sooner);
  // a failure is logged by the loader and answered to the requests that need it.
  setTimeout(() => void load().catch(() => undefined), 30);
  const close = async () => {
    await handle.close().catch(() => undefined);
    process.exit(0);
  };
  process.stdin.once('end', () => void close());
  process.once('SIGTERM', () => void close());
}
