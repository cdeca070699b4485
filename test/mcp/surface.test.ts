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
  await client.close();
  return { tools: tools.sort((x, y) => x.name.localeCompare(y.name)), resources: resources.map((r) => r.uri).sort(), resourceTemplates: resourceTemplates.map((r) => r.uriTemplate) };
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

  it('offers only read-only tools in read-only mode', async () => {
    const { tools } = await surface(true);
    expect(tools.length).toBeGreaterThan(5);
    for (const t of tools) expect(t.annotations?.readOnlyHint, t.name).toBe(true);
    expect(tools.map((t) => t.name)).not.toContain('delete_account');
  });
});
