import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { Engine } from '../engine/index.js';
import { CloudlinkError } from '../engine/errors.js';
import type { Actor } from '../engine/schemas.js';
import type { Logger } from '../log.js';

export type McpOptions = { readOnly: boolean; requireElicitation: boolean };

export type ToolContext = {
  engine: Engine;
  /** Who is calling: the configured actor, named after the MCP client. */
  actor: Actor;
  server: McpServer;
  options: McpOptions;
};

export type ToolOutcome<O> = { structured: O; text: string };

/** One MCP tool: schemas and annotations for the client, and a plain function over the engine. */
export type ToolDef<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> = {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations: Required<Pick<ToolAnnotations, 'readOnlyHint' | 'destructiveHint' | 'idempotentHint' | 'openWorldHint'>>;
  run(t: ToolContext, input: z.infer<I>): Promise<ToolOutcome<z.infer<O>>>;
};

export const defineTool = <I extends z.ZodObject, O extends z.ZodObject>(def: ToolDef<I, O>) => def as unknown as ToolDef;

export const READ = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

/** Text for people and models that ignore structuredContent, plus the data itself as JSON. */
export function okResult(outcome: ToolOutcome<unknown>): CallToolResult {
  return {
    content: [
      { type: 'text', text: outcome.text },
      { type: 'text', text: JSON.stringify(outcome.structured) },
    ],
    structuredContent: outcome.structured as Record<string, unknown>,
  };
}

/** Errors a user can cause come back as results the model can read and act on; nothing else leaks. */
export function errorResult(e: unknown, log: Logger, tool: string): CallToolResult {
  if (e instanceof CloudlinkError) {
    return { isError: true, content: [{ type: 'text', text: `${e.message}\n(error code: ${e.code})` }] };
  }
  log.error('MCP tool failed unexpectedly', { tool, error: e });
  return { isError: true, content: [{ type: 'text', text: 'cloudlink hit an unexpected error. Nothing was changed; try again, and ask an admin to check the service logs if it keeps happening.' }] };
}
