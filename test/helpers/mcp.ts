import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/bundle/cli.mjs', import.meta.url));

export type Elicitor = { answer: (message: string) => ElicitResult; asked: string[] };

/** An MCP client as assistants run it; with `elicitor`, it declares elicitation and answers as told. */
export function makeClient(elicitor?: Elicitor) {
  const client = new Client({ name: 'cloudlink-test-client', version: '1.0.0' }, { capabilities: elicitor ? { elicitation: {} } : {} });
  if (elicitor) {
    client.setRequestHandler(ElicitRequestSchema, async (req) => {
      const message = (req.params as { message: string }).message;
      elicitor.asked.push(message);
      return elicitor.answer(message);
    });
  }
  return client;
}

/** Spawns the built server over stdio, as a desktop assistant does. */
export async function stdioClient(env: Record<string, string>, args: string[] = [], elicitor?: Elicitor) {
  const client = makeClient(elicitor);
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', ...args], env: { PATH: process.env.PATH ?? '', ...env }, stderr: 'pipe' });
  const stderr: string[] = [];
  transport.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
  await client.connect(transport);
  return { client, stderr, close: () => client.close() };
}

export const textOf = (r: object) => (((r as { content?: unknown }).content as { type: string; text?: string }[]) ?? []).map((c) => c.text ?? '').join('\n');
