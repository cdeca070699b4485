import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { composeEngine } from '../compose.js';
import type { Config } from '../config.js';
import { createMcpServer } from './server.js';
import type { McpOptions } from './options.js';

/**
 * stdio: what desktop assistants spawn. stdout carries only the protocol; logs go to stderr. It
 * delivers no notifications itself: what it writes to the outbox, the service delivers.
 */
export async function runStdio(config: Config, options: McpOptions) {
  const { engine, log } = await composeEngine(config, { deliver: false });
  const reach = config.CLOUDLINK_MCP_SLACK_USER ? { reach: { channel: 'slack' as const, id: config.CLOUDLINK_MCP_SLACK_USER } } : {};
  const server = createMcpServer(engine, { id: config.CLOUDLINK_MCP_ACTOR, name: config.CLOUDLINK_MCP_ACTOR, via: 'mcp', role: config.CLOUDLINK_MCP_ROLE, ...reach }, options, log);
  await server.connect(new StdioServerTransport());
  const store = await engine.describeStore();
  log.info('cloudlink MCP server on stdio', { readOnly: options.readOnly, requireElicitation: options.requireElicitation, store: store.location });
  const close = async () => {
    await server.close().catch(() => undefined);
    process.exit(0);
  };
  process.stdin.once('end', () => void close());
  process.once('SIGTERM', () => void close());
}
