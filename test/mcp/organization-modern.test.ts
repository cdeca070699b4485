import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { awsFamily } from '../../src/engine/families/aws/index.js';
import { completeAwsSetup } from '../../src/engine/families/aws-role/operations.js';
import { silentLogger } from '../../src/log.js';
import { createMcpHttpApp } from '../../src/mcp/http.js';
import { modernClient } from '../helpers/mcp.js';
import { admin, deployRole, memoryEngine } from '../helpers/memory.js';
import { flatOrganization, MGMT } from '../helpers/organization.js';

/** Issue 16, item 6, on the 2026-07-28 revision: long calls send progress on their own response stream and stop when the client cancels (closes it). */

const TOKEN = 'tok-org-modern-0123456789abcdef';

async function setup(members: number) {
  const e = await memoryEngine();
  const s = await e.engine.run(awsFamily.start, admin, { kind: 'management' });
  await e.engine.run(completeAwsSetup, admin, { setupId: s.setupId, name: 'Payer', roleArn: deployRole(e.aws, s, MGMT) });
  flatOrganization(e.aws, members);
  const { app, stop } = createMcpHttpApp(e.engine, { tokens: [{ token: TOKEN, actor: 'ops-bot', role: 'admin' }], host: '127.0.0.1', options: { readOnly: false, requireElicitation: false } }, silentLogger);
  const server: Server = await new Promise((r) => {
    const x = app.listen(0, '127.0.0.1', () => r(x));
  });
  const client = await modernClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, { authorization: `Bearer ${TOKEN}` });
  const first = await client.callTool({ name: 'link_organization', arguments: { managementAccount: 'Payer' } });
  const externalId = (first.structuredContent as { organization: { externalId: string } }).organization.externalId;
  for (let i = 0; i < members; i++) e.aws.roles.set(`arn:aws:iam::${200000000000 + i}:role/CloudlinkMember`, { accountId: String(200000000000 + i), externalId });
  return {
    e,
    client,
    async close() {
      await client.close();
      await stop();
      server.closeAllConnections();
      server.close();
    },
  };
}

describe('an organization over MCP 2026-07-28', () => {
  it('resyncs with progress notifications', async () => {
    const { client, close } = await setup(120);
    const progress: { progress: number; total?: number }[] = [];
    const r = await client.callTool({ name: 'resync_organization', arguments: { organization: 'Payer' } }, { onprogress: (p) => void progress.push(p) });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ summary: { linkedNow: 120 } });
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.at(-1)).toMatchObject({ progress: 120, total: 120 });
    await close();
  });

  it('stops between batches when the client cancels', async () => {
    const { e, client, close } = await setup(400);
    const verify = e.aws.verifyRole.bind(e.aws);
    e.aws.verifyRole = async (input) => {
      await new Promise((res) => setTimeout(res, 5));
      return verify(input);
    };
    const controller = new AbortController();
    const call = client.callTool({ name: 'resync_organization', arguments: { organization: 'Payer' } }, { signal: controller.signal, onprogress: (p) => p.progress > 0 && controller.abort() });
    await expect(call).rejects.toThrow();
    await new Promise((res) => setTimeout(res, 300));
    const linked = (await e.store.read()).accounts.length - 1;
    expect(linked).toBeGreaterThan(0);
    expect(linked).toBeLessThan(400);
    await close();
  });
});
