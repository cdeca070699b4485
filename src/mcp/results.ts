import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { CloudlinkError } from '../engine/errors.js';
import type { Logger } from '../log.js';

/** Text for people and models that ignore structuredContent, plus the data itself as JSON. */
export function okResult(structured: unknown, text: string): CallToolResult {
  return {
    content: [
      { type: 'text', text },
      { type: 'text', text: JSON.stringify(structured) },
    ],
    structuredContent: structured as Record<string, unknown>,
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
