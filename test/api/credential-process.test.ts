import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromIni } from '@aws-sdk/credential-provider-ini';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoleHandout } from '../../src/engine/families/aws-role/handout.js';
import { admin, deployStack, harness, type Harness } from '../helpers/engine.js';
import { CLI } from '../helpers/mcp.js';
import { mapAwsError } from '../../src/providers/aws/errors.js';
import { missingPlatformCredentials } from '../../src/providers/aws/sdk-gateway.js';

const exec = promisify(execFile);
let h: Harness;
const linked: Record<string, { id: string; accountId: string }> = {};

/** The built CLI, as a person or credential_process runs it, with the harness's environment. */
const cli = (args: string[], env: Record<string, string> = {}) => exec(process.execPath, [CLI, ...args], { env: { ...process.env, ...h.env, ...env }, timeout: 20_000 });

async function linkAws(name: string, accountId: string, kind: 'management' | 'linked') {
  const started = (await h.engine.run(h.engine.find('start_aws_setup')!, admin, { kind })) as RoleHandout;
  const roleArn = deployStack(h.aws, started, accountId);
  const done = (await h.engine.run(h.engine.find('complete_aws_setup')!, admin, { setupId: started.setupId, name, roleArn })) as { account: { id: string } };
  linked[name] = { id: done.account.id, accountId };
}

beforeAll(async () => {
  h = await harness();
  await linkAws('Prod Payer', '111111111111', 'management');
  await linkAws('Dev / Sandbox', '222222222222', 'linked');
  // Names whose safe forms collide: they must still get profiles of their own.
  await linkAws('Dév Sandbox', '333333333333', 'linked');
});
afterAll(async () => {
  await h?.close();
});

describe('cloudlink credentials', () => {
  it('prints the credential_process JSON on stdout and nothing else', async () => {
    const { stdout, stderr } = await cli(['credentials', 'Prod Payer', '--duration', '900']);
    const lines = stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    const creds = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(creds)).toEqual(['Version', 'AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration']);
    expect(creds.Version).toBe(1);
    expect(h.aws.callsOf('AssumeRole').at(-1)!.params).toMatchObject({ DurationSeconds: '900', RoleSessionName: expect.stringMatching(/^cloudlink-/) });
    expect(stderr).not.toContain(String(creds.SecretAccessKey));
    const audit = (await h.stored()).audit.at(-1)!;
    expect(audit).toMatchObject({ operation: 'get_aws_credentials', actor: { via: 'cli' }, target: { id: linked['Prod Payer']!.id }, details: { durationSeconds: 900 } });
  });

  it('fails with what to do, on stderr and exit 1, for an account that is not there or that it would call itself for', async () => {
    const missing = await cli(['credentials', 'Nope']).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect((missing as { stderr: string }).stderr).toMatch(/No linked account is called "Nope"/);
    const loop = await cli(['credentials', 'Prod Payer'], { CLOUDLINK_VENDING: '1' }).catch((e: { code: number; stderr: string }) => e);
    expect(loop).toMatchObject({ code: 1 });
    expect((loop as { stderr: string }).stderr).toMatch(/started by cloudlink credentials/);
  });
});

describe('cloudlink credentials flags', () => {
  it('names --duration, as typed, when the duration is refused', async () => {
    const short = await cli(['credentials', 'Prod Payer', '--duration', '100']).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect(short).toMatchObject({ code: 1, stdout: '' });
    expect((short as { stderr: string }).stderr).toMatch(/^Invalid input: --duration: AWS issues sessions of at least 900 seconds\. Correct it and try again\.$/m);
    expect((short as { stderr: string }).stderr).not.toMatch(/durationSeconds/);
    const words = await cli(['credentials', 'Prod Payer', '--duration', 'soon']).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect(words).toMatchObject({ code: 1, stdout: '' });
    expect((words as { stderr: string }).stderr).toMatch(/^--duration takes a number of seconds \(900 or more\), not "soon"\.\n\nUsage: cloudlink credentials /m);
  });
});

describe('cloudlink credentials without AWS credentials of its own', () => {
  /** The harness's environment without the platform's keys (the SDK's chain finds what `env` gives). */
  const withoutKeys = (args: string[], env: Record<string, string>) => {
    const base: Record<string, string | undefined> = { ...process.env, ...h.env };
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'CLOUDLINK_AWS_PROFILE']) delete base[k];
    return exec(process.execPath, [CLI, ...args], { env: { ...base, HOME: h.dir, ...env }, timeout: 20_000 }).catch((e: { code: number; stdout: string; stderr: string }) => e);
  };
  /** An AWS config as a tool's: the profile the tool resolves runs cloudlink; no default profile. */
  const toolConfig = async () => {
    const file = join(h.dir, 'tool-aws-config');
    await writeFile(file, `[profile prod-payer]\ncredential_process = ${process.execPath} ${CLI} credentials Prod Payer\n`);
    return { AWS_CONFIG_FILE: file, AWS_SHARED_CREDENTIALS_FILE: join(h.dir, 'no-credentials-file') };
  };

  it('with only AWS_PROFILE set: says no AWS credentials were found, that AWS_PROFILE is not used here and why, and to set CLOUDLINK_AWS_PROFILE', async () => {
    const r = await withoutKeys(['credentials', 'Prod Payer'], { ...(await toolConfig()), AWS_PROFILE: 'prod-payer' });
    expect(r).toMatchObject({ code: 1, stdout: '' });
    const stderr = (r as { stderr: string }).stderr;
    expect(stderr).toMatch(/^cloudlink credentials found no AWS credentials of its own to call AWS with: CLOUDLINK_AWS_PROFILE is not set/m);
    expect(stderr).toContain('AWS_PROFILE (prod-payer) is set, but this command does not use it: it names the profile the calling tool is resolving, whose credential_process may be this very command, which would then call itself.');
    expect(stderr).toMatch(/Set CLOUDLINK_AWS_PROFILE to a profile holding cloudlink's own credentials/);
    expect(stderr).not.toMatch(/refused|CredentialsProviderError/);
  });

  it('with CLOUDLINK_AWS_PROFILE naming a profile that does not exist: names it', async () => {
    const r = await withoutKeys(['credentials', 'Prod Payer'], { ...(await toolConfig()), CLOUDLINK_AWS_PROFILE: 'missing' });
    expect(r).toMatchObject({ code: 1, stdout: '' });
    const stderr = (r as { stderr: string }).stderr;
    expect(stderr).toContain(`cloudlink credentials found no AWS credentials of its own to call AWS with: CLOUDLINK_AWS_PROFILE names the profile "missing", which is not in the AWS config or credentials file (${join(h.dir, 'tool-aws-config')}, ${join(h.dir, 'no-credentials-file')}).`);
    expect(stderr).toMatch(/This command does not use AWS_PROFILE/);
    expect(stderr).not.toMatch(/refused|CredentialsProviderError/);
  });

  it('with nothing at all: says so, without a cloud call', async () => {
    const before = h.aws.callsOf('AssumeRole').length;
    const r = await withoutKeys(['credentials', 'Prod Payer'], { AWS_CONFIG_FILE: join(h.dir, 'none-config'), AWS_SHARED_CREDENTIALS_FILE: join(h.dir, 'none-credentials') });
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect((r as { stderr: string }).stderr).toMatch(/^cloudlink credentials found no AWS credentials of its own to call AWS with: CLOUDLINK_AWS_PROFILE is not set, and there are no AWS_ACCESS_KEY_ID/m);
    expect(h.aws.callsOf('AssumeRole').length).toBe(before);
  });

  it('keeps "refused" for credentials AWS really refused', () => {
    const invalid = Object.assign(new Error('The security token included in the request is invalid.'), { name: 'InvalidClientTokenId' });
    expect(missingPlatformCredentials(invalid)).toBeUndefined();
    expect(mapAwsError(invalid, { roleArn: '', externalId: '', principalArn: '' }).message).toMatch(/^cloudlink's own AWS credentials were refused \(InvalidClientTokenId\)/);
    const missing = Object.assign(new Error('Could not resolve credentials using profile: [ops] in configuration/credentials file(s).'), { name: 'CredentialsProviderError' });
    expect(missingPlatformCredentials(missing, {})).toMatchObject({ code: 'PLATFORM_NOT_CONFIGURED', details: { reason: 'no-credentials', profile: 'ops' } });
    expect(missingPlatformCredentials(missing, {})!.message).toMatch(/^cloudlink found no AWS credentials of its own: the AWS profile "ops" it was told to use \(AWS_PROFILE\) gave none: check that it is in the AWS config/);
    const chain = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    expect(missingPlatformCredentials(chain, {})!.message).toMatch(/^cloudlink found no AWS credentials of its own: the AWS SDK found none in the environment/);
    expect(missingPlatformCredentials(chain, { AWS_PROFILE: 'ops' })!.details).toEqual({ reason: 'no-credentials', cause: 'CredentialsProviderError', profile: 'ops' });
    // What only the SDK knows (an expired SSO session) is kept, so the person is told what fixes it.
    const sso = Object.assign(new Error('The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile.'), { name: 'CredentialsProviderError' });
    expect(missingPlatformCredentials(sso, { AWS_PROFILE: 'ops' })!.message).toMatch(/\(the AWS SDK said: The SSO session associated with this profile has expired .* run aws sso login/);
  });
});

describe('cloudlink export aws-config', () => {
  it('writes one profile per linked AWS account that the real AWS SDK uses through credential_process', async () => {
    const file = join(h.dir, 'aws-config');
    const { stdout } = await cli(['export', 'aws-config', '--file', file, '--command', `${process.execPath} ${CLI}`]);
    expect(stdout).toMatch(/Wrote 3 profiles/);
    const text = await readFile(file, 'utf8');
    const profiles = [...text.matchAll(/^\[profile ([^\]]+)\]$/gm)].map((m) => m[1]);
    expect(profiles).toEqual(['dev-sandbox', 'dev-sandbox-333333333333', 'prod-payer']);
    for (const name of profiles) expect(name).toMatch(/^[a-z0-9-]+$/);
    expect(text).toContain(`credential_process = ${process.execPath} ${CLI} credentials ${linked['Prod Payer']!.id}`);
    expect(text).not.toMatch(/ExternalId|externalId|SecretAccessKey/);

    // The SDK reads AWS_CONFIG_FILE and AWS_PROFILE, runs credential_process, and signs with what it printed.
    const saved = { ...process.env };
    Object.assign(process.env, h.env, { AWS_CONFIG_FILE: file, AWS_PROFILE: 'dev-sandbox-333333333333' });
    try {
      const before = h.aws.callsOf('AssumeRole').length;
      const sts = new STSClient({ region: 'us-east-1', endpoint: h.aws.url, credentials: fromIni() });
      const me = await sts.send(new GetCallerIdentityCommand({}));
      sts.destroy();
      expect(me.Account).toBe('333333333333');
      const assumed = h.aws.callsOf('AssumeRole').slice(before);
      expect(assumed).toHaveLength(1);
      expect(assumed[0]!.accessKeyId).toBe(h.aws.platform.accessKeyId);
      // The GetCallerIdentity came signed with the assumed role's key, not the platform's.
      const identity = h.aws.callsOf('GetCallerIdentity').at(-1)!;
      expect(identity.accessKeyId).toMatch(/^ASIA/);
      expect(identity.accessKeyId).not.toBe(h.aws.platform.accessKeyId);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it('by default runs this installation by absolute paths, so a tool in another folder reaches the same store', async () => {
    // Exported from the store's folder with the store named relatively, as `npm start` names it.
    const file = join(h.dir, 'aws-config-default');
    await exec(process.execPath, [CLI, 'export', 'aws-config', '--file', file], { cwd: h.dir, env: { ...process.env, ...h.env, CLOUDLINK_STORE_PATH: 'cloudlink.json' }, timeout: 20_000 });
    const text = await readFile(file, 'utf8');
    const line = text.split('\n').find((l) => l.startsWith('credential_process') && l.endsWith(linked['Prod Payer']!.id))!;
    expect(line).toContain(`${process.execPath} ${CLI} credentials`);
    if (!h.env.CLOUDLINK_DATABASE_URL) expect(line).toContain(`env CLOUDLINK_STORE_PATH=${join(h.dir, 'cloudlink.json')} `);
    // Named by its absolute path (as a service's environment names it), the store is written in too:
    // the tool that runs the profile does not have this shell's CLOUDLINK_STORE_PATH.
    const absolute = await exec(process.execPath, [CLI, 'export', 'aws-config'], { cwd: tmpdir(), env: { ...process.env, ...h.env, CLOUDLINK_STORE_PATH: join(h.dir, 'cloudlink.json') }, timeout: 20_000 });
    if (!h.env.CLOUDLINK_DATABASE_URL) expect(absolute.stdout).toContain(`credential_process = env CLOUDLINK_STORE_PATH=${join(h.dir, 'cloudlink.json')} ${process.execPath} ${CLI} credentials ${linked['Prod Payer']!.id}`);

    // The SDK runs it from this test's folder, where a relative store path would name another (empty) store.
    const saved = { ...process.env };
    Object.assign(process.env, h.env, { AWS_CONFIG_FILE: file, AWS_PROFILE: 'prod-payer', CLOUDLINK_STORE_PATH: 'elsewhere/cloudlink.json' });
    try {
      const sts = new STSClient({ region: 'us-east-1', endpoint: h.aws.url, credentials: fromIni() });
      const me = await sts.send(new GetCallerIdentityCommand({}));
      sts.destroy();
      expect(me.Account).toBe('111111111111');
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it('leaves a config it did not write alone, and keeps `cloudlink export` the store export', async () => {
    const mine = join(h.dir, 'my-config');
    await writeFile(mine, '[default]\nregion = eu-west-1\n');
    const refused = await cli(['export', 'aws-config', '--file', mine]).catch((e: { code: number; stderr: string }) => e);
    expect(refused).toMatchObject({ code: 1 });
    expect((refused as { stderr: string }).stderr).toMatch(/was not written by cloudlink/);
    expect(await readFile(mine, 'utf8')).toBe('[default]\nregion = eu-west-1\n');

    const store = await cli(['export']);
    expect(JSON.parse(store.stdout)).toMatchObject({ schemaVersion: expect.any(Number), accounts: expect.any(Array), webhooks: [] });
    const printed = await cli(['export', 'aws-config', '--prefix', 'cl', '--region', 'eu-central-1']);
    expect(printed.stdout).toMatch(/^\[profile cl-prod-payer\]$/m);
    expect(printed.stdout).toMatch(/^region = eu-central-1$/m);
  });
});
