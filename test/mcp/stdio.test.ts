import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployStack, harness, type Harness } from '../helpers/engine.js';
import { stdioClient, textOf, type Elicitor } from '../helpers/mcp.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await h.close();
});

const MUTATING = ['start_aws_setup', 'start_eks_setup', 'complete_aws_setup', 'rename_account', 'delete_account', 'invite_colleague', 'revoke_invite', 'check_account'];

describe('MCP over stdio (the built server, spawned)', () => {
  it('lists every tool with schemas and all four annotations, and keeps stdout for the protocol', async () => {
    const { client, stderr, close } = await stdioClient(h.env);
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    for (const n of ['list_accounts', 'get_account', 'get_setup_status', 'list_invites', 'list_configuration_errors', 'get_audit_log', ...MUTATING]) expect(names).toContain(n);
    for (const t of tools) {
      expect(t.description!.length).toBeGreaterThan(40);
      expect(t.inputSchema.type).toBe('object');
      expect(t.outputSchema?.type).toBe('object');
      for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const) expect(typeof t.annotations?.[hint]).toBe('boolean');
    }
    const del = tools.find((t) => t.name === 'delete_account')!;
    expect(del.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false });
    // Human confirmation is the default: no argument through which the model could confirm by itself.
    expect(del.inputSchema.properties).not.toHaveProperty('confirm_account_name');
    expect(tools.find((t) => t.name === 'list_accounts')!.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    const rename = tools.find((t) => t.name === 'rename_account')!;
    expect(rename.annotations?.idempotentHint).toBe(true);
    expect((rename.inputSchema.properties as Record<string, { maxLength?: number }>).newName!.maxLength).toBe(64);
    const resources = await client.listResources();
    expect(resources.resources.map((r) => r.uri)).toContain('cloudlink://templates/aws-integration-role.yaml');
    const tpl = await client.readResource({ uri: 'cloudlink://templates/aws-integration-role.yaml' });
    expect((tpl.contents[0] as { text: string }).text).toContain('sts:ExternalId');
    expect(stderr.join('')).toContain('cloudlink MCP server on stdio');
    await close();
  });

  it('links an AWS account end to end, renames it, and deletes it only with the typed name', async () => {
    const elicitor: Elicitor = { asked: [], answer: () => ({ action: 'decline' }) };
    const withElicit = await stdioClient(h.env, [], elicitor);
    // The opt-in fallback for clients without elicitation: the typed name as an argument.
    const plain = await stdioClient(h.env, ['--typed-confirmation']);
    const c = withElicit.client;

    const start = await c.callTool({ name: 'start_aws_setup', arguments: { kind: 'management' } });
    expect(start.isError).toBeFalsy();
    const setup = start.structuredContent as { setupId: string; aws: { externalId: string; roleName: string; stackName: string }; quickCreateUrl: string };
    expect(textOf(start)).toContain(setup.aws.externalId);
    expect(setup.quickCreateUrl).toMatch(/^https:\/\/console\.aws\.amazon\.com\/cloudformation/);
    const roleArn = deployStack(h.aws, setup, '111111111111');
    const done = await c.callTool({ name: 'complete_aws_setup', arguments: { setupId: setup.setupId, name: 'Payer', roleArn } });
    expect(done.isError).toBeFalsy();
    expect(done.structuredContent).toMatchObject({ account: { name: 'Payer', status: 'connected' } });

    const renamed = await c.callTool({ name: 'rename_account', arguments: { account: 'payer', newName: 'Billing' } });
    expect(renamed.structuredContent).toMatchObject({ account: { name: 'Billing' }, changed: true });

    // No elicitation: the tool needs the typed name as an argument, and refuses without it.
    const noConfirm = await plain.client.callTool({ name: 'delete_account', arguments: { account: 'Billing' } });
    expect(noConfirm.isError).toBe(true);
    expect(textOf(noConfirm)).toMatch(/Ask the user to type the account name exactly as they see it/);
    expect(textOf(noConfirm)).not.toContain('"Billing"');
    const wrong = await plain.client.callTool({ name: 'delete_account', arguments: { account: 'Billing', confirm_account_name: 'billing' } });
    expect(wrong.isError).toBe(true);
    expect(textOf(wrong)).toMatch(/does not match exactly[^]*Ask the person to type the name again[^]*error code: CONFIRMATION_MISMATCH/);
    // The model is not handed the name it would need to retype it itself.
    expect(textOf(wrong)).not.toContain('Billing');

    // Elicitation: declined aborts; a wrong typed name aborts; the right one deletes.
    const declined = await c.callTool({ name: 'delete_account', arguments: { account: 'Billing' } });
    expect(declined.isError).toBe(true);
    expect(textOf(declined)).toMatch(/declined by the user. Nothing was deleted[^]*error code: CONFIRMATION_DECLINED/);
    expect(elicitor.asked[0]).toMatch(/Delete the AWS account "Billing"/);
    elicitor.answer = () => ({ action: 'accept', content: { confirmName: 'Biling' } });
    expect((await c.callTool({ name: 'delete_account', arguments: { account: 'Billing' } })).isError).toBe(true);
    expect((await c.callTool({ name: 'list_accounts', arguments: {} })).structuredContent).toMatchObject({ total: 1 });
    elicitor.answer = () => ({ action: 'accept', content: { confirmName: 'Billing' } });
    const deleted = await c.callTool({ name: 'delete_account', arguments: { account: 'Billing' } });
    expect(deleted.isError).toBeFalsy();
    expect(textOf(deleted)).toMatch(/delete the CloudFormation stack/);
    expect((await c.callTool({ name: 'list_accounts', arguments: {} })).structuredContent).toMatchObject({ total: 0 });

    const audit = await c.callTool({ name: 'get_audit_log', arguments: {} });
    const entries = (audit.structuredContent as { entries: { operation: string; actor: { via: string; name?: string } }[] }).entries;
    expect(entries[0]).toMatchObject({ operation: 'delete_account', actor: { via: 'mcp', name: 'mcp-stdio via cloudlink-test-client' } });
    await withElicit.close();
    await plain.close();
  });

  it('answers invalid arguments with a clear error result, not a crash', async () => {
    const { client, close } = await stdioClient(h.env);
    const bad = await client.callTool({ name: 'complete_aws_setup', arguments: { setupId: 'x', name: 'ok', roleArn: 'arn:aws:iam::1:role/x', extra: true } });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/extra|Unrecognized/i);
    const arn = await client.callTool({ name: 'start_aws_setup', arguments: { accountId: '12' } });
    expect(arn.isError).toBe(true);
    expect(textOf(arn)).toMatch(/12 digits/);
    const missing = await client.callTool({ name: 'get_account', arguments: { account: 'nope' } });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/No linked account is called "nope"/);
    expect(textOf(missing)).not.toMatch(/at .*\.js:\d+/);
    await close();
  });

  it('--read-only registers only read-only tools', async () => {
    const { client, close } = await stdioClient(h.env, ['--read-only']);
    const { tools } = await client.listTools();
    expect(tools.length).toBeGreaterThan(3);
    for (const t of tools) expect(t.annotations?.readOnlyHint).toBe(true);
    for (const n of MUTATING) expect(tools.map((t) => t.name)).not.toContain(n);
    await close();
  });

  it('with elicitation made mandatory, refuses destructive tools on clients without it, even with the typed fallback on', async () => {
    const { client, close } = await stdioClient({ ...h.env, CLOUDLINK_MCP_REQUIRE_ELICITATION: 'true', CLOUDLINK_MCP_TYPED_CONFIRMATION: 'true' });
    const setup = (await client.callTool({ name: 'start_aws_setup', arguments: { kind: 'management' } })).structuredContent as { setupId: string; aws: { roleName: string; externalId: string; stackName: string } };
    const roleArn = deployStack(h.aws, setup, '222222222222');
    await client.callTool({ name: 'complete_aws_setup', arguments: { setupId: setup.setupId, name: 'Keep', roleArn } });
    const r = await client.callTool({ name: 'delete_account', arguments: { account: 'Keep', confirm_account_name: 'Keep' } });
    expect(r.isError).toBe(true);
    const plain = await client.callTool({ name: 'delete_account', arguments: { account: 'Keep' } });
    expect(plain.isError).toBe(true);
    expect(textOf(plain)).toMatch(/this assistant cannot ask them.*Confirm it in Slack/s);
    expect((await client.callTool({ name: 'get_account', arguments: { account: 'Keep' } })).isError).toBeFalsy();
    await close();
  });
});

describe('Microsoft tools over stdio', () => {
  it('starts an Entra ID setup with the public certificate as PEM, and completes it', async () => {
    const { randomUUID } = await import('node:crypto');
    const tenant = h.ms.addTenant({ id: randomUUID(), apps: [{ clientId: randomUUID(), certificates: [], roles: { graph: ['AccessReview.Read.All'] } }], subscriptions: [] });
    const { client, close } = await stdioClient(h.env);
    const started = await client.callTool({ name: 'start_entra_setup', arguments: { name: 'Directory', tenantId: tenant.id, clientId: tenant.apps[0]!.clientId } });
    expect(started.isError).toBeFalsy();
    const s = started.structuredContent as { setupId: string; microsoft: { certificatePem: string } };
    expect(textOf(started)).toContain('-----BEGIN CERTIFICATE-----');
    expect(JSON.stringify(started)).not.toMatch(/PRIVATE KEY|encryptedKey/);
    const early = await client.callTool({ name: 'complete_microsoft_setup', arguments: { setupId: s.setupId } });
    expect(early.isError).toBe(true);
    expect(textOf(early)).toMatch(/Upload the certificate/);
    tenant.apps[0]!.certificates.push(s.microsoft.certificatePem);
    const done = await client.callTool({ name: 'complete_microsoft_setup', arguments: { setupId: s.setupId } });
    expect(done.structuredContent).toMatchObject({ account: { name: 'Directory', provider: 'entra', status: 'connected' } });
    await close();
  });
});
