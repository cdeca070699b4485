import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { fileURLToPath } from 'node:url';
import { writeStore } from './fixtures.js';
import { median, percentile } from './stats.js';

const CLI = fileURLToPath(new URL('../dist/bundle/cli.mjs', import.meta.url));

/** list_accounts and rename_account round trips over stdio, against a store of `n` accounts. */
export async function mcpToolLatency(dir: string, n: number, env: NodeJS.ProcessEnv) {
  const path = `${dir}/mcp-${n}.json`;
  await writeStore(path, n);
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp'], env: { ...(env as Record<string, string>), CLOUDLINK_STORE_PATH: path }, stderr: 'ignore' });
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(transport);
  const time = async (runs: number, call: (i: number) => Promise<unknown>) => {
    const xs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await call(i);
      xs.push(performance.now() - t0);
    }
    return { median: median(xs), p99: percentile(xs, 99) };
  };
  const list = await time(n >= 10_000 ? 10 : 30, () => client.callTool({ name: 'list_accounts', arguments: {} }));
  const target = ((await client.callTool({ name: 'get_account', arguments: { account: 'Account 1' } })).structuredContent as { account: { id: string } }).account.id;
  const rename = await time(30, (i) => client.callTool({ name: 'rename_account', arguments: { account: target, newName: i % 2 ? 'Account 1' : 'Account one' } }).then((r) => {
    if (r.isError) throw new Error(JSON.stringify(r.content));
  }));
  await client.close();
  return { list, rename };
}
