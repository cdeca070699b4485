// Records what the built stdio MCP server answers to the opening exchange (`initialize`, then
// `tools/list`) for every set of options, in dist/bundle/mcp-opening.<options>.json: `cloudlink mcp` answers
// the next openings from it before loading the SDK and the engine (src/mcp/opening.ts). The record
// comes from the real server, so it cannot drift from it; test/mcp/opening.test.ts checks it too.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/server';

const CLI = 'dist/bundle/cli.mjs';
const VERSION = '2025-11-25';
const OPTIONS = ['readOnly', 'requireElicitation', 'typedConfirmation'];
const FLAG = { readOnly: '--read-only', requireElicitation: '--require-elicitation', typedConfirmation: '--typed-confirmation' };

function ask(flags, dir) {
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env.PATH ?? '', HOME: dir, CLOUDLINK_MCP_OPENING: 'off', CLOUDLINK_STORE_PATH: join(dir, 'store.json'), CLOUDLINK_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'), CLOUDLINK_LOG_LEVEL: 'error' };
    const child = spawn(process.execPath, [CLI, 'mcp', ...flags], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const answers = new Map();
    const timer = setTimeout(() => (child.kill(), reject(new Error(`no opening from ${CLI} mcp ${flags.join(' ')}: ${err}`))), 20_000);
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
        const msg = JSON.parse(out.slice(0, nl));
        out = out.slice(nl + 1);
        if (msg.id !== undefined) answers.set(msg.id, msg);
      }
      if (answers.has(1) && answers.has(2)) {
        clearTimeout(timer);
        child.kill();
        const [init, tools] = [answers.get(1), answers.get(2)];
        if (!init.result || !tools.result) reject(new Error(`the opening failed: ${JSON.stringify(init.error ?? tools.error)}`));
        else resolve({ initialize: init.result, tools: tools.result });
      }
    });
    const send = (m) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...m })}\n`);
    send({ id: 1, method: 'initialize', params: { protocolVersion: VERSION, capabilities: {}, clientInfo: { name: 'cloudlink-build', version: '1' } } });
    send({ method: 'notifications/initialized' });
    send({ id: 2, method: 'tools/list' });
  });
}

export async function recordOpening(outDir = 'dist/bundle') {
  const dir = mkdtempSync(join(tmpdir(), 'cloudlink-opening-'));
  try {
    const sets = [];
    for (let n = 0; n < 1 << OPTIONS.length; n++) sets.push(Object.fromEntries(OPTIONS.map((o, i) => [o, Boolean(n & (1 << i))])));
    await Promise.all(
      sets.map(async (o) => {
        const got = await ask(OPTIONS.filter((k) => o[k]).map((k) => FLAG[k]), dir);
        delete got.initialize.protocolVersion;
        // The same name src/mcp/opening.ts's openingFile gives.
        const file = `mcp-opening.${OPTIONS.map((k) => Number(o[k])).join('')}.json`;
        writeFileSync(join(outDir, file), JSON.stringify({ supported: SUPPORTED_PROTOCOL_VERSIONS, ...got }));
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
