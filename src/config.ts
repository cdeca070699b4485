import { z } from 'zod';

const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
    .optional()
    .transform((v) => (v === undefined || v === '' ? def : v === 'true' || v === '1' || v === 'yes'));
const num = (def: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? def : Number(v)))
    // Said as a range, not as zod's "expected number, received NaN".
    .pipe(z.number({ error: `must be a number from ${min} to ${max}` }).min(min, `must be a number from ${min} to ${max}`).max(max, `must be a number from ${min} to ${max}`));
const list = z
  .string()
  .optional()
  .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean));
const url = z.url().optional().or(z.literal('').transform(() => undefined));
const PORT_WORDS = 'must be a port number from 0 to 65535 (0 picks a free one), or off';
/** A listener's port as typed: a number from 0 to 65535, `off`, or unset or empty (undefined). */
function portValue(v: string | undefined, ctx: z.RefinementCtx): number | 'off' | undefined {
  const t = v?.trim();
  if (!t) return undefined;
  if (t.toLowerCase() === 'off') return 'off';
  if (/^\d{1,5}$/.test(t) && Number(t) <= 65535) return Number(t);
  ctx.addIssue({ code: 'custom', message: `${PORT_WORDS} (it is "${v!.slice(0, 40)}")` });
  return z.NEVER;
}
/** A listener's port: a number, `off`, or unset (the caller decides the default; `off` is kept, as it means more than unset). */
const port = z.string().optional().transform(portValue);
/**
 * A listener that is off unless a port is set: `off` (what the port-in-use message offers) is unset.
 * The default as a string: zod skips an optional field's transform when the variable is absent.
 */
const listenerPort = (def?: string) =>
  (def === undefined ? z.string().optional() : z.string().default(def)).transform((v, ctx) => {
    // Empty is unset, as for every variable: its default (8737 for the operator listener), not off.
    const p = portValue(v?.trim() ? v : def, ctx);
    return p === 'off' ? undefined : p;
  });
/** A port that is always on once its part is (Slack's HTTP receiver, the SMTP server's): 1 to 65535. */
const fixedPort = (def: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const t = v?.trim();
      if (!t) return def;
      if (/^\d{1,5}$/.test(t) && Number(t) >= 1 && Number(t) <= 65535) return Number(t);
      ctx.addIssue({ code: 'custom', message: `must be a port number from 1 to 65535 (it is "${v!.slice(0, 40)}")` });
      return z.NEVER;
    });
/**
 * A setting with a default where an empty value means the default, as unset (`CLOUDLINK_STORE_PATH=`
 * must not name the current folder, nor `CLOUDLINK_MCP_HOST=` every interface).
 */
const orDefault = (def: string) => z.string().default(def).transform((v) => (v.trim() === '' ? def : v));
// The shape of every AWS region name, partitions included (us-gov-west-1, cn-north-1, us-isob-east-1, eusc-de-east-1).
const AWS_REGION = /^[a-z]{2,4}(-[a-z]+)+-\d+$/;
const ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/i;

/**
 * "token=actor:role@U0123ABCD,token2=actor2" → who each MCP bearer token acts as, and (after @) the
 * Slack user who hears about what that assistant started (invites, links).
 */
const tokens = z
  .string()
  .optional()
  .transform((v, c) => {
    const out: { token: string; actor: string; role: 'admin' | 'member'; slackUser?: string }[] = [];
    for (const part of (v ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      const m = /^([^=]{16,})=([^:@]+)(?::(admin|member))?(?:@([UW][A-Z0-9_]+))?$/.exec(part);
      if (!m) {
        c.addIssue({ code: 'custom', message: 'each entry must look like <token of 16+ characters>=<actor name>[:admin|member][@<Slack user id>]' });
        return out;
      }
      out.push({ token: m[1]!, actor: m[2]!, role: (m[3] as 'admin' | 'member') ?? 'member', ...(m[4] ? { slackUser: m[4] } : {}) });
    }
    return out;
  });

export const ConfigSchema = z.object({
  CLOUDLINK_STORE_PATH: orDefault('./data/cloudlink.json'),
  CLOUDLINK_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a PostgreSQL URL such as postgresql://user:password@host:5432/cloudlink')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  CLOUDLINK_DATABASE_POOL_SIZE: num(10, 1, 200),
  // The default as a string: zod skips an optional field's transform when the variable is absent, so a
  // default computed inside the transform never applied and the operator listener stayed off.
  CLOUDLINK_HTTP_PORT: listenerPort('8737'),
  CLOUDLINK_HTTP_HOST: orDefault('127.0.0.1'),
  CLOUDLINK_DRAIN_SECONDS: num(10, 0, 600),
  // Several instances: how often the leader pings and the others try to lead; a silent leader is replaced within 4 of these.
  CLOUDLINK_LEADER_HEARTBEAT_SECONDS: num(5, 1, 60),
  CLOUDLINK_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** Start although the store's sealed values cannot be opened with this key (it is lost for good): they stay unreadable until replaced. */
  CLOUDLINK_ACCEPT_UNREADABLE_SECRETS: bool(false),
  CLOUDLINK_ENCRYPTION_KEY: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || (/^[A-Za-z0-9+/_-]+={0,2}$/.test(v.trim()) && Buffer.from(v, 'base64').length === 32), 'must be 32 random bytes, base64-encoded (e.g. `openssl rand -base64 32`)')
    .transform((v) => (v ? v.trim() : undefined)),
  CLOUDLINK_TEMPLATE_BASE_URL: url,
  CLOUDLINK_AWS_REGION: z.string().regex(AWS_REGION, 'must be an AWS region such as us-east-1').optional().or(z.literal('').transform(() => undefined)),
  // The SDK's own variable: read, not judged (a local emulator may use any name).
  AWS_REGION: z.string().optional(),
  CLOUDLINK_AWS_ENDPOINT: url,
  // EC2/ECS instance credentials (IMDS): opt-in, so a laptop or CI answers "no credentials" at once (src/providers/aws/credentials.ts).
  CLOUDLINK_AWS_INSTANCE_ROLE: bool(false),
  CLOUDLINK_AWS_PRINCIPAL_ARN: z.string().regex(/^arn:[a-z-]+:iam::\d{12}:(root|role\/.+|user\/.+)$/, 'must be an IAM role, user or root ARN').optional(),
  CLOUDLINK_AWS_PROPAGATION_TIMEOUT_SECONDS: num(90, 0, 900),
  CLOUDLINK_AWS_RETRY_BASE_MS: num(1000, 1, 60_000),
  CLOUDLINK_CLOUD_TIMEOUT_MS: num(10_000, 100, 120_000),
  CLOUDLINK_SETUP_TTL_HOURS: num(168, 1, 24 * 90),
  CLOUDLINK_INVITE_TTL_HOURS: num(168, 1, 24 * 90),
  CLOUDLINK_WATCH_INTERVAL_SECONDS: num(30, 1, 3600),
  CLOUDLINK_ORG_SYNC_MINUTES: num(60, 1, 10_080),
  CLOUDLINK_ORG_CONCURRENCY: num(16, 1, 128),
  CLOUDLINK_ORG_ROLE_GRACE_MINUTES: num(30, 1, 10_080),
  CLOUDLINK_OUTBOX_POLL_SECONDS: num(5, 1, 3600),
  CLOUDLINK_HEALTH_INTERVAL_MINUTES: num(360, 0, 10_080),
  CLOUDLINK_MEMBERS_CAN_LINK: bool(true),
  CLOUDLINK_CERT_LIFETIME_DAYS: num(730, 1, 3650),
  CLOUDLINK_CERT_WARN_DAYS: num(30, 1, 365),
  CLOUDLINK_AZURE_AUTHORITY_HOST: url,
  CLOUDLINK_ARM_ENDPOINT: url,
  CLOUDLINK_GRAPH_ENDPOINT: url,
  CLOUDLINK_EXCHANGE_RESOURCE: orDefault('https://outlook.office365.com'),
  // Slack
  SLACK_BOT_TOKEN: z.string().optional(),
  SLACK_SIGNING_SECRET: z.string().optional(),
  SLACK_APP_TOKEN: z.string().optional(),
  SLACK_API_URL: url,
  CLOUDLINK_SLACK_MODE: z.enum(['socket', 'http']).optional(),
  CLOUDLINK_SLACK_ADMINS: list,
  CLOUDLINK_SLACK_WORKSPACE_ADMINS: bool(false),
  PORT: fixedPort(3000),
  // MCP
  CLOUDLINK_MCP_READ_ONLY: bool(false),
  CLOUDLINK_MCP_REQUIRE_ELICITATION: bool(false),
  CLOUDLINK_MCP_TYPED_CONFIRMATION: bool(false),
  // Read by `cloudlink mcp` before the configuration loads (src/mcp/opening.ts); listed here so a typo is refused.
  CLOUDLINK_MCP_OPENING: z.enum(['on', 'off']).default('on'),
  CLOUDLINK_MCP_ALLOWED_ORIGINS: list,
  CLOUDLINK_MCP_MAX_BODY_KB: num(1024, 1, 102_400),
  CLOUDLINK_MCP_SESSIONS_PER_TOKEN: num(20, 1, 10_000),
  CLOUDLINK_MCP_SESSION_IDLE_MINUTES: num(30, 1, 10_080),
  CLOUDLINK_MCP_ANSWER_CACHE_MB: num(32, 0, 4096),
  CLOUDLINK_MCP_HTTP_PORT: listenerPort(),
  CLOUDLINK_MCP_HOST: orDefault('127.0.0.1'),
  CLOUDLINK_MCP_ALLOWED_HOSTS: list,
  CLOUDLINK_MCP_TOKENS: tokens,
  CLOUDLINK_MCP_ACTOR: z.string().min(1).max(100).default('mcp-stdio'),
  CLOUDLINK_MCP_ROLE: z.enum(['admin', 'member']).default('admin'),
  CLOUDLINK_MCP_SLACK_USER: z.string().regex(/^[UW][A-Z0-9_]+$/, 'must be a Slack user id such as U0123ABCD').optional(),
  // MCP 2026-07-28 confirmations: the HMAC key of their requestState (the same on every instance) and how long one holds.
  CLOUDLINK_MCP_STATE_KEY: z.string().min(32, 'must be at least 32 characters (openssl rand -base64 32)').optional().or(z.literal('').transform(() => undefined)),
  CLOUDLINK_MCP_CONFIRM_TTL_SECONDS: num(600, 30, 3600),
  // MCP over HTTP as an OAuth 2.1 protected resource: the issuer whose JWT access tokens it accepts, and this resource's URL (their audience).
  CLOUDLINK_MCP_OAUTH_ISSUER: url,
  CLOUDLINK_MCP_OAUTH_JWKS_URL: url,
  CLOUDLINK_MCP_RESOURCE_URL: url,
  // Slackbot as an MCP client ("Slack identity auth", signed with SLACK_SIGNING_SECRET): the workspaces (team or enterprise ids) that are ours.
  CLOUDLINK_MCP_SLACK_TEAMS: list,
  CLOUDLINK_CLI_ACTOR: z.string().min(1).max(100).optional(),
  // REST API (off unless a port is set): its listener, its static bearer tokens (CLOUDLINK_MCP_TOKENS' format), the `aud` its OAuth tokens carry.
  CLOUDLINK_API_PORT: listenerPort(),
  CLOUDLINK_API_HOST: orDefault('127.0.0.1'),
  CLOUDLINK_API_TOKENS: tokens,
  CLOUDLINK_API_RESOURCE_URL: url,
  CLOUDLINK_API_MAX_BODY_KB: num(256, 1, 10_240),
  // The CLI as a client of a running service's REST API (`cloudlink credentials` without the store at hand).
  CLOUDLINK_API_URL: url,
  CLOUDLINK_API_TOKEN: z.string().optional().or(z.literal('').transform(() => undefined)),
  // `cloudlink credentials` in-process: the profile cloudlink's own AWS credentials come from (AWS_PROFILE is the caller's, being resolved).
  CLOUDLINK_AWS_PROFILE: z.string().min(1).max(200).optional(),
  // Vended credentials: who may ask, how long they last, the session name AWS records.
  CLOUDLINK_CREDENTIALS_MEMBERS: bool(false),
  CLOUDLINK_CREDENTIALS_DURATION_SECONDS: num(3600, 900, 43_200),
  CLOUDLINK_CREDENTIALS_MAX_DURATION_SECONDS: num(3600, 900, 43_200),
  CLOUDLINK_CREDENTIALS_SESSION_NAME: z.string().min(1).max(64).regex(/^[\w+=,.@{}-]+$/, 'letters, digits, + = , . @ _ - and {actor}').default('cloudlink-{actor}'),
  // Webhooks: plain http:// receivers (off), the CloudEvents source, how long a receiver may take.
  CLOUDLINK_WEBHOOK_ALLOW_HTTP: bool(false),
  CLOUDLINK_WEBHOOK_SOURCE: z.string().min(1).max(200).default('urn:cloudlink'),
  CLOUDLINK_WEBHOOK_TIMEOUT_MS: num(10_000, 100, 30_000),
  // Store: how long a lock whose holder cannot be proved dead must go unrefreshed before it is taken over.
  CLOUDLINK_STORE_STALE_LOCK_SECONDS: num(5, 2, 3600),
  // The first-run console, at / on the operator listener (CLOUDLINK_HTTP_HOST:CLOUDLINK_HTTP_PORT) while that is on loopback.
  CLOUDLINK_CONSOLE: bool(true),
  // The invite pages colleagues open: where they reach them (behind TLS), and where the listener binds.
  CLOUDLINK_PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'must be the http(s) URL colleagues open, such as https://cloudlink.example.com' })
    .optional()
    .or(z.literal('').transform(() => undefined)),
  CLOUDLINK_INVITE_PORT: port,
  CLOUDLINK_INVITE_HOST: orDefault('127.0.0.1'),
  // E-mail (invites for colleagues outside Slack), through an SMTP server.
  CLOUDLINK_SMTP_HOST: z.string().optional().or(z.literal('').transform(() => undefined)),
  CLOUDLINK_SMTP_PORT: fixedPort(587),
  CLOUDLINK_SMTP_TLS: z.enum(['starttls', 'implicit', 'none']).optional(),
  CLOUDLINK_SMTP_USER: z.string().optional().or(z.literal('').transform(() => undefined)),
  CLOUDLINK_SMTP_PASSWORD: z.string().optional().or(z.literal('').transform(() => undefined)),
  CLOUDLINK_SMTP_FROM: z
    .string()
    .refine((v) => ADDRESS.test(v.replace(/^[^<]*<([^>]*)>\s*$/, '$1').trim()), 'must be an address such as cloudlink@example.com or "cloudlink <cloudlink@example.com>"')
    .optional()
    .or(z.literal('').transform(() => undefined)),
}).superRefine((c, ctx) => {
  // Settings that only make sense together, each refused with what to add.
  if (c.CLOUDLINK_SMTP_HOST && !c.CLOUDLINK_SMTP_FROM) ctx.addIssue({ code: 'custom', path: ['CLOUDLINK_SMTP_FROM'], message: 'is required with CLOUDLINK_SMTP_HOST: the address invites are sent from' });
  if (!c.CLOUDLINK_SMTP_USER !== !c.CLOUDLINK_SMTP_PASSWORD) ctx.addIssue({ code: 'custom', path: [c.CLOUDLINK_SMTP_USER ? 'CLOUDLINK_SMTP_PASSWORD' : 'CLOUDLINK_SMTP_USER'], message: 'CLOUDLINK_SMTP_USER and CLOUDLINK_SMTP_PASSWORD go together' });
  if (c.CLOUDLINK_SMTP_TLS === 'none' && c.CLOUDLINK_SMTP_PASSWORD && !LOOPBACK.test(c.CLOUDLINK_SMTP_HOST ?? '')) {
    ctx.addIssue({ code: 'custom', path: ['CLOUDLINK_SMTP_TLS'], message: 'none would send the SMTP password unencrypted to a remote server: use starttls (port 587) or implicit (port 465)' });
  }
});
export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads the environment; a bad value stops start-up with a message naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const r = ConfigSchema.safeParse(env);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`cloudlink cannot start: some settings are invalid.\n${lines.join('\n')}\nFix them (see README, "Configuration") and start again.`);
  }
  return r.data;
}
