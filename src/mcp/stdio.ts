import { serveStdio, StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import type { Config } from '../config.js';
import type { Engine } from '../engine/engine.js';
import { FAMILIES } from '../engine/families/table.js';
import { allOperations } from '../engine/operations/index.js';
import { createLogger } from '../log.js';
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

/**
 * stdio: what desktop assistants spawn. stdout carries only the protocol; logs go to stderr. The
 * opening exchange picks the era (a 2025-11-25 `initialize`, or a 2026-07-28 request with its own
 * `_meta`), and one server instance serves the connection. It answers the opening and tools/list from
 * the operation registry while the rest (store, gateways) loads; a tool call waits for it. It
 * delivers no notifications itself: what it writes to the outbox, the service delivers.
 */
export async function runStdio(config: Config, options: McpOptions) {
  const log = createLogger({ level: config.CLOUDLINK_LOG_LEVEL });
  let composed: Promise<Engine> | undefined;
  const load = () =>
    (composed ??= import('../compose.js')
      .then(({ composeEngine }) => composeEngine(config, { deliver: false, log }))
      .then(async ({ engine }) => {
        const store = await engine.describeStore();
        log.info('cloudlink MCP server on stdio', { readOnly: options.readOnly, requireElicitation: options.requireElicitation, store: store.location });
        return engine;
      })
      .catch((e: unknown) => {
        // As when it failed before serving: one line on stderr, exit code 1 (a store it cannot open, a bad key).
        process.stderr.write(`cloudlink failed: ${(e as Error)?.message ?? e}\n`);
        process.exit(1);
      }));
  const engine = deferredEngine(load);
  const reach = config.CLOUDLINK_MCP_SLACK_USER ? { reach: { channel: 'slack' as const, id: config.CLOUDLINK_MCP_SLACK_USER } } : {};
  const actor = { id: config.CLOUDLINK_MCP_ACTOR, name: config.CLOUDLINK_MCP_ACTOR, via: 'mcp' as const, role: config.CLOUDLINK_MCP_ROLE, ...reach };
  const confirmations = options.confirmations ?? new Confirmations(config.CLOUDLINK_MCP_STATE_KEY ?? undefined, config.CLOUDLINK_MCP_CONFIRM_TTL_SECONDS);
  const { opening, ...rest } = options;
  const output = opening?.output ?? process.stdout;
  const handle = serveStdio(({ era }) => createMcpServer(engine, actor, { ...rest, confirmations }, log, { era }), {
    onerror: (e) => log.warn('MCP stdio error', { error: e }),
    transport: new StdioServerTransport(checkedLines(opening?.input ?? process.stdin, output, log), output),
  });
  // The rest loads right after the opening exchange has had its turn (or at the first call, if sooner).
  setTimeout(() => void load(), 30);
  const close = async () => {
    await handle.close().catch(() => undefined);
    process.exit(0);
  };
  process.stdin.once('end', () => void close());
  process.once('SIGTERM', () => void close());
}
