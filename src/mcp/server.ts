import { CLIENT_INFO_META_KEY, isInputRequiredResult, McpServer, MissingRequiredClientCapabilityError, ResourceNotFoundError, ResourceTemplate, type ServerContext } from '@modelcontextprotocol/server';
import type { Engine } from '../engine/engine.js';
import { TEMPLATE_FILES, templateBody, type TemplateKey } from '../engine/families/aws-role/templates.js';
import { getAuditLog } from '../engine/operations/audit-log.js';
import { getSetupStatus } from '../engine/operations/setups.js';
import type { Actor } from '../engine/domain/records.js';
import { CloudlinkError } from '../engine/errors.js';
import type { Logger } from '../log.js';
import { principalOf } from './auth.js';
import { completions } from './completions.js';
import { CANNOT_ASK, clientCanAsk } from './confirm.js';
import type { Era, McpOptions } from './options.js';
import { registerPrompts } from './prompts.js';
import { registerTools, mcpOperations } from './tools.js';

export const VERSION = '0.1.0';

const INSTRUCTIONS =
  'cloudlink links cloud accounts (AWS, EKS, Azure, Microsoft 365, Entra ID). Start a setup with a start_*_setup tool, give the user the link and steps, then finish it with the matching complete_* tool. Deleting needs the human to type the account name: never type it for them.';

const EMPTY_COMPLETION = { completion: { values: [], total: 0, hasMore: false } };

/**
 * Wraps the handlers McpServer installs (at construction, before any is registered; the Server's own
 * per-era wrapping still applies to them). As SDK 1.x did, and as assistants read best, a call to a
 * tool this server does not have is a tool error the model can act on, and a completion for a prompt
 * or template it does not have offers nothing: both rather than a JSON-RPC error.
 */
function wrapHandlers(server: McpServer, era: Era, tools: Set<string>, refs: { prompts: Set<string>; templates: Set<string> }) {
  const low = server.server;
  const set = low.setRequestHandler.bind(low) as (method: string, handler: (req: { params: Record<string, unknown> }, ctx: ServerContext) => unknown) => void;
  (low as unknown as { setRequestHandler: (...args: unknown[]) => void }).setRequestHandler = (...args: unknown[]) => {
    const [method, handler] = args as [string, (req: { params: Record<string, unknown> }, ctx: ServerContext) => unknown];
    if (args.length !== 2) return (set as (...a: unknown[]) => void)(...args);
    if (method === 'tools/call' && typeof handler === 'function') {
      return set(method, async (req, ctx) => {
        const name = String(req.params?.name ?? '');
        if (!tools.has(name)) return { isError: true, content: [{ type: 'text', text: `cloudlink has no tool called "${name.slice(0, 100)}". List the tools (tools/list) and call one of those.` }] };
        const result = await handler(req, ctx);
        // A 2026-07-28 client that did not declare elicitation cannot be asked: -32021 (HTTP 400),
        // with where the person can confirm instead, rather than the SDK's generic wording.
        if (era === 'modern' && isInputRequiredResult(result) && !clientCanAsk(server, era, ctx)) {
          throw new MissingRequiredClientCapabilityError({ requiredCapabilities: { elicitation: {} } }, CANNOT_ASK);
        }
        return result;
      });
    }
    if (method === 'completion/complete' && typeof handler === 'function') {
      return set(method, (req, ctx) => {
        const ref = (req.params?.ref ?? {}) as { type?: string; name?: string; uri?: string };
        if ((ref.type === 'ref/prompt' && !refs.prompts.has(String(ref.name))) || (ref.type === 'ref/resource' && !refs.templates.has(String(ref.uri)))) return EMPTY_COMPLETION;
        return handler(req, ctx);
      });
    }
    return (set as (...a: unknown[]) => void)(...args);
  };
}

export type ServerExtras = {
  /** Which protocol era this instance serves (stdio and HTTP pick it per connection or request). */
  era?: Era;
  /**
   * What the one request this instance serves asks for (2026-07-28 requests name their method and
   * tool in the Mcp-Method and Mcp-Name headers, checked against the body): only that part is
   * registered. Absent: everything (a connection, or a request that may need it all).
   */
  request?: { method?: string; name?: string };
};

/** Which parts a request needs; anything not recognised gets them all. */
function partsFor(request: ServerExtras['request'], tools: Set<string>) {
  const all = { tools: undefined as Set<string> | undefined, prompts: true, resources: true };
  switch (request?.method) {
    case 'tools/call':
      return request.name && tools.has(request.name) ? { tools: new Set([request.name]), prompts: false, resources: false } : all;
    case 'tools/list':
      return { tools: undefined, prompts: false, resources: false };
    case 'prompts/list':
    case 'prompts/get':
      return { tools: new Set<string>(), prompts: true, resources: false };
    case 'resources/list':
    case 'resources/read':
    case 'resources/templates/list':
      return { tools: new Set<string>(), prompts: false, resources: true };
    default:
      return all;
  }
}

/**
 * The MCP front end: one tool per engine operation, the templates, audit logs, setups and Azure
 * subscriptions as resources (with completions), and the guided flows as prompts. The same factory
 * serves both protocol eras.
 */
export function createMcpServer(engine: Engine, baseActor: Actor, options: McpOptions, log: Logger, extras: ServerExtras = {}): McpServer {
  const era = extras.era ?? 'legacy';
  const server = new McpServer(
    { name: 'cloudlink', title: 'cloudlink', version: VERSION },
    // Only logging here: declaring the others would install their handlers before lenientUnknowns can wrap them.
    { capabilities: { logging: {} }, instructions: INSTRUCTIONS },
  );
  const tools = new Set(mcpOperations(engine, options).map((d) => d.name));
  const refs = { prompts: new Set(['link_aws_account', 'link_organization', 'review_accounts_in_trouble']), templates: new Set<string>() };
  wrapHandlers(server, era, tools, refs);

  // The audit log names the assistant that acted, not just the configured actor; over HTTP each
  // request's own credentials (checked by the HTTP layer) name the person.
  const clientName = (ctx?: ServerContext): string | undefined => {
    if (era === 'modern') return (ctx?.mcpReq.envelope as Record<string, { name?: string } | undefined> | undefined)?.[CLIENT_INFO_META_KEY]?.name;
    return server.server.getClientVersion()?.name;
  };
  const actor = (ctx?: ServerContext): Actor => {
    const who = principalOf(ctx?.http?.authInfo)?.actor ?? baseActor;
    const client = clientName(ctx);
    return { ...who, name: client ? `${who.name ?? who.id} via ${client}`.slice(0, 200) : who.name };
  };
  const parts = partsFor(extras.request, tools);
  registerTools({ server, engine, era, actor, options, log, ...(parts.tools ? { only: parts.tools } : {}) });
  const complete = completions(engine, () => actor());
  if (parts.prompts) registerPrompts(server, engine, () => actor(), complete);
  if (parts.resources) registerResources(server, engine, actor, complete, refs);
  // The lists never change while a server runs: say so (registration assumed they might). Declared
  // whole even when this instance registered only what its request needs.
  server.server.registerCapabilities({ tools: { listChanged: false }, resources: { listChanged: false }, prompts: { listChanged: false }, completions: {} });
  return server;
}

function registerResources(server: McpServer, engine: Engine, actor: (ctx?: ServerContext) => Actor, complete: ReturnType<typeof completions>, refs: { templates: Set<string> }) {
  for (const [key, file] of Object.entries(TEMPLATE_FILES)) {
    server.registerResource(
      `template-${key}`,
      `cloudlink://templates/${file}`,
      { title: file, description: `The CloudFormation template cloudlink hands out (${key}).`, mimeType: 'application/yaml' },
      async (uri) => ({ contents: [{ uri: uri.href, mimeType: 'application/yaml', text: await templateBody(key as TemplateKey) }] }),
    );
  }

  /** A read that names something that does not exist (or that the caller may not see) is "not found". */
  const orNotFound = async <T>(uri: URL, f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      if (e instanceof CloudlinkError && (e.code === 'NOT_FOUND' || e.code === 'INVALID_INPUT' || e.code === 'WRONG_PROVIDER')) throw new ResourceNotFoundError(uri.href);
      throw e;
    }
  };
  const variable = (v: string | string[] | undefined) => decodeURIComponent(String(Array.isArray(v) ? v[0] : (v ?? '')));
  const template = (name: string, uri: string, complete: Record<string, (value: string, context?: { arguments?: Record<string, string> }) => Promise<string[]>>) => {
    refs.templates.add(uri);
    return new ResourceTemplate(uri, { list: undefined, complete });
  };

  server.registerResource(
    'account-audit',
    template('account-audit', 'cloudlink://accounts/{account}/audit', { account: (v) => complete.accountNames(v) }),
    { title: 'Audit log of an account', description: 'Every change to one account (name or id), newest first, as JSON.', mimeType: 'application/json' },
    async (uri, vars, ctx) =>
      orNotFound(uri, async () => {
        const account = variable(vars.account);
        // No such account, and none that was (a deleted one is named by its id): NOT_FOUND, so not found.
        const out = await engine.run(getAuditLog, actor(ctx), { account, limit: 500 });
        return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(out.entries) }] };
      }),
  );
  server.registerResource(
    'setup',
    template('setup', 'cloudlink://setups/{setupId}', { setupId: (v) => complete.setupIds(v) }),
    { title: 'A setup', description: "A setup's status (open, completed with the account, expired) and what the watcher last saw, as JSON.", mimeType: 'application/json' },
    async (uri, vars, ctx) =>
      orNotFound(uri, async () => {
        const out = await engine.run(getSetupStatus, actor(ctx), { setupId: variable(vars.setupId) });
        return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(out) }] };
      }),
  );
  server.registerResource(
    'azure-subscription',
    template('azure-subscription', 'cloudlink://accounts/{account}/subscriptions/{subscriptionId}', {
      account: (v) => complete.subscriptionAccounts(v),
      subscriptionId: (v, context) => complete.subscriptionIds(v, context?.arguments?.account),
    }),
    { title: 'An Azure subscription of an account', description: 'One subscription of an Azure account (name or id): its state and whether cloudlink uses it, as JSON.', mimeType: 'application/json' },
    async (uri, vars, ctx) =>
      orNotFound(uri, async () => {
        const def = engine.find('list_azure_subscriptions');
        if (!def) throw new ResourceNotFoundError(uri.href);
        // Searched by its id: found however many subscriptions the account has.
        const out = (await engine.run(def, actor(ctx), { account: variable(vars.account), search: variable(vars.subscriptionId) })) as { subscriptions: { subscriptionId: string }[] };
        const sub = out.subscriptions.find((s) => s.subscriptionId === variable(vars.subscriptionId));
        if (!sub) throw new ResourceNotFoundError(uri.href);
        return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(sub) }] };
      }),
  );
}
