#!/usr/bin/env node
import module from 'node:module';

// Node.js 22.1+ keeps V8's compiled code of cloudlink between runs (in the OS temp folder), so an
// assistant spawning `cloudlink mcp` does not recompile it every time; NODE_DISABLE_COMPILE_CACHE=1
// turns it off. It must come before the rest loads: everything else is imported below, on demand.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const USAGE = `cloudlink: link cloud accounts from Slack and from AI assistants (MCP)

Usage:
  cloudlink [serve]               the service: Slack app, MCP over HTTP (if configured), watcher, health checks
                                  (\`cloudlink\` with no arguments runs it too)
  cloudlink mcp [--read-only] [--require-elicitation] [--typed-confirmation]
                                  an MCP server on stdio, for desktop assistants
  cloudlink migrate               apply the PostgreSQL migrations (CLOUDLINK_DATABASE_URL)
  cloudlink export [--file F]     the whole store as JSON (either store; private keys stay sealed)
  cloudlink export aws-config [--file F] [--force] [--prefix P] [--region R] [--command C]
                                  one ~/.aws/config profile per linked AWS account (credential_process)
  cloudlink credentials <account> [--duration S] [--session-name N] [--policy JSON | --policy-file F] [--scope S]
                                  temporary credentials as JSON on stdout (credential_process format for AWS)
  cloudlink import --file F [--replace]
                                  load an export into the configured store
  cloudlink <operation> [--flags] any engine operation, as the operator (see below; --help on each)
  cloudlink help                  this text

Configuration comes from environment variables: see README.md, "Configuration".`;

async function operationsHelp(): Promise<string> {
  const [{ allOperations }, { FAMILIES }, { cliOperationNames }] = await Promise.all([import('./engine/operations/index.js'), import('./engine/families/table.js'), import('./cli/names.js')]);
  return cliOperationNames(allOperations(FAMILIES));
}

/**
 * Node's own warnings (the AWS SDK's Node.js version notice, deprecations) are written by a default
 * listener as free text; in stdio mode and for log collectors every stderr line is JSON, so they go
 * through the logger instead.
 */
function warningsAsJson() {
  process.removeAllListeners('warning');
  process.on('warning', (w) => process.stderr.write(JSON.stringify({ t: new Date().toISOString(), level: 'warn', msg: w.message.replace(/\s+/g, ' ').trim(), warning: w.name }) + '\n'));
}

async function fastOpening(flags: string[]) {
  const { openingOptions, readOpeningRecord, startOpening } = await import('./mcp/opening.js');
  const options = openingOptions(flags, process.env);
  const record = options && readOpeningRecord(new URL('./', import.meta.url), options);
  return record ? startOpening(record) : undefined;
}

const SERVE_USAGE = `Usage: cloudlink serve
       cloudlink            (no arguments: the same)
  The service: the Slack app, MCP over HTTP and the REST API (when configured), the invite pages, the
  operator endpoints, the setup watcher and health checks. Configured by environment variables only
  (README.md, "Configuration"); it runs until SIGTERM or SIGINT.`;
const MCP_USAGE = `Usage: cloudlink mcp [--read-only] [--require-elicitation] [--typed-confirmation]
  An MCP server on stdio, for desktop assistants (what they spawn; it speaks JSON-RPC on stdin/stdout).
  --read-only             only the read-only tools (CLOUDLINK_MCP_READ_ONLY)
  --require-elicitation   refuse destructive tools on clients without elicitation (CLOUDLINK_MCP_REQUIRE_ELICITATION)
  --typed-confirmation    clients without elicitation may pass the typed name (CLOUDLINK_MCP_TYPED_CONFIRMATION)`;
const MCP_FLAGS = ['--read-only', '--require-elicitation', '--typed-confirmation'];

const wantsHelp = (args: string[]) => args.includes('--help') || args.includes('-h');

/** Commands that end once they printed their answer (everything but serve and mcp). */
const oneShot = (command: string | undefined) => command !== undefined && command !== 'serve' && command !== 'mcp';

async function main(argv: string[]) {
  warningsAsJson();
  const [command = 'serve', ...rest] = argv;
  // Help asked for is the answer: stdout (errors, and the usage shown with them, go to stderr).
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n\nOperations:\n${await operationsHelp()}\n`);
    return;
  }
  if ((command === 'serve' || command === 'mcp') && wantsHelp(rest)) {
    process.stdout.write(`${command === 'serve' ? SERVE_USAGE : MCP_USAGE}\n`);
    return;
  }
  const { ConfigError, loadConfig } = await import('./config.js');
  if (command === 'mcp') {
    for (const f of rest) if (!MCP_FLAGS.includes(f)) throw new ConfigError(`Unknown option ${f}.\n\n${MCP_USAGE}`);
  }
  // The configuration is checked before anything answers: an assistant must not be told all is well
  // (the opening below) by a server that is about to stop on a bad setting.
  const config = loadConfig();
  if (command === 'serve') {
    if (rest.length) throw new ConfigError(`Unknown option ${rest[0]}.\n\n${SERVE_USAGE}`);
    const { serve } = await import('./serve.js');
    await serve(config);
    return;
  }
  if (command === 'mcp') {
    // An assistant waits for the opening exchange: answer it from the build's record before the rest loads.
    const opening = config.CLOUDLINK_MCP_OPENING !== 'off' ? await fastOpening(rest) : undefined;
    const flags = new Set(rest);
    const { runStdio } = await import('./mcp/stdio.js');
    await runStdio(config, {
      readOnly: flags.has('--read-only') || config.CLOUDLINK_MCP_READ_ONLY,
      requireElicitation: flags.has('--require-elicitation') || config.CLOUDLINK_MCP_REQUIRE_ELICITATION,
      typedConfirmation: flags.has('--typed-confirmation') || config.CLOUDLINK_MCP_TYPED_CONFIRMATION,
      ...(opening ? { opening } : {}),
    });
    return;
  }
  if (command === 'credentials') {
    const { credentialsCommand } = await import('./cli/credentials.js');
    process.stdout.write(`${await credentialsCommand(config, rest)}\n`);
    return;
  }
  if (command === 'export' && rest[0] === 'aws-config') {
    const { awsConfigCommand } = await import('./cli/aws-config.js');
    process.stdout.write(`${await awsConfigCommand(config, rest.slice(1))}\n`);
    return;
  }
  if (command === 'migrate' || command === 'export' || command === 'import') {
    const [{ createLogger }, commands] = await Promise.all([import('./log.js'), import('./store/commands.js')]);
    const log = createLogger({ level: config.CLOUDLINK_LOG_LEVEL });
    const out = command === 'migrate' ? await commands.migrateCommand(config, log, rest) : command === 'export' ? await commands.exportCommand(config, log, rest) : await commands.importCommand(config, log, rest);
    process.stdout.write(`${out}\n`);
    return;
  }
  const { runCliCommand } = await import('./cli/operations.js');
  if (await runCliCommand(config, command, rest)) return;
  throw new ConfigError(`Unknown command "${command}". \`cloudlink help\` lists the commands and operations.\n\n${USAGE}\n\nOperations:\n${await operationsHelp()}`);
}

/**
 * A one-shot command closes what it opened, so the process ends by itself once the answer is out. If
 * something was left open anyway (a bug), it must not hang a script or an AWS tool waiting on
 * credential_process: after this long the process ends, and says so.
 */
const LINGER_MS = 10_000;

main(process.argv.slice(2)).then(
  () => {
    // serve and mcp keep running on their own; an operation is done once it printed its result.
    if (!oneShot(process.argv[2])) return;
    process.exitCode = 0;
    setTimeout(() => {
      process.stderr.write(`cloudlink: the command finished ${LINGER_MS / 1000} s ago but something it opened was still open; exiting. Please report this.\n`);
      process.exit(0);
    }, LINGER_MS).unref();
  },
  async (e: unknown) => {
    // Failures a person can fix get their message, not a stack trace.
    const [{ ConfigError }, { CloudlinkError }] = await Promise.all([import('./config.js'), import('./engine/errors.js')]);
    if (e instanceof ConfigError || e instanceof CloudlinkError) process.stderr.write(`${e.message}\n`);
    else process.stderr.write(`cloudlink failed: ${(e as Error)?.message ?? e}\n`);
    process.exit(1);
  },
);
