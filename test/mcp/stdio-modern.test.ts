import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployStack, harness, type Harness } from '../helpers/engine.js';
import { CLI, MODERN, stdioClient, textOf, type Elicitor } from '../helpers/mcp.js';

/** Issue 16, item 1, on stdio: the built server answers a 2026-07-28 client and a 2025-11-25 one, each on its own connection. */

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await h.close();
});

async function modernStdio(env: Record<string, string>, elicitor?: Elicitor, mode: 'pin' | 'auto' = 'pin') {
  const { Client } = await import('@modelcontextprotocol/client');
  const { StdioClientTransport } = await import('@modelcontextprotocol/client/stdio');
  const client = new Client({ name: 'modern-stdio-client', version: '1' }, { capabilities: elicitor ? { elicitation: {} } : {}, versionNegotiation: { mode: mode === 'pin' ? { pin: MODERN } : 'auto' } });
  if (elicitor) {
    client.setRequestHandler('elicitation/create', async (req) => {
      const message = (req.params as { message: string }).message;
      elicitor.asked.push(message);
      return elicitor.answer(message) as never;
    });
  }
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp'], env: { PATH: process.env.PATH ?? '', ...env }, stderr: 'ignore' }));
  return client;
}

describe('MCP over stdio, both eras', () => {
  it('serves a 2026-07-28 client: tools, prompts, and a delete confirmed by the human through input_required', async () => {
    const legacy = await stdioClient(h.env);
    const setup = (await legacy.client.callTool({ name: 'start_aws_setup', arguments: { kind: 'management' } })).structuredContent as { setupId: string; aws: { roleName: string; externalId: string; stackName: string } };
    await legacy.client.callTool({ name: 'complete_aws_setup', arguments: { setupId: setup.setupId, name: 'Stdio', roleArn: deployStack(h.aws, setup, '444444444444') } });
    await legacy.close();

    const elicitor: Elicitor = { asked: [], answer: () => ({ action: 'accept', content: { confirmName: 'Stdio' } }) };
    const modern = await modernStdio(h.env, elicitor);
    expect(modern.getProtocolEra()).toBe('modern');
    const { tools } = await modern.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['list_accounts', 'delete_account']));
    expect((await modern.listPrompts()).prompts).toHaveLength(3);
    const deleted = await modern.callTool({ name: 'delete_account', arguments: { account: 'Stdio' } });
    expect(deleted.isError, textOf(deleted)).toBeFalsy();
    expect(elicitor.asked).toEqual([expect.stringMatching(/Delete the AWS account "Stdio"/)]);
    await modern.close();

    // A client that probes ("auto") finds the modern era on the same binary.
    const probing = await modernStdio(h.env, undefined, 'auto');
    expect(probing.getProtocolEra()).toBe('modern');
    expect((await probing.callTool({ name: 'list_accounts', arguments: {} })).structuredContent).toMatchObject({ total: 0 });
    await probing.close();
  });
});
