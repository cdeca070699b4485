import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { mcpStartup } from './mcp-startup.js';
import { mcpToolLatency } from './mcp-tools.js';
import { mcpHttpLatency } from './mcp-http.js';
import { slackAck } from './slack-ack.js';
import { storeRename } from './store.js';
import { organizationBench } from './organization.js';
import { storeComparison, twoInstanceThroughput } from './stores.js';
import { mb, ms } from './stats.js';
import { fanOutBench, vendBench } from './handoff.js';

/** `npm run bench`: one table. A benchmark, never a timed test. */
const rows: [string, string, string][] = [];
const row = (what: string, value: string, note = '') => {
  rows.push([what, value, note]);
  process.stderr.write(`  ${what}: ${value} ${note}\n`);
};

// `npm run bench -- slack store` runs only those sections.
const SECTIONS = ['startup', 'mcp', 'http', 'slack', 'organization', 'store', 'stores', 'handoff'];
const only = new Set(process.argv.slice(2));
const unknown = [...only].filter((s) => !SECTIONS.includes(s));
if (unknown.length) {
  process.stderr.write(`npm run bench: no section called ${unknown.join(', ')}. The sections are: ${SECTIONS.join(', ')} (none: all of them).\n`);
  process.exit(2);
}
const want = (section: string) => only.size === 0 || only.has(section);

const dir = await mkdtemp(join(tmpdir(), 'cloudlink-bench-'));
const env = { ...process.env, CLOUDLINK_STORE_PATH: join(dir, 'startup.json'), CLOUDLINK_LOG_LEVEL: 'error', CLOUDLINK_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') };
try {
  if (want('startup')) {
  const s = await mcpStartup(env);
  row('MCP stdio start-up, spawn → tools/list answered (median of 9)', `${ms(s.ours)} vs ${ms(s.reference)}`, `cloudlink vs @modelcontextprotocol/server-everything: ${(s.ours / s.reference).toFixed(2)}×`);
  }

  if (want('mcp'))
  for (const n of [10, 1_000, 10_000]) {
    const t = await mcpToolLatency(dir, n, env);
    row(`MCP list_accounts (first page of 100) over stdio, ${n.toLocaleString('en')} accounts`, `${ms(t.list.median)} median, ${ms(t.list.p99)} p99`);
    row(`MCP rename_account over stdio, ${n.toLocaleString('en')} accounts`, `${ms(t.rename.median)} median, ${ms(t.rename.p99)} p99`);
  }

  if (want('mcp') || want('http')) {
    const h = await mcpHttpLatency(dir, 10_000, env);
    row('MCP list_accounts over HTTP, 10,000 accounts, 20 concurrent clients, 2026-07-28 (stateless)', `${ms(h.modern.median)} median, ${ms(h.modern.p99)} p99`, `goal: p99 under 50 ms; ${h.modern.calls} calls, ${(h.bytes / 1024).toFixed(0)} kB each`);
    row('MCP list_accounts over HTTP, 10,000 accounts, 20 concurrent clients, 2025-11-25 (sessions)', `${ms(h.legacy.median)} median, ${ms(h.legacy.p99)} p99`, `goal: p99 under 50 ms; ${h.legacy.calls} calls`);
    row('The same, every call served by the SDK (answer cache off), 2026-07-28', `${ms(h.uncached.modern.median)} median, ${ms(h.uncached.modern.p99)} p99`, 'CLOUDLINK_MCP_ANSWER_CACHE_MB=0: what each call costs when nothing is repeated');
    row('The same, every call served by the SDK (answer cache off), 2025-11-25', `${ms(h.uncached.legacy.median)} median, ${ms(h.uncached.legacy.p99)} p99`, '');
    row('Floor: the same load against a server that only sends back those bytes', `${ms(h.floor.median)} median, ${ms(h.floor.p99)} p99`, 'what this machine and the load generator leave for the MCP server');
  }

  if (want('slack')) {
  const n = Number(process.env.BENCH_ACCOUNTS ?? 5_000);
  const ack = await slackAck(dir, n, env);
  const accounts = `${n.toLocaleString('en')} accounts`;
  row(`Slack ack, first 20 concurrent /cloud list after a start, ${accounts} (cold)`, `${ms(ack.cold.median)} median, ${ms(ack.cold.p99)} p99`, 'goal: p99 under 100 ms');
  row(`Slack ack, next 200 signed /cloud list, 20 at a time, ${accounts}`, `${ms(ack.median)} median, ${ms(ack.p99)} p99`, `Slack's limit is 3,000 ms; ${ack.answered}/200 listings delivered`);
  row(`Service resident memory (cloudlink serve, ${accounts})`, `${mb(ack.idle)} idle, ${mb(ack.after)} after the Slack run`);
  }

  if (want('organization')) {
    const o = await organizationBench({ accounts: 1000, ous: 40, latencyMs: 50, throttleRate: 0.05 });
    const what = 'organization of 1,000 accounts in 40 OUs, AWS fake with 50 ms per call and 5% throttled';
    row(`Organization discovery, ${what}`, ms(o.discoveryMs), `${o.calls} AWS calls in the whole link (${o.throttled} throttled and retried)`);
    row(`Organization: every member linked, ${what}`, `${ms(o.linkMs)}, ${o.linked} linked (${o.unique} unique)`, `floor ${ms(o.floorMs)} = calls × 50 ms / concurrency ${o.concurrency}: ${(o.linkMs / o.floorMs).toFixed(2)}× the floor; goal under 30 s and 2×`);
    row('Organization resync, unchanged (1,000 accounts)', ms(o.resyncMs), `${o.resyncChanges} changes; goal under 5 s; peak RSS of the whole run ${mb(o.peakRss)} (goal under 300 MB)`);
  }

  if (want('stores')) {
    for (const r of await storeComparison(dir, [1_000, 10_000, 50_000])) {
      const at = `${r.store}, ${r.n.toLocaleString('en')} accounts`;
      row(`Engine rename_account, ${at}`, `${ms(r.rename.median)} median, ${ms(r.rename.p99)} p99`, r.store === 'PostgreSQL' && r.n === 50_000 ? 'goal: under 5 ms median' : '');
      row(`Engine get_account, ${at}`, `${ms(r.get.median)} median, ${ms(r.get.p99)} p99`);
      row(`Engine list_accounts (first 100), ${at}`, `${ms(r.list.median)} median, ${ms(r.list.p99)} p99`);
    }
    const t = await twoInstanceThroughput();
    row(`Two instances on one PostgreSQL, ${t.renames} renames from 16 callers, ${t.n.toLocaleString('en')} accounts`, `${t.perSecond.toFixed(0)} renames/s`, 'one write lock across instances; no update lost');
  }

  if (want('store'))
  for (const n of [1_000, 10_000, 50_000]) {
    const r = await storeRename(dir, n);
    row(`Store rename (lock, re-read, write, fsync, rename), ${n.toLocaleString('en')} accounts`, `${ms(r.median)} median, ${ms(r.p99)} p99`, `file ${mb(r.bytes)}`);
  }
  if (want('handoff')) {
    const cli = join(import.meta.dirname, '..', 'dist', 'bundle', 'cli.mjs');
    const v = await vendBench(dir, { accounts: 1_000, requests: 2_000, concurrency: 16, cli });
    row('Credentials vended over the REST API, warm session cache, 16 clients, 50 accounts (1,000 linked; lowdb)', `${v.perSecond.toFixed(0)} vends/s, ${ms(v.median)} median, ${ms(v.p99)} p99`, `${v.assumedDuring} AssumeRole calls during the run; every vend audited (${v.audited} entries, group-committed)`);
    const p = await vendBench(dir, { accounts: 1_000, requests: 4_000, concurrency: 16, store: 'postgres' });
    row('Credentials vended over the REST API, warm session cache, 16 clients, 50 accounts (1,000 linked; PostgreSQL)', `${p.perSecond.toFixed(0)} vends/s, ${ms(p.median)} median, ${ms(p.p99)} p99`, `${p.assumedDuring} AssumeRole calls during the run; ${p.audited} audit entries`);
    row('credential_process: `cloudlink credentials` spawned per call (in-process, 1,000 accounts), median of 7', ms(v.spawnMedian), 'a new process and one AssumeRole each time; through CLOUDLINK_API_URL the service\'s warm cache answers');
    const f = await fanOutBench(dir, { subscribers: 100, events: 10, accounts: 1_000 });
    row('Webhook fan-out: one rename to 100 subscribers (signed, verified by the receiver), median of 10', `${ms(f.median)} median, ${ms(f.max)} worst`, `rename to all 100 received and recorded delivered; ${f.delivered} delivered, ${f.refused} refused`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

const width = Math.max(...rows.map((r) => r[0].length));
console.log(`\ncloudlink benchmark — ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n`);
console.log(`| ${'measure'.padEnd(width)} | result | note |`);
console.log(`|${'-'.repeat(width + 2)}|---|---|`);
for (const [a, b, c] of rows) console.log(`| ${a.padEnd(width)} | ${b} | ${c} |`);
