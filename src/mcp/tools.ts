import { isInputRequiredResult, type McpServer, type ScopeChallengeHandler, type ServerContext, type ToolAnnotations } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import type { Actor } from '../engine/domain/records.js';
import { CloudlinkError } from '../engine/errors.js';
import { exposure, type AnyOperation, type Nature } from '../engine/registry/operation.js';
import type { Logger } from '../log.js';
import { mayWrite, SCOPES } from './auth.js';
import { confirmWithHuman, typedFallback } from './confirm.js';
import type { Era, McpOptions } from './options.js';
import { errorResult, okResult } from './results.js';
import { sdkSchema } from './schemas.js';

export type ToolSpec = { name: string; title: string; description: string; inputSchema: z.ZodObject; outputSchema: z.ZodType; annotations: Required<Pick<ToolAnnotations, 'readOnlyHint' | 'destructiveHint' | 'idempotentHint' | 'openWorldHint'>> & { title: string } };

const annotations = (title: string, n: Nature) => ({ title, readOnlyHint: n.readOnly, destructiveHint: n.destructive, idempotentHint: n.idempotent, openWorldHint: n.openWorld });

const CONFIRM_ARGUMENT = 'confirm_account_name';
const confirmArgument = z
  .string()
  .max(200)
  .optional()
  .describe('Only for clients without elicitation: the account name exactly as stored, TYPED BY THE HUMAN. Never fill this in yourself: ask the user to type the name.');

/**
 * The MCP tool of an operation, derived from its definition: same name, schemas and nature. An
 * operation that needs a typed confirmation loses its confirmation fields (the human gives them,
 * through elicitation) and gains the typed-argument fallback for clients without it.
 */
export function toolSpec(def: AnyOperation, options: McpOptions): ToolSpec {
  const typed = typedFallback(options);
  let byMode = specs.get(def);
  if (!byMode) specs.set(def, (byMode = new Map()));
  let spec = byMode.get(typed);
  if (!spec) byMode.set(typed, (spec = deriveSpec(def, options)));
  return spec;
}
/** Derived once per operation and confirmation mode: servers are built per request on 2026-07-28 HTTP. */
const specs = new WeakMap<AnyOperation, Map<boolean, ToolSpec>>();

function deriveSpec(def: AnyOperation, options: McpOptions): ToolSpec {
  const base = { name: def.name, title: def.title, outputSchema: def.output, annotations: annotations(def.title, def.nature) };
  if (!def.confirm) return { ...base, description: def.description, inputSchema: def.input as z.ZodObject };
  const input = (def.input as z.ZodObject).omit({ [def.confirm.field]: true, [def.confirm.idField]: true } as Record<string, true>);
  if (!typedFallback(options)) {
    return { ...base, inputSchema: input, description: `${def.description} cloudlink asks the human to type the name through your client (elicitation); a client that cannot ask is refused.` };
  }
  return {
    ...base,
    inputSchema: input.extend({ [CONFIRM_ARGUMENT]: confirmArgument }),
    description: `${def.description} If your client supports elicitation, cloudlink asks the human directly; otherwise ask the user to type the exact name and pass it as ${CONFIRM_ARGUMENT} (do not type it for them).`,
  };
}

/** The operations offered over MCP (read-only mode: only those that change nothing). */
export const mcpOperations = (engine: Engine, options: McpOptions) => engine.operations.filter((d) => exposure(d).mcp && (!options.readOnly || d.nature.readOnly));

/**
 * A tool that changes something needs the write scope when the caller came with an OAuth token:
 * the HTTP layer answers 403 insufficient_scope with the scopes to ask for (the client can step up).
 */
const writeChallenge =
  (tool: string): ScopeChallengeHandler =>
  ({ authInfo }) =>
    authInfo && !mayWrite(authInfo) ? { scopes: [SCOPES.read, SCOPES.write], errorDescription: `${tool} changes cloudlink and needs the ${SCOPES.write} scope` } : undefined;

export type ToolContext = { server: McpServer; engine: Engine; era: Era; actor: (ctx: ServerContext) => Actor; options: McpOptions; log: Logger; only?: Set<string> };

export function registerTools({ server, engine, era, actor, options, log, only }: ToolContext) {
  for (const def of mcpOperations(engine, options)) {
    if (only && !only.has(def.name)) continue;
    const spec = toolSpec(def, options);
    const config = {
      title: spec.title,
      description: spec.description,
      inputSchema: sdkSchema(spec.inputSchema, 'checked'),
      outputSchema: sdkSchema(spec.outputSchema, 'trusted'),
      annotations: spec.annotations,
      ...(def.nature.readOnly ? {} : { scopeChallenge: writeChallenge(def.name) }),
    };
    server.registerTool(spec.name, config, async (args: Record<string, unknown>, ctx: ServerContext) => {
      try {
        const who = actor(ctx);
        const auth = ctx.http?.authInfo;
        // The HTTP layer challenges first; this is the same rule where no challenge could be sent.
        if (!def.nature.readOnly && auth && !mayWrite(auth)) throw new CloudlinkError('FORBIDDEN', `${def.name} changes cloudlink: your access token needs the ${SCOPES.write} scope.`);
        let input: Record<string, unknown> = args;
        if (def.confirm) {
          const confirm = def.confirm;
          const { [CONFIRM_ARGUMENT]: typed, ...rest } = args;
          const answer = await confirmWithHuman({
            server,
            era,
            ctx,
            options,
            tool: def.name,
            args: rest,
            actor: who.id,
            subject: () => engine.confirmation(def, who, rest),
            typedArgument: typed as string | undefined,
          });
          if (isInputRequiredResult(answer)) return answer;
          input = { ...rest, [confirm.refField]: answer.subjectId, [confirm.field]: answer.typed, [confirm.idField]: answer.subjectId };
        }
        // Long operations report progress when the client asked for it, and stop when it cancels.
        const token = ctx.mcpReq._meta?.progressToken;
        const progress =
          token !== undefined
            ? (done: number, total: number, message: string) => void ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, progress: done, total, message } }).catch(() => undefined)
            : undefined;
        const out = await engine.run(def, who, input, { ...(progress ? { progress } : {}), signal: ctx.mcpReq.signal });
        return okResult(out, def.summarize(out), { jsonCopy: era === 'legacy' });
      } catch (e) {
        // The engine names the exact name for a person who mistyped it; a model must not be handed it
        // (it would retype it itself): the person is asked to type it again.
        if (def.confirm && e instanceof CloudlinkError && e.code === 'CONFIRMATION_MISMATCH' && e.fields[def.confirm.field]) {
          return errorResult(new CloudlinkError(e.code, 'The name typed does not match exactly (case and spaces matter). Nothing was changed. Ask the person to type the name again, as they see it; do not type it for them.'), log, def.name);
        }
        return errorResult(e, log, def.name);
      }
    });
  }
}
