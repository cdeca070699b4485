import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Engine } from '../engine/index.js';
import { TEMPLATE_FILES, templateBody } from '../engine/aws/templates.js';
import type { Actor } from '../engine/schemas.js';
import type { Logger } from '../log.js';
import { auditLogTool, deleteAccountTool, getAccountTool, listAccountsTool, renameAccountTool } from './tools/accounts.js';
import { checkAccountTool, listConfigurationErrorsTool } from './tools/health.js';
import { inviteColleagueTool, listInvitesTool, revokeInviteTool } from './tools/invites.js';
import { completeAwsSetupTool, getSetupStatusTool, startAwsSetupTool, startEksSetupTool } from './tools/setups.js';
import { microsoftTools } from './tools/microsoft.js';
import { errorResult, okResult, type McpOptions, type ToolDef } from './tool.js';

export const ALL_TOOLS: ToolDef[] = [
  listAccountsTool,
  getAccountTool,
  startAwsSetupTool,
  startEksSetupTool,
  completeAwsSetupTool,
  getSetupStatusTool,
  renameAccountTool,
  deleteAccountTool,
  inviteColleagueTool,
  listInvitesTool,
  revokeInviteTool,
  checkAccountTool,
  listConfigurationErrorsTool,
  auditLogTool,
  ...microsoftTools,
];

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

  for (const tool of ALL_TOOLS) {
    if (options.readOnly && !tool.annotations.readOnlyHint) continue;
    server.registerTool(
      tool.name,
      { title: tool.title, description: tool.description, inputSchema: tool.input, outputSchema: tool.output, annotations: { title: tool.title, ...tool.annotations } },
      async (input: unknown) => {
        try {
          return okResult(await tool.run({ engine, actor: actor(), server, options }, input as never));
        } catch (e) {
          return errorResult(e, log, tool.name);
        }
      },
    );
  }

  for (const [key, file] of Object.entries(TEMPLATE_FILES)) {
    server.registerResource(
      `template-${key}`,
      `cloudlink://templates/${file}`,
      { title: file, description: `The CloudFormation template cloudlink hands out (${key}).`, mimeType: 'application/yaml' },
      async (uri) => ({ contents: [{ uri: uri.href, mimeType: 'application/yaml', text: await templateBody(key as keyof typeof TEMPLATE_FILES) }] }),
    );
  }
  server.registerResource(
    'account-audit',
    new ResourceTemplate('cloudlink://accounts/{account}/audit', { list: undefined }),
    { title: 'Audit log of an account', description: 'Every change to one account (name or id), newest first, as JSON.', mimeType: 'application/json' },
    async (uri, vars) => {
      const entries = await engine.listAudit(actor(), { account: decodeURIComponent(String(vars.account)), limit: 500 });
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(entries.entries) }] };
    },
  );
  return server;
}
