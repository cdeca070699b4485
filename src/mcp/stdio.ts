import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { buildEngine } from '../app.js';
import type { Config } from '../config.js';
import { createLogger } from '../log.js';
import { createMcpServer } from './server.js';
import type { McpOptions } from './tool.js';

/** stdio: what desktop assistants spawn. stdout carries only the protocol; logs go to stderr. */
export async function runStdio(config: Config, options: McpOptions) {
  const log = createLogger({ level: config.CLOUDLINK_LOG_LEVEL });
  const engine = await buildEngine(config, { log });
  const server = createMcpServer(engine, { id: config.CLOUDLINK_MCP_ACTOR, name: config.CLOUDLINK_MCP_ACTOR, via: 'mcp', role: config.CLOUDLINK_MCP_ROLE }, options, log);
  await server.connect(new StdioServerTransport());
  log.info('cloudlink MCP server on stdio', { readOnly: options.readOnly, requireElicitation: options.requireElicitation, store: engine.ctx.store.location });
  const close = async () => {
    await server.close().catch(() => undefined);
    process.exit(0);
  };
  process.stdin.once('end', () => void close());
  process.once('SIGTERM', () => void close());
}
