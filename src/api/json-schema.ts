import type { z } from 'zod';

type Converter = { input(o: { target: string }): Record<string, unknown>; output(o: { target: string }): Record<string, unknown> };

/**
 * An operation schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect), from zod's own Standard JSON
 * Schema converter: the one the MCP SDK reads for tool schemas, so a field reads the same over MCP
 * and REST. `input`: what a caller may send (defaults optional); `output`: what comes back.
 */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const std = schema['~standard'] as unknown as { jsonSchema: Converter };
  const { $schema: _dialect, ...rest } = std.jsonSchema[io]({ target: 'draft-2020-12' });
  return rest;
}
