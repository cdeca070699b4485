import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { mcpStartup } from './mcp-startup.js';
import { ms } from './stats.js';

/** `npm run bench`: one table. A benchmark, never a timed test. */
const rows: [string, string, string][] = [];
const row = (what: string, value: string, note = '') => {
  rows.push([what, value, note]);
  process.stderr.write(`  ${what}: ${value} ${note}\n`);
};

const dir = await mkdtemp(join(tmpdir(), 'cloudlink-bench-'));
const env = { ...process.env, CLOUDLINK_STORE_PATH: join(dir, 'startup.json'), CLOUDLINK_LOG_LEVEL: 'error' };
try {
  const s = await mcpStartup(env);
  row('MCP stdio start-up, spawn → tools/list (median of 9)', `${ms(s.ours)} vs ${ms(s.reference)}`, `cloudlink vs server-everything: ${(s.ours / s.reference).toFixed(2)}×`);
} finally {
  await rm(dir, { recursive: true, force: true });
}

const width = Math.max(...rows.map((r) => r[0].length));
console.log(`\ncloudlink benchmark — ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n`);
console.log(`| ${'measure'.padEnd(width)} | result | note |`);
console.log(`|${'-'.repeat(width + 2)}|---|---|`);
for (const [a, b, c] of rows) console.log(`| ${a.padEnd(width)} | ${b} | ${c} |`);
