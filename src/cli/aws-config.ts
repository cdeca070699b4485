import { readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { composeEngine } from '../compose.js';
import { closeComposed } from './close.js';
import { lowdbFile, requireExistingStore } from './store-exists.js';
import { ConfigError, type Config } from '../config.js';
import { CloudlinkError, type ErrorCode } from '../engine/errors.js';
import { CLI_PATH } from '../install-path.js';

/**
 * `cloudlink export aws-config`: one ~/.aws/config profile per linked AWS and EKS account, each asking
 * `cloudlink credentials <account id>` for its credentials when a tool needs them (the id survives
 * renames; the name is in a comment). The file holds nothing secret. Written to stdout, or to --file
 * (only over a file cloudlink wrote before, unless --force: it is not a way to lose your own config).
 */

const USAGE = `Usage: cloudlink export aws-config [--file <path>] [--force] [--prefix <p>] [--region <r>] [--command <how to run cloudlink>]
  One profile per linked AWS account, credential_process = <command> credentials <account id>.
  --command defaults to this installation by absolute path (this node, this bundle), so a tool started
  in any folder runs the same cloudlink; give another, e.g. "cloudlink" once it is on the PATH.`;

const MARK = '# Written by cloudlink export aws-config';

type Profile = { profile: string; account: { id: string; name: string }; provider: string; label: string; awsAccountId: string; roleArn: string; kind?: string; region: string };

function flags(args: string[]) {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(args[i]!);
    if (!m) throw new ConfigError(`Unexpected argument "${args[i]}".\n\n${USAGE}`);
    if (m[1] === 'force') out.force = true;
    else if (['file', 'prefix', 'region', 'command'].includes(m[1]!)) {
      const v = m[2] ?? args[++i];
      if (v === undefined) throw new ConfigError(`--${m[1]} needs a value.\n\n${USAGE}`);
      out[m[1]!] = v;
    } else throw new ConfigError(`Unknown option --${m[1]}.\n\n${USAGE}`);
  }
  return out;
}

async function profiles(config: Config, input: Record<string, string>): Promise<Profile[]> {
  if (config.CLOUDLINK_API_URL) {
    if (!config.CLOUDLINK_API_TOKEN) throw new ConfigError('CLOUDLINK_API_URL is set but CLOUDLINK_API_TOKEN is not: set it to a token the service accepts.');
    const url = new URL(`${config.CLOUDLINK_API_URL.replace(/\/+$/, '')}/v1/list-aws-profiles`);
    for (const [k, v] of Object.entries(input)) url.searchParams.set(k, v);
    const res = await fetch(url, { headers: { authorization: `Bearer ${config.CLOUDLINK_API_TOKEN}` } }).catch(() => {
      throw new ConfigError(`cloudlink could not reach its service at ${config.CLOUDLINK_API_URL} (CLOUDLINK_API_URL).`);
    });
    const body = (await res.json().catch(() => ({}))) as { profiles?: Profile[]; error?: { code?: string; message?: string } };
    if (!res.ok) throw new CloudlinkError((body.error?.code ?? 'CLOUD_ERROR') as ErrorCode, body.error?.message ?? `The cloudlink service answered HTTP ${res.status}.`);
    return body.profiles ?? [];
  }
  requireExistingStore(config);
  const composed = await composeEngine(config, { deliver: false });
  const { engine } = composed;
  try {
    const actor = { id: config.CLOUDLINK_CLI_ACTOR ?? (userInfo().username || 'cli'), via: 'cli' as const, role: 'admin' as const };
    return ((await engine.run(engine.find('list_aws_profiles')!, actor, input)) as { profiles: Profile[] }).profiles;
  } finally {
    await closeComposed(composed);
  }
}

/** The INI text: a header, then a section per profile with what it is in a comment. */
export function renderAwsConfig(list: Profile[], command: string, at: Date): string {
  const lines = [`${MARK} on ${at.toISOString()}: one profile per linked AWS account.`, '# Credentials are vended when a tool asks (credential_process); nothing secret is in this file.', ''];
  for (const p of list) {
    lines.push(`[profile ${p.profile}]`, `# ${p.account.name.replace(/[\r\n]/g, ' ')}: ${p.label}, AWS account ${p.awsAccountId}${p.kind ? ` (${p.kind})` : ''}, role ${p.roleArn}`, `credential_process = ${command} credentials ${p.account.id}`, `region = ${p.region}`, '');
  }
  return lines.join('\n');
}

const quoted = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

/**
 * How a credential_process started by some tool, in its own folder and its own environment, reaches
 * this same cloudlink: this node and this bundle by absolute path and the lowdb store by absolute path,
 * however it was named here (a tool does not have this shell's CLOUDLINK_STORE_PATH, and without it would
 * open the default store, or an empty one in its own folder). Secrets are never written here: the
 * encryption key and AWS credentials come from the tool's environment, or the service's REST API does
 * the work (CLOUDLINK_API_URL).
 */
export function defaultCommand(config: Config, cwd = process.cwd()): string {
  const run = `${quoted(process.execPath)} ${quoted(CLI_PATH)}`;
  const file = config.CLOUDLINK_API_URL ? undefined : lowdbFile(config, cwd);
  return file ? `env ${quoted(`CLOUDLINK_STORE_PATH=${file}`)} ${run}` : run;
}

export async function awsConfigCommand(config: Config, args: string[]): Promise<string> {
  if (args.includes('--help') || args.includes('-h')) return USAGE;
  const f = flags(args);
  const input: Record<string, string> = {};
  if (typeof f.prefix === 'string') input.prefix = f.prefix;
  if (typeof f.region === 'string') input.region = f.region;
  const command = typeof f.command === 'string' ? f.command : defaultCommand(config);
  const list = await profiles(config, input);
  const text = renderAwsConfig(list, command, new Date());
  // On PostgreSQL the profiles' command reaches the store only with the database's settings, which
  // hold secrets and are never written into the file: the tools need them in their environment.
  // The same for the REST API: its URL and token (a secret) must be in the tools' environment.
  const needsEnv =
    typeof f.command !== 'string' && config.CLOUDLINK_API_URL
      ? ' The profiles ask the cloudlink service: the tools that use them (prowler, steampipe, the AWS CLI…) need CLOUDLINK_API_URL and CLOUDLINK_API_TOKEN in their environment (they are not written into the file).'
      : typeof f.command !== 'string' && config.CLOUDLINK_DATABASE_URL
        ? ' The profiles run cloudlink on PostgreSQL: the tools that use them (prowler, steampipe, the AWS CLI…) need CLOUDLINK_DATABASE_URL and CLOUDLINK_ENCRYPTION_KEY in their environment (they are not written into the file), or CLOUDLINK_API_URL and CLOUDLINK_API_TOKEN to ask the cloudlink service instead.'
        : '';
  if (typeof f.file !== 'string') {
    if (needsEnv) process.stderr.write(`${needsEnv.trim()}\n`);
    return text.trimEnd();
  }
  const existing = await readFile(f.file, 'utf8').catch(() => undefined);
  if (existing !== undefined && !existing.startsWith(MARK) && f.force !== true) {
    throw new ConfigError(`${f.file} exists and was not written by cloudlink: it was left as it is. Write to another file (and point AWS_CONFIG_FILE at it, or paste its profiles into your config), or pass --force to replace it.`);
  }
  await writeFile(f.file, text);
  return `Wrote ${list.length} profile${list.length === 1 ? '' : 's'} to ${f.file}. Use one with AWS_CONFIG_FILE=${f.file} AWS_PROFILE=<profile>, e.g. ${list[0] ? list[0].profile : '<profile>'}.${needsEnv}`;
}
