// The official MCP conformance suite against cloudlink's Streamable HTTP server (the built CLI,
// `cloudlink serve`), for both protocol revisions cloudlink speaks. Needs Node.js 22 (the suite's
// own requirement) and a build (`npm run build`). Exits non-zero when any scenario fails.
//
//   node scripts/conformance.mjs                 # installs the pinned suite into a temporary folder
//   CONFORMANCE_DIR=/path node scripts/...       # or uses one installed there
//
// The suite cannot send credentials, and cloudlink refuses every request without them; a small
// proxy in front of the server adds a bearer token and changes nothing else (the Host and Origin
// headers pass through, so the DNS-rebinding scenario tests the server's own checks).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONFORMANCE_VERSION = '0.2.0-alpha.12';

/**
 * The server scenarios that apply to cloudlink: every one that does not exercise the suite's own
 * fixture tools, prompts and resources (test_simple_text, test_prompt_with_arguments,
 * test://static-text…), per revision. Scenarios for extensions (tasks, skills) are not implemented.
 */
export const SCENARIOS = {
  '2025-11-25': ['server-initialize', 'server-session-lifecycle', 'logging-set-level', 'ping', 'completion-complete', 'tools-list', 'tools-call-error', 'server-sse-multiple-streams', 'resources-list', 'prompts-list', 'dns-rebinding-protection'],
  '2026-07-28': ['server-stateless', 'completion-complete', 'tools-list', 'tools-call-error', 'server-sse-multiple-streams', 'resources-list', 'prompts-list', 'dns-rebinding-protection', 'caching', 'http-header-validation', 'sep-2164-resource-not-found'],
};

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const CLI = join(ROOT, 'dist/bundle/cli.mjs');
const BASELINE = join(ROOT, 'scripts/conformance-baseline.yml');
const TOKEN = 'conformance-suite-token-0123456789';

if (Number(process.versions.node.split('.')[0]) < 22) {
  console.error(`The conformance suite needs Node.js 22 or later (this is ${process.version}): install the npm package node@22 and put its bin folder first on PATH.`);
  process.exit(2);
}
if (!existsSync(CLI)) {
  console.error('No build: run `npm run build` first.');
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'cloudlink-conformance-'));
let suiteDir = process.env.CONFORMANCE_DIR;
if (!suiteDir) {
  suiteDir = join(work, 'suite');
  const npm = spawnSync('npm', ['install', '--prefix', suiteDir, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', `@modelcontextprotocol/conformance@${CONFORMANCE_VERSION}`], { stdio: 'inherit' });
  if (npm.status !== 0) process.exit(npm.status ?? 1);
}
const SUITE = join(suiteDir, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');

const freePort = () =>
  new Promise((res) => {
    const s = http.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });

const serverPort = await freePort();
const env = {
  PATH: process.env.PATH,
  HOME: process.env.HOME ?? work,
  CLOUDLINK_STORE_PATH: join(work, 'data/cloudlink.json'),
  CLOUDLINK_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  CLOUDLINK_MCP_STATE_KEY: 'conformance-state-key-0123456789abcdef',
  CLOUDLINK_MCP_HTTP_PORT: String(serverPort),
  CLOUDLINK_MCP_TOKENS: `${TOKEN}=conformance-suite:admin`,
  CLOUDLINK_LOG_LEVEL: 'warn',
  CLOUDLINK_HEALTH_INTERVAL_MINUTES: '0',
  // The operator endpoints on a free port of their own.
  CLOUDLINK_HTTP_PORT: '0',
};
const service = spawn(process.execPath, [CLI, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
let serviceOut = '';
service.stdout.on('data', (d) => (serviceOut += d));
service.stderr.on('data', (d) => (serviceOut += d));

// The proxy: the suite's requests, unchanged but for the bearer token.
const proxy = http.createServer((req, res) => {
  const upstream = http.request({ host: '127.0.0.1', port: serverPort, path: req.url, method: req.method, headers: { ...req.headers, authorization: `Bearer ${TOKEN}` } }, (r) => {
    res.writeHead(r.statusCode ?? 502, r.headers);
    r.pipe(res);
  });
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  res.on('close', () => upstream.destroy());
  req.pipe(upstream);
});
const proxyPort = await new Promise((res) => proxy.listen(0, '127.0.0.1', () => res(proxy.address().port)));
const url = `http://127.0.0.1:${proxyPort}/mcp`;

async function waitForServer() {
  for (let i = 0; i < 100; i++) {
    if (service.exitCode !== null) throw new Error(`cloudlink serve exited:\n${serviceOut}`);
    const ok = await new Promise((res) => {
      const r = http.request({ host: '127.0.0.1', port: serverPort, path: '/mcp', method: 'GET' }, (x) => {
        x.resume();
        res(true);
      });
      r.on('error', () => res(false));
      r.end();
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`cloudlink serve did not start:\n${serviceOut}`);
}

const run = (args) =>
  new Promise((res) => {
    const child = spawn(process.execPath, [SUITE, ...args], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => res({ code, out }));
  });

const results = [];
try {
  await waitForServer();
  for (const [version, scenarios] of Object.entries(SCENARIOS)) {
    for (const scenario of scenarios) {
      const { code, out } = await run(['server', '--url', url, '--scenario', scenario, '--spec-version', version, '--expected-failures', BASELINE, '-o', join(work, 'results', version)]);
      // eslint-disable-next-line no-control-regex
      const plain = out.replace(/\u001b\[[0-9;]*m/g, '');
      const summary = plain.split('\n').filter((l) => /^[✓✗] .*passed/.test(l.trim()) || /^\s+~ /.test(l));
      results.push({ version, scenario, ok: code === 0 });
      console.log(`${code === 0 ? 'PASS' : 'FAIL'}  ${version}  ${scenario}`);
      if (code !== 0 || process.env.CONFORMANCE_VERBOSE) console.log(plain.split('\n').map((l) => `      ${l}`).join('\n'));
      else if (summary.length) console.log(summary.map((l) => `      ${l.trim().replace(/^~ /, 'expected to fail (scripts/conformance-baseline.yml): ')}`).join('\n'));
    }
  }
} finally {
  proxy.close();
  service.kill('SIGTERM');
  if (!process.env.CONFORMANCE_KEEP) rmSync(work, { recursive: true, force: true });
}

for (const version of Object.keys(SCENARIOS)) {
  const mine = results.filter((r) => r.version === version);
  console.log(`${version}: ${mine.filter((r) => r.ok).length} of ${mine.length} scenarios pass`);
}
process.exit(results.every((r) => r.ok) ? 0 : 1);
