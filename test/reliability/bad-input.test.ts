import { readFile } from 'node:fs/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudlinkError } from '../../src/engine/errors.js';
import { awsFamily } from '../../src/engine/families/aws/index.js';
import { completeAwsSetup } from '../../src/engine/families/aws-role/operations.js';
import { azureFamily } from '../../src/engine/families/azure/index.js';
import { m365Family } from '../../src/engine/families/m365/index.js';
import { getAccount, listAccounts } from '../../src/engine/operations/accounts.js';
import { getAuditLog } from '../../src/engine/operations/audit-log.js';
import { inviteColleague } from '../../src/engine/operations/invites.js';
import { renameAccount } from '../../src/engine/operations/rename-account.js';
import { createMcpServer } from '../../src/mcp/server.js';
import { silentLogger } from '../../src/log.js';
import { admin, deployStack, harness, type Harness } from '../helpers/engine.js';
import { textOf } from '../helpers/mcp.js';
import { slackHarness, text } from '../helpers/slack.js';

const TEN_KB = 'x'.repeat(10_240);
const BAD_NAMES = ['', '   ', TEN_KB, 'tab\there', 'bell\u0007', 'new\nline', '<!channel>', '<@U123>', '<https://evil.example|click>'];
const BAD_ARNS = ['', 'arn:aws:iam::12345:role/x', 'arn:aws:iam::123456789012:user/alice', 'arn:aws:s3:::bucket', `arn:aws:iam::123456789012:role/${TEN_KB}`, 'arn:aws:iam::123456789012:role/<!channel>', 'arn:aws:iam::123456789012:role/a\nb'];
const BAD_GUIDS = ['', 'not-a-guid', '00000000-0000-0000-0000-00000000000', '{00000000-0000-0000-0000-000000000000}', TEN_KB];

const startAwsSetup = awsFamily.start;
let h: Harness;
let setupId: string;
let azureSetupArgs: { tenantId: string; clientId: string };
beforeAll(async () => {
  h = await harness();
  setupId = await payerAndOpenSetup(h);
  azureSetupArgs = { tenantId: '11111111-1111-1111-1111-111111111111', clientId: '22222222-2222-2222-2222-222222222222' };
});
afterAll(async () => {
  await h.close();
});

/** Links "Payer" and returns the id of another open AWS setup. */
async function payerAndOpenSetup(on: Harness) {
  const s = await on.engine.run(startAwsSetup, admin, { kind: 'management' });
  await on.engine.run(completeAwsSetup, admin, { setupId: s.setupId, name: 'Payer', roleArn: deployStack(on.aws, s, '111111111111') });
  return (await on.engine.run(startAwsSetup, admin, { kind: 'management' })).setupId;
}

/** Every case: a CloudlinkError that says what is wrong, and a store file byte-for-byte unchanged. */
async function refusedAndUnchanged(run: () => Promise<unknown>) {
  const before = await readFile(h.storePath, 'utf8');
  const e = await run().then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e, 'the call should have been refused').toBeInstanceOf(CloudlinkError);
  const err = e as CloudlinkError;
  expect(err.message.length).toBeGreaterThan(15);
  expect(err.message).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(await readFile(h.storePath, 'utf8')).toBe(before);
  return err;
}

describe('bad input at the engine', () => {
  it.each(BAD_NAMES.map((n) => [JSON.stringify(n).slice(0, 30), n]))('rename to %s', async (_, name) => {
    const e = await refusedAndUnchanged(() => h.engine.run(renameAccount, admin, { account: 'Payer', newName: name }));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.fields.newName).toBeDefined();
  });

  it.each(BAD_ARNS.map((a) => [JSON.stringify(a).slice(0, 40), a]))('complete with role ARN %s', async (_, roleArn) => {
    const calls = h.aws.calls.length;
    const e = await refusedAndUnchanged(() => h.engine.run(completeAwsSetup, admin, { setupId, name: 'New', roleArn }));
    expect(['INVALID_INPUT']).toContain(e.code);
    expect(h.aws.calls.length).toBe(calls);
  });

  it.each(BAD_GUIDS.map((g) => [JSON.stringify(g).slice(0, 40), g]))('Azure tenant id %s', async (_, tenantId) => {
    const e = await refusedAndUnchanged(() => h.engine.run(azureFamily.start, admin, { ...azureSetupArgs, tenantId }));
    expect(e.fields.tenantId).toBeDefined();
  });

  it.each([
    ['wrong type for name', () => h.engine.run(renameAccount, admin, { account: 'Payer', newName: 42 })],
    ['array instead of object', () => h.engine.run(listAccounts, admin, [])],
    ['null input', () => h.engine.run(getAccount, admin, null)],
    ['unknown field', () => h.engine.run(renameAccount, admin, { account: 'Payer', newName: 'Ok', sneaky: true })],
    ['caller-chosen External ID', () => h.engine.run(startAwsSetup, admin, { kind: 'management', externalId: 'mine' })],
    ['bad kind', () => h.engine.run(startAwsSetup, admin, { kind: 'root' })],
    ['11-digit account id', () => h.engine.run(startAwsSetup, admin, { kind: 'management', accountId: '12345678901' })],
    ['bad region', () => h.engine.run(startAwsSetup, admin, { kind: 'management', region: 'mars-1' })],
    ['10 KB message', () => h.engine.run(inviteColleague, admin, { setupId, invitee: { id: 'U2' }, message: TEN_KB })],
    ['negative limit', () => h.engine.run(getAuditLog, admin, { limit: -1 })],
    ['M365 without organization', () => h.engine.run(m365Family.start, admin, { ...azureSetupArgs })],
    ['bad organization', () => h.engine.run(m365Family.start, admin, { ...azureSetupArgs, organization: '<!channel>' })],
  ] as const)('%s', async (_, run) => {
    const e = await refusedAndUnchanged(run as () => Promise<unknown>);
    expect(e.code).toBe('INVALID_INPUT');
  });
});

describe('bad input through MCP', () => {
  let client: Client;
  beforeAll(async () => {
    const server = createMcpServer(h.engine, { id: 'mcp-test', via: 'mcp', role: 'admin' }, { readOnly: false, requireElicitation: false }, silentLogger);
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(b);
    client = new Client({ name: 'bad-input', version: '1' });
    await client.connect(a);
  });

  it.each([
    ['rename_account', { account: 'Payer', newName: '<!channel>' }],
    ['rename_account', { account: 'Payer', newName: TEN_KB }],
    ['rename_account', { account: 'Payer', newName: 7 }],
    ['complete_aws_setup', { setupId: 'x', name: 'A', roleArn: 'arn:aws:iam::1:role/x' }],
    ['start_azure_setup', { tenantId: 'nope', clientId: 'nope' }],
    ['list_accounts', { provider: 'gcp' }],
    ['delete_account', { account: 'Payer', confirm_account_name: 'payer' }],
    ['get_account', { account: 'Payer', extra: 1 }],
  ] as const)('%s %j is an isError result and changes nothing', async (name, args) => {
    const before = await readFile(h.storePath, 'utf8');
    const r = await client.callTool({ name, arguments: args as Record<string, unknown> });
    expect(r.isError).toBe(true);
    expect(textOf(r).length).toBeGreaterThan(15);
    expect(textOf(r)).not.toMatch(/\n\s+at .+:\d+:\d+/);
    // Every refusal carries its code, as the README promises for tool errors, arguments included.
    expect(textOf(r)).toMatch(/error code: [A-Z_]+/);
    expect(await readFile(h.storePath, 'utf8')).toBe(before);
  });

  it('refuses arguments of the wrong type in the engine\'s words: the field, what it must be, what to do', async () => {
    const r = await client.callTool({ name: 'list_accounts', arguments: { limit: 'x' } });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/^Input validation error: Invalid arguments for tool list_accounts: limit: must be a number, not text \(a string\)\. Correct it and try again\. \(error code: INVALID_INPUT\)$/);
  });
});

describe('bad input through Slack', () => {
  it('field errors for bad names, ARNs and GUIDs; nothing stored', async () => {
    const s = await slackHarness();
    try {
      const openSetup = await payerAndOpenSetup(s.h);
      const { account } = await s.h.engine.run(getAccount, admin, { account: 'Payer' });
      const before = await readFile(s.h.storePath, 'utf8');
      for (const name of ['<!channel>', TEN_KB, 'a\u0000b', '']) {
        const r = await s.submit('U_ADMIN', 'rename_submit', { new_name: text(name) }, JSON.stringify({ accountId: account.id }));
        expect(r.json.response_action).toBe('errors');
        expect(r.json.errors.new_name.length).toBeGreaterThan(10);
      }
      for (const roleArn of BAD_ARNS.filter(Boolean)) {
        const r = await s.submit('U_ADMIN', 'aws_setup_submit', { name: text('New'), role_arn: text(roleArn), account_id: text(undefined) }, JSON.stringify({ setupId: openSetup }));
        expect(r.json.response_action).toBe('errors');
      }
      const ms = await s.submit('U_ADMIN', 'link_form_submit', { name: text('Az'), tenantId: text('nope'), clientId: text('also nope') }, JSON.stringify({ provider: 'azure' }));
      expect(ms.json.response_action).toBe('errors');
      expect(Object.keys(ms.json.errors).sort()).toEqual(['clientId', 'tenantId']);
      const garbage = await s.submit('U_ADMIN', 'delete_submit', { confirm_name: text('Payer') }, 'not json');
      expect(garbage.json.response_action).toBe('errors');
      expect(await readFile(s.h.storePath, 'utf8')).toBe(before);
    } finally {
      await s.close();
    }
  });
});
