import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startMcpHttp } from '../../src/mcp/http.js';
import { silentLogger } from '../../src/log.js';
import { listAccounts } from '../../src/engine/operations/accounts.js';
import { admin, deployStack, harness, type Harness } from '../helpers/engine.js';
import { makeClient, textOf } from '../helpers/mcp.js';

/** Issue 13, item 4, as an assistant meets it: rename_account over MCP HTTP refuses names that show as "Payer". */

const TOKEN = 'tok-admin-names-0123456789abcdef';
let h: Harness;
let http: Awaited<ReturnType<typeof startMcpHttp>>;

beforeAll(async () => {
  h = await harness();
  http = await startMcpHttp(loadConfig({ ...h.env, CLOUDLINK_MCP_TOKENS: `${TOKEN}=ops-bot:admin` }), h.engine, silentLogger, 0);
});
afterAll(async () => {
  await http.stop();
  await h.close();
});

describe('look-alike names over MCP HTTP', () => {
  it('rename_account answers isError with the reason, and the names stay as they were', async () => {
    const client = makeClient();
    await client.connect(new StreamableHTTPClientTransport(new URL(http.url), { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } }));
    for (const [name, accountId] of [['Payer', '111111111111'], ['Billing', '222222222222']] as const) {
      const setup = (await client.callTool({ name: 'start_aws_setup', arguments: { kind: 'management' } })).structuredContent as Parameters<typeof deployStack>[1] & { setupId: string };
      const done = await client.callTool({ name: 'complete_aws_setup', arguments: { setupId: setup.setupId, name, roleArn: deployStack(h.aws, setup, accountId) } });
      expect(done.isError).toBeFalsy();
    }
    const rename = (newName: string) => client.callTool({ name: 'rename_account', arguments: { account: 'Billing', newName } });

    const lookalike = await rename('\u0420\u0430\u0443\u0435\u0433');
    expect(lookalike.isError).toBe(true);
    expect(textOf(lookalike)).toContain('"\u0420\u0430\u0443\u0435\u0433" looks like the existing account "Payer"; choose a name that cannot be mistaken for it.');
    expect(textOf(lookalike)).toContain('NAME_TAKEN');

    const mixed = await rename('P\u0430yer');
    expect(mixed.isError).toBe(true);
    expect(textOf(mixed)).toMatch(/mixes Latin and Cyrillic characters \(U\+0430/);

    const invisible = await rename('Payer\u3164');
    expect(invisible.isError).toBe(true);
    expect(textOf(invisible)).toContain('invisible character (U+3164)');

    const fullwidth = await rename('\uFF30\uFF41\uFF59\uFF45\uFF52');
    expect(fullwidth.isError).toBe(true);
    expect(textOf(fullwidth)).toMatch(/An account called "Payer" already exists/);

    expect((await h.engine.run(listAccounts, admin, {})).accounts.map((a) => a.name).sort()).toEqual(['Billing', 'Payer']);
    await client.close();
  });
});
