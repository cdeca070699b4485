import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import type { Actor } from '../engine/domain/records.js';
import { exposure, type AnyOperation, type Nature } from '../engine/registry/operation.js';
import type { Logger } from '../log.js';
import { confirmWithHuman, typedFallback } from './confirm.js';
import type { McpOptions } from './options.js';
import { errorResult, okResult } from './results.js';

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

export function registerTools(server: McpServer, engine: Engine, actor: () => Actor, options: McpOptions, log: Logger) {
  for (const def of mcpOperations(engine, options)) {
    const spec = toolSpec(def, options);
    server.registerTool(spec.name, { title: spec.title, description: spec.description, inputSchema: spec.inputSchema, outputSchema: spec.outputSchema as z.ZodObject, annotations: spec.annotations }, async (args: Record<string, unknown>, extra) => {
      try {
        const who = actor();
        let input: Record<string, unknown> = args;
        if (def.confirm) {
          const { [CONFIRM_ARGUMENT]: typed, ...rest } = args;
          const subject = await engine.confirmation(def, who, rest);
          const name = await confirmWithHuman(server, options, subject, typed as string | undefined);
          input = { ...rest, [def.confirm.refField]: subject.id, [def.confirm.field]: name, [def.confirm.idField]: subject.id };
        }
        // Long operations report progress when the client asked for it, and stop when it cancels.
        const token = extra._meta?.progressToken;
        const progress =
          token !== undefined
            ? (done: number, total: number, message: string) =>
                void extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: done, total, message } }).catch(() => undefined)
            : undefined;
        const out = await engine.run(def, who, input, { ...(progress ? { progress } : {}), signal: extra.signal });
        return okResult(out, def.summarize(out));
      } catch (e) {
        return errorResult(e, log, def.name);
      }
    });
  }
}
