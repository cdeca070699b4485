import type { Engine } from '../engine/engine.js';
import { SCOPES } from '../mcp/auth.js';
import { jsonSchemaOf } from './json-schema.js';
import { apiRoutes, type Route } from './routes.js';

const ERROR = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'fields'],
      properties: {
        code: { type: 'string', description: 'Stable, for programs: INVALID_INPUT, FORBIDDEN, NOT_FOUND, NAME_TAKEN, CONFIRMATION_MISMATCH, ASSUME_ROLE_DENIED…' },
        message: { type: 'string', description: 'For people: what went wrong and what to do next.' },
        fields: { type: 'object', additionalProperties: { type: 'string' }, description: 'A message per input field, where one is at fault.' },
      },
    },
  },
} as const;

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

function operationObject(r: Route) {
  const input = jsonSchemaOf(r.def.input, 'input') as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  const scope = r.scope === 'read' ? SCOPES.read : SCOPES.write;
  const base = {
    operationId: r.def.name,
    summary: r.def.title,
    description: `${r.def.description}\n\nPermission: \`${r.def.permission}\`. OAuth scope: \`${scope}\`${r.scope === 'read' ? ` (or \`${SCOPES.write}\`)` : ''}.`,
    security: [{ bearer: [scope] }],
    'x-cloudlink-permission': r.def.permission,
    responses: {
      '200': { description: 'The result.', content: { 'application/json': { schema: jsonSchemaOf(r.def.output, 'output') } } },
      '400': errorResponse('The input is not valid (the message and `fields` say which field and why), or a confirmation did not match.'),
      '401': errorResponse('No bearer token, or one this server does not accept.'),
      '403': errorResponse('The caller may not run this operation (its role, or its token lacks the scope).'),
      '404': errorResponse('What the input names does not exist.'),
      '409': errorResponse('It conflicts with what exists (a name taken, an account already linked…).'),
      '405': errorResponse(`Another method than ${r.method.toUpperCase()}: the \`Allow\` header says which one this route takes.`),
      ...(r.method === 'post'
        ? {
            '413': errorResponse('The request body is larger than this API accepts (CLOUDLINK_API_MAX_BODY_KB).'),
            '415': errorResponse('The body is not sent as JSON (Content-Type: application/json).'),
          }
        : {}),
      '422': errorResponse('Understood, but cloudlink cannot do it as things are (e.g. AWS refused the role).'),
      '502': errorResponse('The cloud did not answer as expected; nothing was changed.'),
      '503': errorResponse('cloudlink or the cloud is busy or not configured yet; try again later.'),
    },
  };
  if (r.method === 'get') {
    const parameters = Object.entries(input.properties ?? {}).map(([name, schema]) => ({
      name,
      in: 'query',
      required: (input.required ?? []).includes(name),
      ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
      schema,
      ...(schema.type === 'array' ? { style: 'form', explode: true } : {}),
    }));
    return { ...base, parameters };
  }
  return { ...base, requestBody: { required: Boolean(input.required?.length), content: { 'application/json': { schema: input } } } };
}

/** The OpenAPI 3.1 document of the REST API, from the same routes and the same zod schemas the server uses. */
export function openApiDocument(engine: Pick<Engine, 'operations'>, opts: { serverUrl: string; version: string }) {
  const paths: Record<string, Record<string, unknown>> = {
    '/openapi.json': { get: { operationId: 'openapi', summary: 'This document', security: [], responses: { '200': { description: 'The OpenAPI document.', content: { 'application/json': { schema: { type: 'object' } } } } } } },
  };
  for (const r of apiRoutes(engine)) paths[r.path] = { ...paths[r.path], [r.method]: operationObject(r) };
  return {
    openapi: '3.1.0',
    info: {
      title: 'cloudlink',
      version: opts.version,
      description:
        'Every cloudlink operation as a route, derived from the operation registry (the same names, schemas and rules as the MCP tools and the CLI commands). Read-only operations are GETs with their input in the query string; the others are POSTs with a JSON body. Lists page with `limit` and `offset` and say how many match in `total`; a `Link: <…>; rel="next"` header points at the next page.',
    },
    servers: [{ url: opts.serverUrl }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: `A static token from CLOUDLINK_API_TOKENS, or an OAuth access token (JWT) from the issuer the MCP endpoint trusts. Scopes: ${SCOPES.read} (GET routes), ${SCOPES.write} (POST routes), ${SCOPES.admin} (an admin's rights).`,
        },
      },
      schemas: { Error: ERROR },
    },
    paths,
  };
}
