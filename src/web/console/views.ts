import { html, page } from '../html.js';
import type { ClientConfig, Item } from './model.js';

export type ConsoleView = {
  items: Item[];
  configs: ClientConfig[];
  /** The MCP token, only the one time it is shown. */
  token?: string;
  tokenCreatedAt: string;
  tokenShownAt?: string;
  mcpHttpOn: boolean;
  ready: { ok: boolean; checks: Record<string, { ok: boolean; detail: string }> };
  csrf: string;
};

const WORD = { ok: 'Running', missing: 'Missing', off: 'Off' } as const;

let ids = 0;
function code(text: string, fold?: string) {
  const id = `code-${++ids}`;
  const pre = html`<pre id="${id}">${text}</pre>`;
  const copy = html`<button type="button" class="copy secondary" data-copy="${id}" hidden>Copy</button>`;
  return fold ? html`<details><summary>Show ${fold} (${text.split('\n').length} lines)</summary>${pre}</details>${copy}` : html`${pre}${copy}`;
}

/** The first-run console: what runs, what is missing and how to add it, the assistants' configuration, health. */
export function consolePage(v: ConsoleView): string {
  ids = 0;
  const missing = v.items.filter((i) => i.state === 'missing');
  return page({
    title: 'Console',
    assets: '/assets',
    script: 'console.js',
    body: html`
<h1>cloudlink is running</h1>
<p>${missing.length ? html`<strong>${missing.length} thing${missing.length === 1 ? '' : 's'} missing</strong> before everything works: the steps are below, ready to copy. Restart cloudlink after changing its settings.` : 'Everything it needs is configured.'}</p>
<p class="muted">This page is for you on this machine only (it listens on loopback). Health: <a href="/healthz">/healthz</a>, <a href="/readyz">/readyz</a>, <a href="/metrics">/metrics</a>.</p>

<h2>What is running</h2>
${v.items.map(
  (i) => html`<section class="card" aria-labelledby="item-${i.key}">
<h3 id="item-${i.key}">${i.title}: <span class="state ${i.state}">${WORD[i.state]}</span></h3>
<p>${i.summary}</p>
${i.steps.length ? html`<ol class="steps">${i.steps.map((s) => html`<li>${s.text}${s.code ? code(s.code, s.fold) : ''}</li>`)}</ol>` : ''}
</section>`,
)}

<h2>Health</h2>
<p><span class="state ${v.ready.ok ? 'ok' : 'missing'}">${v.ready.ok ? 'Ready' : 'Not ready'}</span>: ${Object.entries(v.ready.checks).map(([k, c], n) => html`${n ? '; ' : ''}${k} ${c.ok ? 'ok' : 'failing'} (${c.detail})`)}.</p>

<h2 id="assistants">AI assistants (MCP)</h2>
${
  v.token
    ? html`<div class="secret" role="region" aria-labelledby="token-h">
<h3 id="token-h">Your MCP token: copy it now</h3>
<p>cloudlink shows it <strong>only this once</strong>. It lets an assistant act as a cloudlink admin over MCP HTTP${v.mcpHttpOn ? '' : ' (once CLOUDLINK_MCP_HTTP_PORT is set)'}; keep it like a password.</p>
${code(v.token)}
</div>`
    : html`<p>Your MCP token was made on ${v.tokenCreatedAt.slice(0, 16).replace('T', ' ')} UTC and shown${v.tokenShownAt ? ` on ${v.tokenShownAt.slice(0, 16).replace('T', ' ')} UTC` : ''}; cloudlink does not show it again. Lost it? A new one replaces it at once (assistants using the old one must be given the new one).</p>
<form method="post" action="/console/mcp-token"><input type="hidden" name="csrf" value="${v.csrf}"><button type="submit" class="secondary">Make a new token</button></form>`
}
<p>Desktop assistants start cloudlink themselves (stdio) and need no token. The HTTP entries use the token.</p>
${v.configs.map((c) => html`<section class="card" aria-labelledby="cfg-${c.key}"><h3 id="cfg-${c.key}">${c.title}</h3><p>${c.where}</p>${code(c.json)}</section>`)}`,
  });
}
