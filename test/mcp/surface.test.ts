import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { createMcpServer } from '../../src/mcp/server.js';
import { assistant, memoryEngine } from '../helpers/memory.js';

async function surface(readOnly: boolean) {
  const { engine } = await memoryEngine();
  const server = createMcpServer(engine, assistant, { readOnly, requireElicitation: false }, silentLogger);
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: 'surface', version: '1' });
  await client.connect(b);
  const { tools } = await client.listTools();
  const { resources } = await client.listResources();
  const { resourceTemplates } = await client.listResourceTemplates();
  const { prompts } = await client.listPrompts();
  await client.close();
  return {
    tools: tools.sort((x, y) => x.name.localeCompare(y.name)),
    resources: resources.map((r) => r.uri).sort(),
    resourceTemplates: resourceTemplates.map((r) => r.uriTemplate),
    prompts: prompts.sort((x, y) => x.name.localeCompare(y.name)),
  };
}

/**
 * The public MCP surface, pinned: tool names, schemas, annotations and descriptions. A change here is
 * a change for every assistant that uses cloudlink; update the snapshot only on purpose
 * (`npx vitest run test/mcp/surface.test.ts -u`).
 */
describe('the MCP surface', () => {
  it('matches the pinned tools, schemas and annotations', async () => {
    await expect(JSON.stringify(await surface(false), null, 2)).toMatchFileSnapshot('./__snapshots__/surface.json');
  });

  it('is the same for 2026-07-28 clients', async () => {
    const { engine } = await memoryEngine();
    const { createMcpHttpApp } = await import('../../src/mcp/http.js');
    const { modernClient } = await import('../helpers/mcp.js');
    const { app, stop } = createMcpHttpApp(engine, { tokens: [{ token: 'tok-surface-0123456789abcdef', actor: 'ops-bot', role: 'admin' }], host: '127.0.0.1', options: { readOnly: false, requireElicitation: false } }, silentLogger);
    const server = await new Promise<import('node:http').Server>((r) => {
      const x = app.listen(0, '127.0.0.1', () => r(x));
    });
    const client = await modernClient(`http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}/mcp`, { authorization: 'Bearer tok-surface-0123456789abcdef' });
    const modern = { tools: (await client.listTools()).tools, prompts: (await client.listPrompts()).prompts, templates: (await client.listResourceTemplates()).resourceTemplates };
    await client.close();
    await stop();
    server.closeAllConnections();
    server.close();
    const legacy = await surface(false);
    const sorted = <T extends { name: string }>(xs: T[]) => [...xs].sort((x, y) => x.name.localeCompare(y.name));
    expect(JSON.parse(JSON.stringify(sorted(modern.tools)))).toEqual(JSON.parse(JSON.stringify(legacy.tools)));
    expect(sorted(modern.prompts)).toEqual(legacy.prompts);
    expect(modern.templates.map((t) => t.uriTemplate)).toEqual(legacy.resourceTemplates);
  });

  it('offers only read-only tools in read-only mode', async () => {
    const { tools } = await surface(true);
    expect(tools.length).toBeGreaterThan(5);
    for (const t of tools) expect(t.annotations?.readOnlyHint, t.name).toBe(true);
    expect(tools.map((t) => t.name)).not.toContain('delete_account');
  });
});
