import process from 'node:process';

/**
 * What the bundled CLI gives the MCP SDK for `@modelcontextprotocol/server/_shims` (scripts/bundle.mjs
 * aliases it): the SDK's own Node shim, minus its default JSON Schema validator. That validator is AJV
 * (150 kB of code to compile on every start of `cloudlink mcp`), and the SDK uses it only to check the
 * answers of push-style `elicitInput()` against their schema. cloudlink asks through `inputRequired()`,
 * whose answers the SDK never checks that way; cloudlink checks the typed name itself. Tests and `tsx`
 * runs use the SDK's real shim.
 */
export class DefaultJsonSchemaValidator {
  getValidator(): never {
    throw new Error('This cloudlink build has no JSON Schema validator (see src/mcp/sdk-shims.ts): pass ServerOptions.jsonSchemaValidator to validate against a JSON Schema.');
  }
}

export { process };
