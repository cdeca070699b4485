import { composeService } from './compose.js';
import type { Config } from './config.js';

/**
 * `cloudlink serve`: runs until a signal (clean exit, code 0) or a fatal error (one line, code 1),
 * whatever its standard input is. With neither Slack nor MCP HTTP configured nothing else would hold
 * the process open, so it holds itself.
 */
export async function serve(config: Config) {
  const service = await composeService(config);
  process.stderr.write(`\ncloudlink is running\n${service.lines.map((l) => `  ${l}`).join('\n')}\n\n`);
  const keepAlive = setInterval(() => undefined, 1 << 30);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    service.log.info('cloudlink is stopping', { signal });
    await service.stop();
    clearInterval(keepAlive);
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}
