import { request } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { composeService, type Service } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { CSP } from '../../src/web/headers.js';
import { serviceHarness, type Harness } from '../helpers/engine.js';

let h: (Harness & { service: Service }) | undefined;
const others: Service[] = [];
afterEach(async () => {
  for (const s of others.splice(0)) await s.stop();
  await h?.close();
  h = undefined;
});

const TOKEN = /clk_[A-Za-z0-9_-]{43}/;
const tokenFile = (storePath: string) => storePath.replace(/\.json$/, '.mcp-token');

/** A request with the Host header a browser would send (fetch may not set it). */
function withHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** An MCP initialize over HTTP with this bearer token: 401 when the token is not accepted. */
const mcpStatus = (url: string, token: string) =>
  fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'console-test', version: '1' } } }),
  }).then(async (r) => (await r.body?.cancel(), r.status));

describe('the first-run console', () => {
  it('says what runs and what is missing, with the steps to copy, beside /healthz on the loopback operator listener', async () => {
    h = await serviceHarness();
    const ops = h.service.ops!.url;
    expect(ops).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(h.service.lines).toContain(`console    ${ops}/ (what runs, what is missing with the steps, MCP client configs and a token shown once)`);
    const res = await fetch(`${ops}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(CSP);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    // Configured by the harness: AWS credentials, templates. Missing: Slack, with the manifest to paste.
    expect(html).toMatch(/AWS credentials: <span class="state ok">Running<\/span>[\s\S]*customers trust arn:aws:iam::999999999999:role\/cloudlink-platform/);
    expect(html).toMatch(/Templates: <span class="state ok">Running/);
    expect(html).toMatch(/Slack: <span class="state missing">Missing<\/span>/);
    expect(html).toContain('display_information:');
    expect(html).toContain('export SLACK_BOT_TOKEN=xoxb-…');
    expect(html).toMatch(/Invite pages: <span class="state off">Off[\s\S]*export CLOUDLINK_PUBLIC_URL=https:\/\/cloudlink\.example\.com/);
    expect(html).toMatch(/E-mail: <span class="state off">Off[\s\S]*export CLOUDLINK_SMTP_HOST=smtp\.example\.com/);
    expect(html).toMatch(/MCP over HTTP: <span class="state off">Off[\s\S]*export CLOUDLINK_MCP_HTTP_PORT=8765/);
    expect(html).toMatch(/<strong>1 thing missing<\/strong>/);
    expect(html).toMatch(/Ready<\/span>: store ok/);
    // The assistants' configuration points at this installation and its store.
    expect(html).toContain('claude_desktop_config.json');
    expect(html).toContain('.vscode/mcp.json');
    expect(html).toContain('~/.cursor/mcp.json');
    expect(html).toContain(`&quot;CLOUDLINK_STORE_PATH&quot;: &quot;${h.storePath}&quot;`);
    expect(html).toMatch(/dist\/bundle\/cli\.mjs&quot;,\s+&quot;mcp&quot;/);
    expect((await fetch(`${ops}/healthz`)).status).toBe(200);
    expect((await fetch(`${ops}/metrics`)).status).toBe(200);
  });

  it('shows the MCP token it made once, keeps it owner-only beside the store, and not again after a restart', async () => {
    h = await serviceHarness();
    const ops = h.service.ops!.url;
    const first = await (await fetch(`${ops}/`)).text();
    const token = TOKEN.exec(first)?.[0];
    expect(token).toBeDefined();
    expect(first).toContain('Your MCP token: copy it now');
    expect(first.match(new RegExp(token!, 'g'))!.length).toBeGreaterThanOrEqual(2);
    const file = tokenFile(h.storePath);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ token, shownAt: expect.any(String) });
    const second = await (await fetch(`${ops}/`)).text();
    expect(second).not.toMatch(TOKEN);
    expect(second).toContain('cloudlink does not show it again');
    expect(second).toContain('&lt;your cloudlink MCP token&gt;');
    // The same store after a restart: the same token, still not shown.
    const again = await composeService(loadConfig(h.env), { log: silentLogger, jobs: false, opsPort: 0 });
    others.push(again);
    expect(await (await fetch(`${again.ops!.url}/`)).text()).not.toMatch(TOKEN);
    expect(JSON.parse(await readFile(file, 'utf8')).token).toBe(token);
  });

  it('its token works on MCP HTTP at once; a new one replaces it without a restart, and only from the console form', async () => {
    h = await serviceHarness({ env: { CLOUDLINK_MCP_HTTP_PORT: '0' } });
    const ops = h.service.ops!.url;
    const mcp = h.service.mcpHttp!.url;
    const page = await (await fetch(`${ops}/`)).text();
    const token = TOKEN.exec(page)![0];
    expect(page).toMatch(/MCP over HTTP: <span class="state ok">Running/);
    expect(await mcpStatus(mcp, token)).toBe(200);
    expect(await mcpStatus(mcp, 'clk_not-the-token-0123456789abcdefghijklmnopqrstu')).toBe(401);

    const csrf = /name="csrf" value="([^"]+)"/.exec(await (await fetch(`${ops}/`)).text())![1]!;
    const post = (form: Record<string, string>, origin?: string) =>
      fetch(`${ops}/console/mcp-token`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...(origin ? { origin } : {}) }, body: new URLSearchParams(form).toString() });
    expect((await post({})).status).toBe(403);
    expect((await post({ csrf: 'x'.repeat(csrf.length) })).status).toBe(403);
    expect((await post({ csrf }, 'https://evil.example')).status).toBe(403);
    expect(await mcpStatus(mcp, token)).toBe(200);
    const made = await post({ csrf }, ops);
    expect([made.status, made.headers.get('location')]).toEqual([303, '/#assistants']);
    const fresh = TOKEN.exec(await (await fetch(`${ops}/`)).text())![0];
    expect(fresh).not.toBe(token);
    expect(await mcpStatus(mcp, token)).toBe(401);
    expect(await mcpStatus(mcp, fresh)).toBe(200);
    expect(JSON.parse(await readFile(tokenFile(h.storePath), 'utf8')).token).toBe(fresh);
  });

  it('answers only requests for a loopback host (DNS rebinding), while /healthz answers any', async () => {
    h = await serviceHarness();
    const ops = h.service.ops!.url;
    const port = new URL(ops).port;
    expect((await withHost(`${ops}/`, `attacker.example:${port}`)).status).toBe(421);
    expect((await withHost(`${ops}/assets/site.css`, 'attacker.example')).status).toBe(421);
    expect((await withHost(`${ops}/`, `localhost:${port}`)).status).toBe(200);
    expect((await withHost(`${ops}/healthz`, 'lb.internal')).status).toBe(200);
  });

  it('is off, and says why, when the operator listener is not on loopback (a container for its load balancer)', async () => {
    h = await serviceHarness({ env: { CLOUDLINK_HTTP_HOST: '0.0.0.0' } });
    expect(h.service.lines).toContain('console    off: the operator endpoints listen on 0.0.0.0, and the console (it shows a secret once) is served on loopback only');
    const port = h.service.ops!.port;
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    await expect(stat(tokenFile(h.storePath))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
