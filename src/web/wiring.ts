import { resolve } from 'node:path';
import type { Config } from '../config.js';
import { smtpTls } from '../email/notifier.js';
import { listenError } from '../listen.js';
import { McpTokenFile } from './console/mcp-token.js';
import type { ConsoleFacts } from './console/model.js';
import { DEFAULT_INVITE_PORT, invitePagesWanted, listenInvitePages, type InvitePagesListener } from './invite/server.js';

/**
 * How the web front ends plug into the service (compose.ts): the invite pages listen before the engine
 * is built (their public URL goes into its settings), and the console's MCP token exists before MCP
 * HTTP starts (so it is one of the tokens MCP accepts). composeService has opened the store before
 * this runs: a store that cannot be opened leaves no token file beside it.
 */

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|::1)$/i;

/** The console (which shows a secret once) only where nobody but this machine reaches it. */
export const consoleWanted = (config: Config, opsPort: number | undefined) => config.CLOUDLINK_CONSOLE && opsPort !== undefined && LOOPBACK.test(config.CLOUDLINK_HTTP_HOST);

export async function prepareWeb(config: Config, opsPort: number | undefined): Promise<{ config: Config; pages?: InvitePagesListener; token?: McpTokenFile }> {
  let pages: InvitePagesListener | undefined;
  if (invitePagesWanted(config)) {
    pages = await listenInvitePages(config).catch((e: NodeJS.ErrnoException) => {
      // Worded as every other listener's (src/listen.ts): what to change, off included.
      const port = typeof config.CLOUDLINK_INVITE_PORT === 'number' ? config.CLOUDLINK_INVITE_PORT : DEFAULT_INVITE_PORT;
      throw listenError(e, port, config.CLOUDLINK_INVITE_HOST, { what: 'The invite pages', portVariable: 'CLOUDLINK_INVITE_PORT', hostVariable: 'CLOUDLINK_INVITE_HOST', canBeOff: true });
    });
  }
  const token = consoleWanted(config, opsPort)
    ? await McpTokenFile.open(`${resolve(config.CLOUDLINK_STORE_PATH).replace(/\.json$/, '')}.mcp-token`, { actor: 'local-assistant', ...(config.CLOUDLINK_MCP_SLACK_USER ? { slackUser: config.CLOUDLINK_MCP_SLACK_USER } : {}) })
    : undefined;
  return { config: pages ? { ...config, CLOUDLINK_PUBLIC_URL: pages.publicUrl } : config, ...(pages ? { pages } : {}), ...(token ? { token } : {}) };
}

/** MCP HTTP's configuration with the console's token among its bearer tokens (its grant is live: a new token works at once). */
export const withConsoleToken = (config: Config, token: McpTokenFile | undefined): Config => (token ? { ...config, CLOUDLINK_MCP_TOKENS: [...config.CLOUDLINK_MCP_TOKENS, token.grant] } : config);

/** The start-up summary's lines for the web parts. */
export function webLines(config: Config, pages: InvitePagesListener | undefined): string[] {
  return [
    pages
      ? `invites    ${pages.publicUrl}/i/… (invite pages, listening on ${pages.url})${config.CLOUDLINK_SMTP_HOST ? `; e-mail through ${config.CLOUDLINK_SMTP_HOST}:${config.CLOUDLINK_SMTP_PORT}` : '; e-mail off: set CLOUDLINK_SMTP_HOST and CLOUDLINK_SMTP_FROM'}`
      : 'invites    outside Slack off: set CLOUDLINK_PUBLIC_URL (where colleagues open their invite page) to invite by e-mail or by a link',
  ];
}

export function consoleLine(config: Config, opsUrl: string | undefined, on: boolean): string {
  if (on && opsUrl) return `console    ${opsUrl}/ (what runs, what is missing with the steps, MCP client configs and a token shown once)`;
  if (!config.CLOUDLINK_CONSOLE) return 'console    off (CLOUDLINK_CONSOLE=false)';
  if (!opsUrl) return 'console    off: it is served on the operator listener, which is off (CLOUDLINK_HTTP_PORT=off)';
  return `console    off: the operator endpoints listen on ${config.CLOUDLINK_HTTP_HOST}, and the console (it shows a secret once) is served on loopback only`;
}

/** What the console says about the service, from the configuration and what started. */
export function consoleFacts(opts: {
  config: Config;
  store: { location: string; kind: string };
  aws: { source?: string; principal?: string };
  slack: { summary: string; stop?: unknown };
  pages?: InvitePagesListener;
  mcpHttp?: { url: string };
  publicUrlSet: boolean;
}): ConsoleFacts {
  const c = opts.config;
  const file = !c.CLOUDLINK_DATABASE_URL;
  // What a stdio server spawned by an assistant needs to be this same cloudlink; never a secret.
  const stdioEnv: Record<string, string> = file ? { CLOUDLINK_STORE_PATH: opts.store.location } : { CLOUDLINK_DATABASE_URL: '<the same database URL>', CLOUDLINK_ENCRYPTION_KEY: '<the same key>' };
  if (process.env.AWS_PROFILE) stdioEnv.AWS_PROFILE = process.env.AWS_PROFILE;
  if (c.CLOUDLINK_TEMPLATE_BASE_URL) stdioEnv.CLOUDLINK_TEMPLATE_BASE_URL = c.CLOUDLINK_TEMPLATE_BASE_URL;
  if (opts.publicUrlSet && c.CLOUDLINK_PUBLIC_URL) stdioEnv.CLOUDLINK_PUBLIC_URL = c.CLOUDLINK_PUBLIC_URL;
  return {
    store: { ...opts.store, file },
    aws: opts.aws,
    ...(c.CLOUDLINK_TEMPLATE_BASE_URL ? { templates: c.CLOUDLINK_TEMPLATE_BASE_URL } : {}),
    slack: { running: Boolean(opts.slack.stop), summary: opts.slack.summary },
    ...(opts.pages ? { invitePages: { publicUrl: opts.pages.publicUrl, url: opts.pages.url, publicUrlSet: opts.publicUrlSet } } : {}),
    ...(c.CLOUDLINK_SMTP_HOST && c.CLOUDLINK_SMTP_FROM ? { email: { host: c.CLOUDLINK_SMTP_HOST, port: c.CLOUDLINK_SMTP_PORT, tls: smtpTls(c), from: c.CLOUDLINK_SMTP_FROM } } : {}),
    ...(opts.mcpHttp ? { mcpHttp: { url: opts.mcpHttp.url } } : {}),
    stdioEnv,
  };
}
