import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { median } from './stats.js';

const CLI = fileURLToPath(new URL('../dist/bundle/cli.mjs', import.meta.url));
const EVERYTHING = createRequire(import.meta.url).resolve('@modelcontextprotocol/server-everything/dist/index.js');

const lines = [
  { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } },
  { jsonrpc: '2.0', method: 'notifications/initialized' },
  { jsonrpc: '2.0', id: 2, method: 'tools/list' },
].map((m) => JSON.stringify(m) + '\n');

/** Spawn → the answer to tools/list, as an assistant experiences it on every start. */
export function timeToToolsList(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['pipe', 'pipe', 'ignore'] });
    let buf = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no tools/list answer from ${args.join(' ')}`));
    }, 20_000);
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.split('\n').some((l) => l.includes('"id":2') && l.includes('"tools"'))) {
        const t = performance.now() - t0;
        clearTimeout(timer);
        child.kill('SIGKILL');
        resolve(t);
      }
    });
    child.on('error', reject);
    for (const l of lines) child.stdin.write(l);
  });
}

export async function mcpStartup(env: NodeJS.ProcessEnv, runs = 9) {
  const ours: number[] = [];
  const ref: number[] = [];
  // Interleaved, after one warm-up each, so disk cache and CPU state favour neither.
  await timeToToolsList([CLI, 'mcp'], env);
  await timeToToolsList([EVERYTHING, 'stdio'], env);
  for (let i = 0; i < runs; i++) {
    ours.push(await timeToToolsList([CLI, 'mcp'], env));
    ref.push(await timeToToolsList([EVERYTHING, 'stdio'], env));
  }
  return { ours: median(ours), reference: median(ref) };
}
