import { randomUUID } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { listAccounts } from '../../src/engine/operations/accounts.js';
import { deleteAccount } from '../../src/engine/operations/delete-account.js';
import { SecretBox } from '../../src/engine/secrets.js';
import { createLogger, silentLogger, type Level } from '../../src/log.js';
import { createMcpServer } from '../../src/mcp/server.js';
import { admin, deployStack, member, type Harness } from '../helpers/engine.js';
import { textOf } from '../helpers/mcp.js';
import { SIGNING_SECRET, sign, slackHarness, text } from '../helpers/slack.js';

const logs: string[] = [];
const log = createLogger({ level: 'debug', write: (l) => logs.push(l) });
let h: Harness;
let s: Awaited<ReturnType<typeof slackHarness>>;
let client: Client;
const results: unknown[] = [];
let privateKeyBody = '';

beforeAll(async () => {
  // The service slackHarness builds logs to the silent logger: every line it (engine, Slack) writes is captured here.
  for (const level of ['debug', 'info', 'warn', 'error'] as Level[]) vi.spyOn(silentLogger, level).mockImplementation(log[level]);
  s = await slackHarness();
  h = s.h;
  const server = createMcpServer(h.engine, { id: 'mcp-sec', via: 'mcp', role: 'admin' }, { readOnly: false, requireElicitation: false }, log);
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(b);
  client = new Client({ name: 'sec', version: '1' });
  await client.connect(a);
  const call = async (name: string, args: Record<string, unknown>) => {
    const r = await client.callTool({ name, arguments: args });
    results.push(r);
    return r;
  };

  // AWS: a refused role, then a link (the fake hands out secret keys and session tokens).
  const setup = (await call('start_aws_setup', { kind: 'management' })).structuredContent as { setupId: string; aws: { roleName: string; externalId: string; stackName: string } };
  h.aws.addRole({ arn: `arn:aws:iam::111111111111:role/${setup.aws.roleName}`, accountId: '111111111111', externalId: 'cl-other' });
  await call('complete_aws_setup', { setupId: setup.setupId, name: 'Payer', roleArn: `arn:aws:iam::111111111111:role/${setup.aws.roleName}` });
  h.aws.roles.clear();
  await call('complete_aws_setup', { setupId: setup.setupId, name: 'Payer', roleArn: deployStack(h.aws, setup, '111111111111') });
  await call('check_account', { account: 'Payer' });

  // Microsoft: the private key exists, sealed; a failed and a successful sign-in.
  const tenant = h.ms.addTenant({ id: randomUUID(), apps: [{ clientId: randomUUID(), certificates: [], roles: { graph: ['AccessReview.Read.All'] } }], subscriptions: [] });
  const ms = (await call('start_entra_setup', { name: 'Dir', tenantId: tenant.id, clientId: tenant.apps[0]!.clientId })).structuredContent as { setupId: string; microsoft: { certificatePem: string } };
  await call('complete_microsoft_setup', { setupId: ms.setupId });
  tenant.apps[0]!.certificates.push(ms.microsoft.certificatePem);
  await call('complete_microsoft_setup', { setupId: ms.setupId });
  // Once linked, the account holds the sealed key (the setup keeps only the public certificate).
  const stored = (await h.store.read()).accounts.find((x) => x.name === 'Dir') as unknown as { entra: { certificate: { encryptedKey: Parameters<SecretBox['open']>[0] } } };
  privateKeyBody = new SecretBox(Buffer.alloc(32, 7)).open(stored.entra.certificate.encryptedKey).split('\n')[1]!;
  await call('get_account', { account: 'Dir' });
  await call('list_accounts', {});

  // Slack: list, status, a failed rename, App Home.
  await s.command('U_ADMIN', 'list');
  await s.command('U_ADMIN', 'status Payer');
  await s.submit('U_ADMIN', 'rename_submit', { new_name: text('<!channel>') }, JSON.stringify({ accountId: 'x' }));
  await s.event({ type: 'app_home_opened', user: 'U_ADMIN', channel: 'D1', tab: 'home' });

  // An unexpected error carrying secrets must be logged scrubbed and answered generically.
  const original = h.gateways.aws.verifyRole.bind(h.gateways.aws);
  h.gateways.aws.verifyRole = async () => {
    throw new Error(`boom ${h.aws.issuedSecrets[0]} AKIAABCDEFGHIJKLMNOP -----BEGIN PRIVATE KEY-----\n${privateKeyBody}\n-----END PRIVATE KEY-----`);
  };
  await call('check_account', { account: 'Payer' });
  h.gateways.aws.verifyRole = original;
});
afterAll(async () => {
  await s.close();
  vi.restoreAllMocks();
});

describe('secrets stay secret', () => {
  it('appear in no log line, tool result, Slack message or stored field', async () => {
    expect(h.aws.issuedSecrets.length).toBeGreaterThan(4);
    expect(privateKeyBody.length).toBeGreaterThan(40);
    const secrets = [...h.aws.issuedSecrets, privateKeyBody, 'PRIVATE KEY', 'platform-secret-key-for-tests-only', 'xoxb-test-token', SIGNING_SECRET, h.env.CLOUDLINK_ENCRYPTION_KEY!, 'AKIAABCDEFGHIJKLMNOP'];
    const surfaces = {
      logs: logs.join('\n'),
      mcp: JSON.stringify(results),
      // Every message, view and upload; not auth.test, where Bolt hands Slack the bot token as its credential.
      slack: JSON.stringify([s.slack.calls.filter((c) => c.method !== 'auth.test'), s.slack.responses, [...s.slack.uploads.values()]]),
      store: JSON.stringify((await h.store.read()).accounts.map((a) => ({ ...a, microsoft: undefined }))),
    };
    for (const [where, text] of Object.entries(surfaces)) {
      for (const secret of secrets) expect(text.includes(secret), `${secret.slice(0, 12)}… found in ${where}`).toBe(false);
    }
    expect(surfaces.logs).toMatch(/\[redacted\]/);
    expect(surfaces.mcp).toMatch(/unexpected error|Something went wrong/);
  });
});

describe('who may do what', () => {
  it('a member cannot delete, from either front end or the engine', async () => {
    await expect(h.engine.run(deleteAccount, member, { account: 'Payer', confirmName: 'Payer' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await s.command('U_MEMBER', 'delete Payer');
    expect(JSON.stringify(s.slack.of('views.open').at(-1)!.args.view)).toMatch(/only cloudlink admins may delete/);
    const server = createMcpServer(h.engine, { id: 'intern', via: 'mcp', role: 'member' }, { readOnly: false, requireElicitation: false }, log);
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(b);
    const c = new Client({ name: 'intern', version: '1' });
    await c.connect(a);
    const r = await c.callTool({ name: 'delete_account', arguments: { account: 'Payer' } });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/only cloudlink admins may delete/);
    expect((await h.engine.run(listAccounts, admin, {})).accounts.map((x) => x.name)).toContain('Payer');
  });
});

describe('Slack request authenticity', () => {
  it('refuses a captured request replayed after the 5-minute window, and a tampered body', async () => {
    const body = new URLSearchParams({ command: '/cloud', text: 'list', user_id: 'U_ADMIN', trigger_id: 't', response_url: `${s.slack.url}/response/replay` }).toString();
    const captured = sign(body, Math.floor(Date.now() / 1000) - 301);
    expect((await s.post(body, 'application/x-www-form-urlencoded', captured)).status).toBe(401);
    const fresh = sign(body);
    expect((await s.post(body.replace('list', 'help'), 'application/x-www-form-urlencoded', fresh)).status).toBe(401);
    expect((await s.post(body, 'application/x-www-form-urlencoded', { 'x-slack-request-timestamp': fresh['x-slack-request-timestamp'] })).status).toBe(401);
  });
});
