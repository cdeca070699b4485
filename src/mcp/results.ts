import type { CallToolResult } from '@modelcontextprotocol/server';
import { CloudlinkError } from '../engine/errors.js';
import type { Logger } from '../log.js';

/**
 * Text for people and models, the data as structured content and, for clients that ignore
 * structured content, the data again as JSON text. Every 2026-07-28 client reads structured content
 * (it is part of the protocol since 2025-06-18), so that era gets no second copy: on a page of 100
 * accounts it would double what is serialized and sent.
 */
export function okResult(structured: unknown, text: string, opts: { jsonCopy: boolean } = { jsonCopy: true }): CallToolResult {
  return {
    content: [{ type: 'text', text }, ...(opts.jsonCopy ? [{ type: 'text' as const, text: JSON.stringify(structured) }] : [])],
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
