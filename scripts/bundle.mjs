// Bundles the CLI into a few ESM files: an assistant spawns `cloudlink mcp` on every start, and
// loading hundreds of small modules is most of a Node start-up. Cloud SDKs and Slack stay external
// and load lazily, on first use.
import { build } from 'esbuild';
import { recordOpening } from './mcp-opening.mjs';

await build({
  entryPoints: ['src/cli.ts'],
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  sourcemap: 'linked',
  outExtension: { '.js': '.mjs' },
  // The MCP SDK's Node shim without AJV, which cloudlink never asks it to use (src/mcp/sdk-shims.ts).
  alias: { '@modelcontextprotocol/server/_shims': './src/mcp/sdk-shims.ts' },
  external: ['reflect-metadata', '@aws-sdk/*', '@smithy/*', '@slack/*', '@azure/*', '@microsoft/*', 'express', 'node-forge', '@peculiar/*', 'unhomoglyph', 'pg', 'immer'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});

// The stdio server's opening exchange, recorded from the bundle just built (src/mcp/opening.ts).
await recordOpening();
