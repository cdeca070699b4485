import { readFile } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { composeEngine } from '../compose.js';
import { closeComposed } from './close.js';
import { requireExistingStore } from './store-exists.js';
import { inFlagWords } from './flag-errors.js';
import { ConfigError, type Config } from '../config.js';
import type { Actor } from '../engine/domain/records.js';
import { CloudlinkError, type ErrorCode } from '../engine/errors.js';

/**
 * `cloudlink credentials <account>`: what `credential_process` runs. It prints the credentials as
 * JSON on stdout and nothing else (the AWS CLI and SDKs read stdout; errors go to stderr, exit 1):
 * for an AWS or EKS account the credential_process format, for Azure, Microsoft 365 and Entra ID an
 * access token. In-process (the store and cloudlink's own AWS credentials at hand, as on the host
 * that runs cloudlink), or through a running service's REST API when CLOUDLINK_API_URL is set, which
 * is how a workstation without the store asks.
 */

const USAGE = `Usage: cloudlink credentials <account name or id> [--duration <seconds>] [--session-name <name>] [--policy <json> | --policy-file <file>] [--scope <resource>/.default]
  AWS and EKS accounts: temporary credentials in the credential_process format (~/.aws/config: credential_process = cloudlink credentials "Prod Payer").
  Azure, Microsoft 365, Entra ID: an access token for --scope (default: the resource the account is linked for).
  With CLOUDLINK_API_URL and CLOUDLINK_API_TOKEN set, it asks that cloudlink service instead of using the store here.`;

/** Set while cloudlink vends: cloudlink's own AWS profile pointing back at cloudlink would otherwise spawn itself forever. */
const GUARD = 'CLOUDLINK_VENDING';

type Request = { account: string; durationSeconds?: number; sessionName?: string; policy?: string; scope?: string };

async function parse(args: string[]): Promise<Request> {
  let account: string | undefined;
  const req: Partial<Request> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m) {
      if (account !== undefined) throw new ConfigError(`One account at a time ("${account}" and "${a}").\n\n${USAGE}`);
      account = a;
      continue;
    }
    const value = () => {
      const v = m[2] ?? args[++i];
      if (v === undefined) throw new ConfigError(`--${m[1]} needs a value.\n\n${USAGE}`);
      return v;
    };
    if (m[1] === 'duration') {
      const v = value();
      req.durationSeconds = Number(v);
      if (v.trim() === '' || !Number.isInteger(req.durationSeconds)) throw new ConfigError(`--duration takes a number of seconds (900 or more), not "${v}".\n\n${USAGE}`);
    }
    else if (m[1] === 'session-name') req.sessionName = value();
    else if (m[1] === 'policy') req.policy = value();
    else if (m[1] === 'policy-file') req.policy = await readFile(value(), 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new ConfigError(`Cannot read the session policy file (${e.code ?? e.message}).`);
    });
    else if (m[1] === 'scope') req.scope = value();
    else throw new ConfigError(`Unknown option --${m[1]}.\n\n${USAGE}`);
  }
  if (!account) throw new ConfigError(USAGE);
  return { ...req, account };
}

/** The flag each input field comes from, for errors that name a field. */
const FLAGS: Record<string, string> = { account: '<account>', durationSeconds: '--duration', sessionName: '--session-name', policy: '--policy', scope: '--scope' };
const flagOf = (field: string) => FLAGS[field];

const awsInput = (r: Request) => ({ account: r.account, ...(r.durationSeconds !== undefined ? { durationSeconds: r.durationSeconds } : {}), ...(r.sessionName ? { sessionName: r.sessionName } : {}), ...(r.policy ? { policy: r.policy } : {}) });
const tokenInput = (r: Request) => ({ account: r.account, ...(r.scope ? { scope: r.scope } : {}) });

/** The five fields credential_process reads, in the order the AWS documentation shows them. */
const processJson = (c: Record<string, unknown>) => JSON.stringify({ Version: c.Version, AccessKeyId: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expiration: c.Expiration });

const wantsToken = (r: Request) => r.scope !== undefined;

export async function credentialsCommand(config: Config, args: string[]): Promise<string> {
  if (args.includes('--help') || args.includes('-h')) return USAGE;
  if (process.env[GUARD] === '1') {
    throw new ConfigError('cloudlink credentials was started by cloudlink credentials: the AWS credentials cloudlink uses for itself come from a profile whose credential_process is cloudlink again. Give cloudlink its own credentials (CLOUDLINK_AWS_PROFILE naming a profile that is not a cloudlink one, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or an instance role), or set CLOUDLINK_API_URL to ask the cloudlink service.');
  }
  process.env[GUARD] = '1';
  const req = await parse(args);
  return config.CLOUDLINK_API_URL ? remote(config, req) : local(config, req);
}

async function local(config: Config, req: Request): Promise<string> {
  // AWS_PROFILE names the profile the calling tool is resolving, whose credential_process is this very
  // command: cloudlink's own credentials come from elsewhere (CLOUDLINK_AWS_PROFILE, the keys in the
  // environment, an instance role, the default profile), or every call would spawn another.
  const ignoredProfile = process.env.AWS_PROFILE;
  delete process.env.AWS_PROFILE;
  if (config.CLOUDLINK_AWS_PROFILE) process.env.AWS_PROFILE = config.CLOUDLINK_AWS_PROFILE;
  requireExistingStore(config);
  // This process tells nobody anything: the service delivers what vending writes (nothing, today).
  const composed = await composeEngine(config, { deliver: false });
  const { engine } = composed;
  const actor: Actor = { id: config.CLOUDLINK_CLI_ACTOR ?? login(), via: 'cli', role: 'admin' };
  try {
    if (!wantsToken(req)) {
      try {
        return processJson(await engine.run(engine.find('get_aws_credentials')!, actor, awsInput(req)));
      } catch (e) {
        if (!(e instanceof CloudlinkError && e.code === 'WRONG_PROVIDER')) throw e;
      }
    }
    return JSON.stringify(await engine.run(engine.find('get_access_token')!, actor, tokenInput(req)));
  } catch (e) {
    throw await inCommandWords(inFlagWords(e, flagOf), config, ignoredProfile);
  } finally {
    await closeComposed(composed);
  }
}

/**
 * The engine's errors, for the person or tool that ran this command: cloudlink having no AWS credentials
 * of its own is said with what this command reads (CLOUDLINK_AWS_PROFILE, never AWS_PROFILE).
 */
async function inCommandWords(e: unknown, config: Config, ignoredProfile: string | undefined): Promise<unknown> {
  if (!(e instanceof CloudlinkError)) return e;
  if (e.code === 'PLATFORM_NOT_CONFIGURED' && e.details.reason === 'no-credentials') return noOwnCredentials(config, ignoredProfile, typeof e.details.said === 'string' ? e.details.said : undefined);
  return e;
}

/** Whether an AWS config or credentials file has a section for this profile (where the SDK looks). */
async function profileFile(name: string): Promise<string | undefined> {
  const files: [string, RegExp][] = [
    [process.env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config'), new RegExp(`^\\s*\\[\\s*(profile\\s+)?${escapeRe(name)}\\s*\\]`, 'm')],
    [process.env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials'), new RegExp(`^\\s*\\[\\s*${escapeRe(name)}\\s*\\]`, 'm')],
  ];
  for (const [file, section] of files) if (section.test(await readFile(file, 'utf8').catch(() => ''))) return file;
  return undefined;
}
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function noOwnCredentials(config: Config, ignoredProfile: string | undefined, said?: string): Promise<CloudlinkError> {
  const own = config.CLOUDLINK_AWS_PROFILE;
  const found = own ? await profileFile(own) : undefined;
  const what = !own
    ? 'CLOUDLINK_AWS_PROFILE is not set, and there are no AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, instance role or default profile to use instead'
    : found
      ? `CLOUDLINK_AWS_PROFILE names the profile "${own}", which is in ${found} but gave no credentials (check its keys, or what its credential_process or SSO session prints)`
      : `CLOUDLINK_AWS_PROFILE names the profile "${own}", which is not in the AWS config or credentials file (${process.env.AWS_CONFIG_FILE ?? '~/.aws/config'}, ${process.env.AWS_SHARED_CREDENTIALS_FILE ?? '~/.aws/credentials'})`;
  const aside = ignoredProfile
    ? ` AWS_PROFILE (${ignoredProfile}) is set, but this command does not use it: it names the profile the calling tool is resolving, whose credential_process may be this very command, which would then call itself.`
    : ' This command does not use AWS_PROFILE: it names the profile the calling tool is resolving, whose credential_process may be this very command.';
  return new CloudlinkError(
    'PLATFORM_NOT_CONFIGURED',
    `cloudlink credentials found no AWS credentials of its own to call AWS with: ${what}${said && !/from any providers|using profile: \[/i.test(said) ? ` (the AWS SDK said: ${said})` : ''}.${aside} Set CLOUDLINK_AWS_PROFILE to a profile holding cloudlink's own credentials (not one whose credential_process is cloudlink), or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or CLOUDLINK_AWS_INSTANCE_ROLE=true on EC2/ECS; or set CLOUDLINK_API_URL and CLOUDLINK_API_TOKEN to ask the cloudlink service instead.`,
  );
}

async function remote(config: Config, req: Request): Promise<string> {
  if (!config.CLOUDLINK_API_TOKEN) throw new ConfigError('CLOUDLINK_API_URL is set but CLOUDLINK_API_TOKEN is not: set it to a token the service accepts (one of its CLOUDLINK_API_TOKENS, or an OAuth access token).');
  const call = async (operation: string, input: Record<string, unknown>) => {
    const base = config.CLOUDLINK_API_URL!.replace(/\/+$/, '');
    let res: Response;
    try {
      res = await fetch(`${base}/v1/${operation}`, { method: 'POST', headers: { authorization: `Bearer ${config.CLOUDLINK_API_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(input), signal: AbortSignal.timeout(config.CLOUDLINK_CLOUD_TIMEOUT_MS * 3) });
    } catch {
      throw new ConfigError(`cloudlink could not reach its service at ${base} (CLOUDLINK_API_URL). Check that it runs and that the address is right.`);
    }
    const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string; fields?: Record<string, string> } } & Record<string, unknown>;
    if (res.ok) return body;
    if (body.error?.message) throw inFlagWords(new CloudlinkError((body.error.code ?? 'CLOUD_ERROR') as ErrorCode, body.error.message, body.error.fields ?? {}), flagOf);
    throw new ConfigError(`The cloudlink service at ${base} answered HTTP ${res.status}.`);
  };
  if (!wantsToken(req)) {
    try {
      return processJson(await call('get-aws-credentials', awsInput(req)));
    } catch (e) {
      if (!(e instanceof CloudlinkError && e.code === 'WRONG_PROVIDER')) throw e;
    }
  }
  return JSON.stringify(await call('get-access-token', tokenInput(req)));
}

function login() {
  try {
    return userInfo().username || 'cli';
  } catch {
    return 'cli';
  }
}
