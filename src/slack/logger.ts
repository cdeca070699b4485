import { LogLevel } from '@slack/web-api';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';

export const apiUrl = (config: Config) => config.SLACK_API_URL ?? 'https://slack.com/api/';

/**
 * The logger Bolt, its Socket Mode client and their Web API clients write to, as cloudlink's log.
 * The Web API client says only "http request failed fetch failed" when Slack cannot be reached, at
 * every retry: that becomes one warning naming the API and what to check, and the retries that follow
 * are debug lines, until a request gets through again (the next outage warns again). Once the service
 * is stopping (`quiet`), what the clients say about failing requests is debug only.
 */
export function slackLogger(config: Config, log: Logger) {
  const api = apiUrl(config);
  let host: string;
  try {
    host = new URL(api).host;
  } catch {
    host = api;
  }
  let unreachable = false;
  let quiet = false;
  const line = (m: unknown[]) => m.map(String).join(' ');
  return {
    debug: (...m: unknown[]) => {
      if (m[0] === 'http response received') unreachable = false;
      log.debug(line(m));
    },
    info: (...m: unknown[]) => log.info(line(m)),
    warn: (...m: unknown[]) => {
      if (m[0] !== 'http request failed') return quiet ? log.debug(line(m)) : log.warn(line(m));
      const reason = line(m.slice(1)) || 'no reason given';
      if (unreachable || quiet) return log.debug('Slack Web API request failed again (retrying)', { api, reason });
      unreachable = true;
      log.warn(
        `Slack's Web API at ${host} could not be reached (${reason}). Check that this machine reaches ${host} (network, DNS, proxy, firewall), that SLACK_API_URL is right if it is set, and that SLACK_BOT_TOKEN (and SLACK_APP_TOKEN for Socket Mode) are this app's. cloudlink keeps retrying; further failures are logged at debug level.`,
        { api, reason },
      );
    },
    error: (...m: unknown[]) => (quiet ? log.debug(line(m)) : log.error(line(m))),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
    /** Whether Slack's Web API has been unreachable since the last answer (the warning was given). */
    unreachable: () => unreachable,
    /** The service is stopping: failing requests are expected now. */
    quiet: () => void (quiet = true),
  };
}

