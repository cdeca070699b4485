import { buildEngine } from './app.js';
import type { Config } from './config.js';
import { createLogger } from './log.js';
import { awsCredentialSource } from './providers/aws/credentials.js';

const SYSTEM = { id: 'cloudlink-health', name: 'scheduled health check', via: 'system' as const, role: 'admin' as const };

/** The long-running service. It starts whatever is configured and says plainly what is missing. */
export async function serve(config: Config) {
  const log = createLogger({ level: config.CLOUDLINK_LOG_LEVEL });
  const engine = await buildEngine(config, { log });
  const lines: string[] = [];
  const db = await engine.ctx.store.read();
  // Builds the account views once now rather than inside the first Slack requests.
  await engine.listAccounts(SYSTEM, {});
  lines.push(`store      ${engine.ctx.store.location} (lowdb JSON file, ${db.accounts.length} account${db.accounts.length === 1 ? '' : 's'})`);

  const source = awsCredentialSource();
  if (config.CLOUDLINK_AWS_PRINCIPAL_ARN || source) {
    const principal = await engine.ctx.aws.platformPrincipalArn().then(
      (p) => p,
      (e: Error) => `unknown (${e.message.split('.')[0]})`,
    );
    lines.push(`AWS        credentials from ${source ?? 'configuration'}; customers trust ${principal}`);
  } else {
    lines.push('AWS        MISSING: no AWS credentials. Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or CLOUDLINK_AWS_INSTANCE_ROLE=true) to link AWS and EKS accounts.');
  }
  lines.push(
    config.CLOUDLINK_TEMPLATE_BASE_URL
      ? `templates  ${config.CLOUDLINK_TEMPLATE_BASE_URL} (quick-create links on)`
      : 'templates  not published: set CLOUDLINK_TEMPLATE_BASE_URL to the S3/HTTPS folder holding manifests/ for one-click quick-create links (until then setups hand out the template to upload).',
  );

  engine.watcher.start(config.CLOUDLINK_WATCH_INTERVAL_SECONDS * 1000);
  lines.push(`watcher    checks open AWS setups every ${config.CLOUDLINK_WATCH_INTERVAL_SECONDS} s`);
  if (config.CLOUDLINK_HEALTH_INTERVAL_MINUTES > 0) {
    const timer = setInterval(() => {
      engine.checkAll(SYSTEM).catch((e) => log.warn('scheduled health check failed', { error: e }));
    }, config.CLOUDLINK_HEALTH_INTERVAL_MINUTES * 60_000);
    timer.unref();
    lines.push(`health     every ${config.CLOUDLINK_HEALTH_INTERVAL_MINUTES} min`);
  }

  const stops: (() => Promise<void>)[] = [];
  const { startSlack } = await import('./slack/start.js');
  const slack = await startSlack(config, engine, log);
  lines.push(`Slack      ${slack.summary}`);
  if (slack.stop) stops.push(slack.stop);

  if (config.CLOUDLINK_MCP_HTTP_PORT !== undefined) {
    const { startMcpHttp } = await import('./mcp/http.js');
    const http = await startMcpHttp(config, engine, log);
    lines.push(`MCP HTTP   ${http.url} (${config.CLOUDLINK_MCP_TOKENS.length} bearer token${config.CLOUDLINK_MCP_TOKENS.length === 1 ? '' : 's'})`);
    stops.push(http.stop);
  } else {
    lines.push('MCP HTTP   off: set CLOUDLINK_MCP_HTTP_PORT and CLOUDLINK_MCP_TOKENS to serve remote assistants');
  }
  lines.push('MCP stdio  `npm run mcp` (what desktop assistants spawn)');
  process.stderr.write(`\ncloudlink is running\n${lines.map((l) => `  ${l}`).join('\n')}\n\n`);

  const shutdown = async () => {
    engine.watcher.stop();
    await Promise.allSettled(stops.map((s) => s()));
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}
