import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Engine } from '../engine/engine.js';
import { TEMPLATE_FILES, templateBody, type TemplateKey } from '../engine/families/aws-role/templates.js';
import { getAuditLog } from '../engine/operations/audit-log.js';
import type { Actor } from '../engine/domain/records.js';
import type { Logger } from '../log.js';
import type { McpOptions } from './options.js';
import { registerTools } from './tools.js';

export const VERSION = '0.1.0';

/** The MCP front end: one tool per engine operation, plus the templates and audit log as resources. */
export function createMcpServer(engine: Engine, baseActor: Actor, options: McpOptions, log: Logger): McpServer {
  const server = new McpServer(
    { name: 'cloudlink', title: 'cloudlink', version: VERSION },
    {
      capabilities: { logging: {} },
      instructions:
        'cloudlink links cloud accounts (AWS, EKS, Azure, Microsoft 365, Entra ID). Start a setup with a start_*_setup tool, give the user the link and steps, then finish it with the matching complete_* tool. Deleting needs the human to type the account name: never type it for them.',
    },
  );
  // The audit log names the assistant that acted, not just the configured actor.
  const actor = (): Actor => {
    const client = server.server.getClientVersion()?.name;
    return { ...baseActor, name: client ? `${baseActor.name ?? baseActor.id} via ${client}` : baseActor.name };
  };
  registerTools(server, engine, actor, options, log);

  for (const [key, file] of Object.entries(TEMPLATE_FILES)) {
    server.registerResource(
      `template-${key}`,
      `cloudlink://templates/${file}`,
      { title: file, description: `The CloudFormation template cloudlink hands out (${key}).`, mimeType: 'application/yaml' },
      async (uri) => ({ contents: [{ uri: uri.href, mimeType: 'application/yaml', text: await templateBody(key as TemplateKey) }] }),
    );
  }
  server.registerResource(
    'account-audit',
    new ResourceTemplate('cloudlink://accounts/{account}/audit', { list: undefined }),
    { title: 'Audit log of an account', description: 'Every change to one account (name or id), newest first, as JSON.', mimeType: 'application/json' },
    async (uri, vars) => {
      const out = await engine.run(getAuditLog, actor(), { account: decodeURIComponent(String(vars.account)), limit: 500 });
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(out.entries) }] };
    },
  );
  return server;
}
