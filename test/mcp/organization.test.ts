import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { awsFamily } from '../../src/engine/families/aws/index.js';
import { completeAwsSetup } from '../../src/engine/families/aws-role/operations.js';
import { silentLogger } from '../../src/log.js';
import { createMcpServer } from '../../src/mcp/server.js';
import { textOf } from '../helpers/mcp.js';
import { admin, assistant, deployRole, memoryEngine } from '../helpers/memory.js';
import { flatOrganization, MGMT } from '../helpers/organization.js';


async function setup(members: number) {
  const e = await memoryEngine();
  const s = await e.engine.run(awsFamily.start, admin, { kind: 'management' });
  await e.engine.run(completeAwsSetup, admin, { setupId: s.setupId, name: 'Payer', roleArn: deployRole(e.aws, s, MGMT) });
  flatOrganization(e.aws, members);
  const server = createMcpServer(e.engine, assistant, { readOnly: false, requireElicitation: false }, silentLogger);
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: 'org-test', version: '1' }, { capabilities: { elicitation: {} } });
  const asked: string[] = [];
  let answer = 'Payer';
  client.setRequestHandler(ElicitRequestSchema, async (req) => {
    asked.push((req.params as { message: string }).message);
    return { action: 'accept', content: { confirmName: answer } };
  });
  await client.connect(b);
  return { e, client, asked, answerWith: (x: string) => (answer = x) };
}

describe('an organization over MCP', () => {
  it('links it with progress notifications, lists it by OU, and unlinks it only with the human typing the name', async () => {
    const { e, client, asked, answerWith } = await setup(120);
    const first = await client.callTool({ name: 'link_organization', arguments: { managementAccount: 'Payer' } });
    const externalId = (first.structuredContent as { organization: { externalId: string } }).organization.externalId;
    for (let i = 0; i < 120; i++) e.aws.roles.set(`arn:aws:iam::${200000000000 + i}:role/CloudlinkMember`, { accountId: String(200000000000 + i), externalId });

    const progress: { progress: number; total?: number; message?: string }[] = [];
    const r = await client.callTool({ name: 'resync_organization', arguments: { organization: 'Payer' } }, undefined, { onprogress: (p) => void progress.push(p) });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ summary: { linkedNow: 120 }, organization: { counts: { linked: 120 } } });
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.at(-1)).toMatchObject({ progress: 120, total: 120 });
    expect(progress.map((p) => p.progress)).toEqual([...progress.map((p) => p.progress)].sort((x, y) => x - y));

    const list = await client.callTool({ name: 'list_organization', arguments: { organization: 'Payer', ou: 'ou-ab12-11111111', limit: 5 } });
    expect(list.structuredContent).toMatchObject({ total: 120, members: expect.arrayContaining([expect.objectContaining({ state: 'linked', ou: expect.objectContaining({ name: 'Workloads' }) })]) });

    answerWith('payer');
    const wrong = await client.callTool({ name: 'unlink_organization', arguments: { organization: 'Payer' } });
    expect(wrong.isError).toBe(true);
    expect(asked[0]).toMatch(/deletes 120 member accounts/);
    answerWith('Payer');
    const unlinked = await client.callTool({ name: 'unlink_organization', arguments: { organization: 'Payer' } });
    expect(textOf(unlinked)).toMatch(/120 member accounts deleted/);
    expect((await e.store.read()).accounts).toHaveLength(1);
  });

  it('stops between batches when the client cancels', async () => {
    const { e, client } = await setup(400);
    const first = await client.callTool({ name: 'link_organization', arguments: { managementAccount: 'Payer' } });
    const externalId = (first.structuredContent as { organization: { externalId: string } }).organization.externalId;
    for (let i = 0; i < 400; i++) e.aws.roles.set(`arn:aws:iam::${200000000000 + i}:role/CloudlinkMember`, { accountId: String(200000000000 + i), externalId });
    // Each verification takes a moment, as AWS does; the client gives up after the first progress.
    const verify = e.aws.verifyRole.bind(e.aws);
    e.aws.verifyRole = async (input) => {
      await new Promise((res) => setTimeout(res, 5));
      return verify(input);
    };
    const controller = new AbortController();
    const call = client.callTool({ name: 'resync_organization', arguments: { organization: 'Payer' } }, undefined, { signal: controller.signal, onprogress: (p) => p.progress > 0 && controller.abort() });
    await expect(call).rejects.toThrow();
    await new Promise((res) => setTimeout(res, 300));
    const linked = (await e.store.read()).accounts.length - 1;
    expect(linked).toBeGreaterThan(0);
    expect(linked).toBeLessThan(400);
  });
});
