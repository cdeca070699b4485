#!/usr/bin/env node
import { ConfigError, loadConfig } from './config.js';
import { CloudlinkError } from './engine/errors.js';

const USAGE = `cloudlink: link cloud accounts from Slack and from AI assistants (MCP)

Usage:
  cloudlink serve                 the service: Slack app, MCP over HTTP (if configured), watcher, health checks
  cloudlink mcp [--read-only] [--require-elicitation]
                                  an MCP server on stdio, for desktop assistants
  cloudlink help                  this text

Configuration comes from environment variables: see README.md, "Configuration".`;

async function main(argv: string[]) {
  const [command = 'serve', ...rest] = argv;
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stderr.write(USAGE + '\n');
    return;
  }
  const config = loadConfig();
  if (command === 'serve') {
    const { serve } = await import('./serve.js');
    await serve(config);
    return;
  }
  if (command === 'mcp') {
    const flags = new Set(rest);
    for (const f of flags) if (!['--read-only', '--require-elicitation'].includes(f)) throw new ConfigError(`Unknown option ${f}.\n\n${USAGE}`);
    const { runStdio } = await import('./mcp/stdio.js');
    await runStdio(config, { readOnly: flags.has('--read-only') || config.CLOUDLINK_MCP_READ_ONLY, requireElicitation: flags.has('--require-elicitation') || config.CLOUDLINK_MCP_REQUIRE_ELICITATION });
    return;
  }
  throw new ConfigError(`Unknown command "${command}".\n\n${USAGE}`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  // Start-up failures a person can fix get their message, not a stack trace.
  if (e instanceof ConfigError || e instanceof CloudlinkError) process.stderr.write(`${e.message}\n`);
  else process.stderr.write(`cloudlink failed to start: ${(e as Error)?.message ?? e}\n`);
  process.exit(1);
});
