import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { writeStore } from '../bench/fixtures.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from './helpers/mcp.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudlink-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the built CLI on a machine with nothing configured (no AWS, no Slack), until `until` shows. */
function run(args: string[], env: Record<string, string>, until?: RegExp): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (until?.test(stderr)) child.kill('SIGTERM');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

describe('cloudlink serve on a fresh machine', () => {
  it('starts on the embedded store and says what is enabled and what is missing', async () => {
    // Any free port for the operator listener (its default, 8737, is config.test.ts's): test files run side by side.
    const { stderr, stdout } = await run(['serve'], { CLOUDLINK_HTTP_PORT: '0' }, /console +http/);
    expect(stderr).toMatch(/cloudlink is running/);
    expect(stderr).toMatch(/store +.*data\/cloudlink\.json \(lowdb JSON file, 0 accounts\)/);
    expect(stderr).toMatch(/AWS +MISSING: no AWS credentials/);
    expect(stderr).toMatch(/Slack +MISSING: set SLACK_BOT_TOKEN/);
    expect(stderr).toMatch(/MCP HTTP +off/);
    expect(stderr).toMatch(/ops +http:\/\/127\.0\.0\.1:\d+\/healthz, \/readyz, \/metrics/);
    expect(stderr).toMatch(/console +http:\/\/127\.0\.0\.1:\d+\//);
    expect(stdout).toBe('');
    expect((await stat(join(dir, 'data', 'cloudlink.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'data', 'cloudlink.key'))).mode & 0o777).toBe(0o600);
  });

  it('stops with a message naming a bad setting, not a stack trace', async () => {
    const { code, stderr } = await run(['serve'], { CLOUDLINK_MCP_TOKENS: 'short=bot', CLOUDLINK_AWS_PROPAGATION_TIMEOUT_SECONDS: 'soon' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/CLOUDLINK_MCP_TOKENS: each entry must look like/);
    expect(stderr).toMatch(/CLOUDLINK_AWS_PROPAGATION_TIMEOUT_SECONDS/);
    expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('refuses an unknown command or option with the usage', async () => {
    const { code, stderr } = await run(['mcp', '--write-everything'], {});
    expect(code).toBe(1);
    expect(stderr).toMatch(/Unknown option --write-everything/);
    expect(stderr).toMatch(/cloudlink mcp \[--read-only\]/);
  });
});

describe('an operation as a command', () => {
  it('lists the operations, runs one with flags, and prints the structured result on request', async () => {
    const env = { CLOUDLINK_STORE_PATH: join(dir, 'ops', 'cloudlink.json') };
    const help = await run(['help'], env);
    // Help asked for is the answer: stdout, and exit 0.
    expect(help.code).toBe(0);
    expect(help.stderr).toBe('');
    expect(help.stdout).toMatch(/rename-account +Rename a linked account/);
    expect(help.stdout).toMatch(/start-aws-setup +Start linking an AWS account/);
    const usage = await run(['rename-account', '--help'], env);
    expect(usage.stdout).toMatch(/--new-name <string> +The new display name/);
    // Reading needs the store there (run elsewhere, it is not created: see test/cli/one-shot.test.ts).
    await writeStore(env.CLOUDLINK_STORE_PATH, 0);
    const list = await run(['list-accounts', '--provider', 'aws', '--output', 'json'], env);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual({ accounts: [], total: 0, offset: 0, linked: 0 });
  });

  it('says what went wrong with bad input, and changes nothing on a delete nobody typed the name for', async () => {
    const env = { CLOUDLINK_STORE_PATH: join(dir, 'ops2', 'cloudlink.json') };
    await writeStore(env.CLOUDLINK_STORE_PATH, 0);
    const bad = await run(['list-accounts', '--provider', 'gcp'], env);
    expect(bad.code).toBe(1);
    // The flag is named as typed, not the input's field.
    expect(bad.stderr).toMatch(/^Invalid input: --provider: Invalid option: expected one of /);
    const small = await run(['list-accounts', '--limit', '0'], env);
    expect(small.stderr).toMatch(/^Invalid input: --limit: Too small: expected number to be >=1\. Correct it and try again\./);
    const unknown = await run(['rename-account', '--acount', 'x'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/Unknown option --acount/);
    const missing = await run(['delete-account', '--account', 'Payer'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No linked account is called "Payer"/);

    // With the account there: no terminal to ask at and no typed name, so nothing is deleted.
    await writeStore(env.CLOUDLINK_STORE_PATH, 1);
    const before = await readFile(env.CLOUDLINK_STORE_PATH, 'utf8');
    const untyped = await run(['delete-account', '--account', 'account 0'], env);
    expect(untyped.code).toBe(1);
    expect(untyped.stderr).toMatch(/Delete the AWS account "Account 0".*Type the account name to confirm\.\nNothing was changed/s);
    expect(await readFile(env.CLOUDLINK_STORE_PATH, 'utf8')).toBe(before);
    const typed = await run(['delete-account', '--account', 'account 0', '--confirm-name', 'Account 0'], env);
    expect(typed.code).toBe(0);
    expect(typed.stdout).toMatch(/Deleted "Account 0"\.\ncloudlink no longer uses arn:aws:iam::100000000000/);
    const audit = await run(['get-audit-log', '--output', 'json'], env);
    expect(JSON.parse(audit.stdout).entries[0]).toMatchObject({ operation: 'delete_account', actor: { via: 'cli' } });
  });
});

describe('CLI wording', () => {
  it('refuses a flag that takes a number given something else, before opening anything', async () => {
    const env = { CLOUDLINK_STORE_PATH: join(dir, 'numbers', 'cloudlink.json') };
    for (const value of ['abc', '', '12abc']) {
      const r = await run(['list-accounts', '--limit', value], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^--limit takes a number, not "${value}"\\. Nothing was run\\.\n\ncloudlink list-accounts: `));
      expect(r.stderr).not.toMatch(/NaN/);
    }
    expect(existsSync(join(dir, 'numbers'))).toBe(false);
  });

  it('help lists the flags the commands take, every description in one column', async () => {
    const { stdout } = await run(['help'], {});
    expect(stdout).toContain('  cloudlink credentials <account> [--duration S] [--session-name N] [--policy JSON | --policy-file F] [--scope S]\n');
    expect(stdout).toContain('  cloudlink export aws-config [--file F] [--force] [--prefix P] [--region R] [--command C]\n');
    // What the rows promise is accepted: each flag of those two rows is known to its command (its --help answers, an unknown one is refused).
    const credentials = await run(['credentials', 'x', '--policy', '{}', '--bogus'], {});
    expect(credentials.stderr).toMatch(/^Unknown option --bogus\./);
    const awsConfig = await run(['export', 'aws-config', '--force', '--bogus'], {});
    expect(awsConfig.stderr).toMatch(/^Unknown option --bogus\./);
    // A description that shares its row starts at the same column everywhere, usage and operations alike.
    const columns = stdout
      .split('\n')
      .filter((l) => /^  \S.*?\s{2,}\S/.test(l) || /^ {34}\S/.test(l))
      .map((l) => (/^ {34}\S/.test(l) ? 34 : /^  (\S+(?: \S+)*) +/.exec(l)![0].length));
    expect(columns.length).toBeGreaterThan(40);
    expect(new Set(columns)).toEqual(new Set([34]));
  });
});

describe('summaries at the terminal', () => {
  it('name operations as the commands to type, not as MCP tools', async () => {
    const { asCommandLine } = await import('../src/cli/operations.js');
    const { memoryEngine } = await import('./helpers/memory.js');
    const { engine } = await memoryEngine();
    expect(asCommandLine(engine, 'No accounts are linked yet. Start with start_aws_setup (kind "management") or another start_*_setup tool.')).toBe(
      'No accounts are linked yet. Start with `cloudlink start-aws-setup --kind management` or another `cloudlink start-…-setup` command.',
    );
    // Only real operation names change; other snake_case words stay as they are.
    expect(asCommandLine(engine, 'see check_account and not_an_operation')).toBe('see `cloudlink check-account` and not_an_operation');
  });
});
