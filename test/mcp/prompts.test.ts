import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsFamily } from '../../src/engine/families/aws/index.js';
import { completeAwsSetup } from '../../src/engine/families/aws-role/operations.js';
import { completeMicrosoftSetup } from '../../src/engine/families/app-certificate/operations.js';
import { azureFamily } from '../../src/engine/families/azure/index.js';
import { silentLogger } from '../../src/log.js';
import { createMcpHttpApp } from '../../src/mcp/http.js';
import { createMcpServer } from '../../src/mcp/server.js';
import { modernClient } from '../helpers/mcp.js';
import { admin, assistant, deployRole, member, memoryEngine } from '../helpers/memory.js';

/** Issue 16, item 4: guided flows as prompts, and completions for account names, setup ids, providers and subscription ids. */

let e: Awaited<ReturnType<typeof memoryEngine>>;
let legacy: Client;
let server: Server;
let url: string;
let openSetup: string;
const TOKEN = 'tok-prompts-0123456789abcdef';
const text = (r: { messages: { content: unknown }[] }) => r.messages.map((m) => (m.content as { text?: string }).text ?? '').join('\n');

beforeAll(async () => {
  e = await memoryEngine();
  for (const [name, id] of [['Payer', '111111111111'], ['Platform', '222222222222']] as const) {
    const s = await e.engine.run(awsFamily.start, admin, { kind: 'management' });
    await e.engine.run(completeAwsSetup, admin, { setupId: s.setupId, name, roleArn: deployRole(e.aws, s, id) });
  }
  const tenant = { tenantId: '00000000-0000-0000-0000-000000000001', clientId: '00000000-0000-0000-0000-000000000002' };
  const az = await e.engine.run(azureFamily.start, admin, { ...tenant, name: 'Contoso' });
  e.ms.apps.push({ ...tenant, uploaded: new Set([az.microsoft!.certificateThumbprint]), roles: [], subscriptions: [{ subscriptionId: 'sub-prod-1', displayName: 'Prod', state: 'Enabled' }, { subscriptionId: 'sub-dev-2', displayName: 'Dev', state: 'Enabled' }] });
  await e.engine.run(completeMicrosoftSetup, admin, { setupId: az.setupId });
  openSetup = (await e.engine.run(awsFamily.start, admin, { kind: 'linked' })).setupId;
  // One account in trouble: its role stops trusting cloudlink.
  e.aws.roles.clear();
  await e.engine.run(e.engine.find('check_account')!, admin, { account: 'Platform' }).catch(() => undefined);

  const mcp = createMcpServer(e.engine, assistant, { readOnly: false, requireElicitation: false }, silentLogger);
  const [a, b] = InMemoryTransport.createLinkedPair();
  await mcp.connect(a);
  legacy = new Client({ name: 'prompts-test', version: '1' });
  await legacy.connect(b);

  const { app } = createMcpHttpApp(e.engine, { tokens: [{ token: TOKEN, actor: 'ops-bot', role: 'admin' }], host: '127.0.0.1', options: { readOnly: false, requireElicitation: false } }, silentLogger);
  server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
});
afterAll(async () => {
  await legacy.close();
  server.closeAllConnections();
  server.close();
});

describe('prompts', () => {
  it('offers the three guided flows, with arguments', async () => {
    const { prompts } = await legacy.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(['link_aws_account', 'link_organization', 'review_accounts_in_trouble']);
    for (const p of prompts) expect(p.description!.length, p.name).toBeGreaterThan(40);
    expect(prompts.find((p) => p.name === 'link_aws_account')!.arguments!.map((a) => a.name)).toEqual(['kind', 'accountId', 'setupId']);
  });

  it('walks through linking an AWS account, or resuming a setup', async () => {
    const fresh = text(await legacy.getPrompt({ name: 'link_aws_account', arguments: { kind: 'management' } }));
    expect(fresh).toMatch(/start_aws_setup with \{"kind": "management"\}/);
    expect(fresh).toMatch(/complete_aws_setup/);
    const resume = text(await legacy.getPrompt({ name: 'link_aws_account', arguments: { setupId: openSetup } }));
    expect(resume).toContain(`get_setup_status with {"setupId": "${openSetup}"}`);
  });

  it('links an organization through a management account, asking which when there are several', async () => {
    const which = text(await legacy.getPrompt({ name: 'link_organization', arguments: {} }));
    expect(which).toMatch(/ask me which management account\): "Payer", "Platform"/);
    const one = text(await legacy.getPrompt({ name: 'link_organization', arguments: { managementAccount: 'Payer' } }));
    expect(one).toMatch(/link_organization with \{"managementAccount": "Payer"\}/);
    expect(one).toMatch(/resync_organization/);
  });

  it('reviews the accounts in trouble with what cloudlink knows now', async () => {
    const review = text(await legacy.getPrompt({ name: 'review_accounts_in_trouble', arguments: {} }));
    expect(review).toMatch(/In error \(1\):\n• Platform/);
    expect(review).toMatch(/check_account/);
    const azure = text(await legacy.getPrompt({ name: 'review_accounts_in_trouble', arguments: { provider: 'azure' } }));
    expect(azure).toMatch(/no azure accounts in trouble/);
  });
});

describe('completions', () => {
  const complete = (ref: { type: 'ref/prompt'; name: string } | { type: 'ref/resource'; uri: string }, name: string, value: string, context?: Record<string, string>) =>
    legacy.complete({ ref, argument: { name, value }, ...(context ? { context: { arguments: context } } : {}) }).then((r) => r.completion.values);

  it('completes account names, management accounts, setup ids and providers', async () => {
    expect(await complete({ type: 'ref/resource', uri: 'cloudlink://accounts/{account}/audit' }, 'account', 'p')).toEqual(['Payer', 'Platform']);
    expect(await complete({ type: 'ref/resource', uri: 'cloudlink://accounts/{account}/audit' }, 'account', '')).toEqual(['Payer', 'Platform', 'Contoso']);
    expect(await complete({ type: 'ref/resource', uri: 'cloudlink://accounts/{account}/audit' }, 'account', 'lat')).toEqual(['Platform']);
    expect(await complete({ type: 'ref/prompt', name: 'link_organization' }, 'managementAccount', 'Pay')).toEqual(['Payer']);
    expect(await complete({ type: 'ref/prompt', name: 'link_aws_account' }, 'setupId', '')).toEqual([openSetup]);
    expect(await complete({ type: 'ref/resource', uri: 'cloudlink://setups/{setupId}' }, 'setupId', openSetup.slice(0, 6))).toEqual([openSetup]);
    expect(await complete({ type: 'ref/prompt', name: 'review_accounts_in_trouble' }, 'provider', 'e')).toEqual(['eks', 'entra', 'azure']);
    expect(await complete({ type: 'ref/prompt', name: 'link_aws_account' }, 'kind', 'l')).toEqual(['linked']);
    // Subscription ids of the Azure account named in the other variable (by id or display name); none for an AWS account.
    const subs = { type: 'ref/resource', uri: 'cloudlink://accounts/{account}/subscriptions/{subscriptionId}' } as const;
    expect(await complete(subs, 'account', '')).toEqual(['Contoso']);
    expect(await complete(subs, 'subscriptionId', '', { account: 'Contoso' })).toEqual(['sub-prod-1', 'sub-dev-2']);
    expect(await complete(subs, 'subscriptionId', 'dev', { account: 'Contoso' })).toEqual(['sub-dev-2']);
    expect(await complete(subs, 'subscriptionId', '', { account: 'Payer' })).toEqual([]);
    const read = await legacy.readResource({ uri: 'cloudlink://accounts/Contoso/subscriptions/sub-dev-2' });
    expect(JSON.parse((read.contents[0] as { text: string }).text)).toMatchObject({ subscriptionId: 'sub-dev-2', displayName: 'Dev' });
    // An unknown reference offers nothing, rather than an error.

    expect(await complete({ type: 'ref/prompt', name: 'no_such_prompt' }, 'x', '')).toEqual([]);
  });

  it('offers only what the caller may see', async () => {
    // Where members may not link, they see setups without their External IDs.
    const strict = await memoryEngine({ store: e.store, env: { CLOUDLINK_MEMBERS_CAN_LINK: 'false' } });
    const asMember = createMcpServer(strict.engine, member, { readOnly: false, requireElicitation: false }, silentLogger);
    const [a, b] = InMemoryTransport.createLinkedPair();
    await asMember.connect(a);
    const c = new Client({ name: 'member', version: '1' });
    await c.connect(b);
    const r = await c.complete({ ref: { type: 'ref/resource', uri: 'cloudlink://setups/{setupId}' }, argument: { name: 'setupId', value: '' } });
    expect(r.completion.values).toEqual([openSetup]);
    const setup = await c.readResource({ uri: `cloudlink://setups/${openSetup}` });
    expect((setup.contents[0] as { text: string }).text).not.toMatch(/"externalId"/);
    await c.close();
  });

  it('serves prompts and completions to 2026-07-28 clients as well', async () => {
    const client = await modernClient(url, { authorization: `Bearer ${TOKEN}` });
    expect((await client.listPrompts()).prompts).toHaveLength(3);
    const values = (await client.complete({ ref: { type: 'ref/resource', uri: 'cloudlink://accounts/{account}/audit' }, argument: { name: 'account', value: 'pay' } })).completion.values;
    expect(values).toEqual(['Payer']);
    expect(text(await client.getPrompt({ name: 'link_organization', arguments: { managementAccount: 'Payer' } }))).toMatch(/"managementAccount": "Payer"/);
    await client.close();
  });
});
