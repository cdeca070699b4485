import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsFamily } from '../../src/engine/families/aws/index.js';
import { completeAwsSetup } from '../../src/engine/families/aws-role/operations.js';
import type { Engine } from '../../src/engine/engine.js';
import { renameAccount } from '../../src/engine/operations/rename-account.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { silentLogger } from '../../src/log.js';
import { Confirmations } from '../../src/mcp/confirm.js';
import { createMcpHttpApp, type HttpOptions } from '../../src/mcp/http.js';
import { MODERN, modernClient, modernPost, textOf, type Elicitor } from '../helpers/mcp.js';
import { admin, deployRole, memoryEngine } from '../helpers/memory.js';

/**
 * The 2026-07-28 revision over Streamable HTTP (issue 16, items 1 and 2): no initialize, no
 * session, any instance answers any request, and deletes confirmed by the human through
 * input_required with a signed requestState that is refused when forged, replayed, expired or
 * re-targeted.
 */

const ADMIN = 'tok-admin-stateless-0123456789';
const MEMBER = 'tok-member-stateless-0123456789';
const KEY = 'stateless-test-state-key-0123456789abcdef';
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const ELICIT = { elicitation: {} };

type Instance = { url: string; close(): Promise<void> };
const instances: Instance[] = [];

async function instance(engine: Engine, extra: Partial<HttpOptions> = {}, confirmations = new Confirmations(KEY)): Promise<Instance> {
  const { app, stop } = createMcpHttpApp(
    engine,
    { tokens: [{ token: ADMIN, actor: 'ops-bot', role: 'admin' }, { token: MEMBER, actor: 'intern-bot', role: 'member' }], host: '127.0.0.1', options: { readOnly: false, requireElicitation: false, confirmations }, ...extra },
    silentLogger,
  );
  const server: Server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const i = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    async close() {
      await stop();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
  instances.push(i);
  return i;
}

let a: Instance;
let b: Instance;
let e1: Awaited<ReturnType<typeof memoryEngine>>;

async function link(name: string, accountId: string) {
  const s = await e1.engine.run(awsFamily.start, admin, { kind: 'management' });
  await e1.engine.run(completeAwsSetup, admin, { setupId: s.setupId, name, roleArn: deployRole(e1.aws, s, accountId) });
}
const names = async () => (await e1.store.read()).accounts.map((x) => x.name).sort();

/** Round one of a delete: cloudlink answers input_required with the question and a requestState. */
async function ask(url: string, account: string, token = ADMIN) {
  const r = await modernPost(url, bearer(token), 'tools/call', { name: 'delete_account', arguments: { account } }, { capabilities: ELICIT });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body.result?.resultType).toBe('input_required');
  return { state: r.body.result!.requestState as string, requests: r.body.result!.inputRequests as Record<string, { method: string; params: { message: string; requestedSchema: unknown } }> };
}
/** Round two: the person's answer and the state, echoed to any instance. */
const answer = (url: string, account: string, state: string, response: Record<string, unknown>, opts: { tool?: string; token?: string; args?: Record<string, unknown> } = {}) =>
  modernPost(url, bearer(opts.token ?? ADMIN), 'tools/call', { name: opts.tool ?? 'delete_account', arguments: opts.args ?? { account }, inputResponses: { confirm: response }, requestState: state }, { capabilities: ELICIT });
const typed = (name: string) => ({ action: 'accept', content: { confirmName: name } });

beforeAll(async () => {
  // Two instances on one store, as two processes behind a load balancer: they share only the store and the key.
  const store = new MemoryStore();
  e1 = await memoryEngine({ store });
  const e2 = await memoryEngine({ store });
  a = await instance(e1.engine);
  b = await instance(e2.engine);
  for (const [n, id] of [['Alpha', '111111111111'], ['Beta', '222222222222'], ['Gamma', '333333333333'], ['Delta', '444444444444'], ['Epsilon', '555555555555']] as const) await link(n, id);
});
afterAll(async () => {
  for (const i of instances) await i.close();
});

describe('MCP 2026-07-28 over Streamable HTTP', () => {
  it('answers without initialize or session: server/discover, lists with caching hints, tools', async () => {
    const discover = await modernPost(a.url, bearer(ADMIN), 'server/discover');
    expect(discover.status).toBe(200);
    expect(discover.body.result).toMatchObject({ supportedVersions: expect.arrayContaining([MODERN]), capabilities: { tools: {}, prompts: {}, resources: {}, completions: {} } });
    const list = await fetch(a.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/list', ...bearer(ADMIN) }, body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list', params: { _meta: { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientCapabilities': {} } } }) });
    expect(list.headers.get('mcp-session-id')).toBeNull();
    const body = (await list.json()) as { result: { tools: { name: string }[]; ttlMs: number; cacheScope: string } };
    expect(body.result.tools.map((t) => t.name)).toEqual(expect.arrayContaining(['list_accounts', 'delete_account', 'list_setups']));
    expect(body.result).toMatchObject({ ttlMs: expect.any(Number), cacheScope: expect.stringMatching(/^(public|private)$/) });

    // The SDK's own 2026-07-28 client, on the other instance.
    const client = await modernClient(b.url, bearer(ADMIN));
    const r = await client.callTool({ name: 'list_accounts', arguments: {} });
    expect(r.structuredContent).toMatchObject({ total: 5 });
    // A tool cloudlink does not have is a tool error the model can read, not a protocol error.
    const unknown = await modernPost(a.url, bearer(ADMIN), 'tools/call', { name: 'no_such_tool', arguments: {} });
    expect(unknown.body.result).toMatchObject({ isError: true, content: [{ text: expect.stringMatching(/no tool called "no_such_tool"/) }] });
    const missing = await modernPost(a.url, bearer(ADMIN), 'resources/read', { uri: 'cloudlink://accounts/nobody/audit' });
    expect(missing.body.error).toMatchObject({ code: -32602, data: { uri: 'cloudlink://accounts/nobody/audit' } });
    await client.close();
  });

  it('asks the human to type the name (input_required), and any instance finishes what another asked', async () => {
    const { state, requests } = await ask(a.url, 'Alpha');
    expect(requests.confirm).toMatchObject({ method: 'elicitation/create', params: { message: expect.stringMatching(/Delete the AWS account "Alpha"/), requestedSchema: { required: ['confirmName'] } } });
    // Signed, not encrypted: nothing secret in it, and it names the account by id, not the name typed.
    expect(Buffer.from(state.split('.')[1]!, 'base64url').toString()).not.toMatch(/Alpha/);
    const wrong = await answer(b.url, 'Alpha', state, typed('alpha'));
    expect(wrong.body.result?.isError).toBe(true);
    expect(await names()).toContain('Alpha');

    const again = await ask(a.url, 'Alpha');
    const done = await answer(b.url, 'Alpha', again.state, typed('Alpha'));
    expect(done.body.result?.isError, JSON.stringify(done.body)).toBeFalsy();
    expect(textOf(done.body.result!)).toMatch(/Deleted "Alpha"/);
    expect(await names()).not.toContain('Alpha');
  });

  it('deletes through the SDK client, which asks its human and retries by itself', async () => {
    const elicitor: Elicitor = { asked: [], answer: () => ({ action: 'accept', content: { confirmName: 'Beta' } }) };
    const client = await modernClient(a.url, bearer(ADMIN), elicitor);
    const r = await client.callTool({ name: 'delete_account', arguments: { account: 'Beta' } });
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(elicitor.asked).toEqual([expect.stringMatching(/Delete the AWS account "Beta"/)]);
    expect(await names()).not.toContain('Beta');
    await client.close();
  });

  it('refuses a forged state: tampered, or signed with another key', async () => {
    const { state } = await ask(a.url, 'Gamma');
    const tampered = state.slice(0, -3) + (state.endsWith('AAA') ? 'BBB' : 'AAA');
    const r = await answer(b.url, 'Gamma', tampered, typed('Gamma'));
    expect(r.body.result?.isError).toBe(true);
    expect(textOf(r.body.result!)).toMatch(/not issued by this cloudlink server/);

    const stranger = await instance(e1.engine, {}, new Confirmations('another-key-entirely-0123456789abcdef'));
    const other = await answer(stranger.url, 'Gamma', state, typed('Gamma'));
    expect(textOf(other.body.result!)).toMatch(/not issued by this cloudlink server/);
    // A state whose claims were rewritten (another account id) fails the signature too.
    const [v, body, mac] = state.split('.');
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString());
    claims.p.subject = 'acc_someone_else';
    const rewritten = await answer(a.url, 'Gamma', `${v}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${mac}`, typed('Gamma'));
    expect(textOf(rewritten.body.result!)).toMatch(/not issued by this cloudlink server/);
    expect(await names()).toContain('Gamma');
  });

  it('refuses a replayed state: a declined confirmation cannot be replayed as an acceptance', async () => {
    const { state } = await ask(a.url, 'Gamma');
    const declined = await answer(a.url, 'Gamma', state, { action: 'decline' });
    expect(textOf(declined.body.result!)).toMatch(/declined by the user\. Nothing was deleted[^]*error code: CONFIRMATION_DECLINED/);
    const replay = await answer(a.url, 'Gamma', state, typed('Gamma'));
    expect(replay.body.result?.isError).toBe(true);
    expect(textOf(replay.body.result!)).toMatch(/already used/);
    // After a delete, the same state on another instance names an account that is gone.
    const next = await ask(a.url, 'Gamma');
    expect((await answer(a.url, 'Gamma', next.state, typed('Gamma'))).body.result?.isError).toBeFalsy();
    const afterDelete = await answer(b.url, 'Gamma', next.state, typed('Gamma'));
    expect(afterDelete.body.result?.isError).toBe(true);
    expect(textOf(afterDelete.body.result!)).toMatch(/already used|No linked account is called "Gamma"/);
  });

  it('refuses an expired state', async () => {
    const short = await instance(e1.engine, {}, new Confirmations(KEY, 1));
    const { state } = await ask(short.url, 'Delta');
    await new Promise((r) => setTimeout(r, 2200));
    const r = await answer(short.url, 'Delta', state, typed('Delta'));
    expect(r.body.result?.isError).toBe(true);
    expect(textOf(r.body.result!)).toMatch(/confirmation expired/);
    expect(await names()).toContain('Delta');
  });

  it('refuses a re-targeted state: other arguments, another tool, another caller, or a name that moved to another account', async () => {
    const { state } = await ask(a.url, 'Delta');
    const otherArgs = await answer(a.url, 'Delta', state, typed('Epsilon'), { args: { account: 'Epsilon' } });
    expect(textOf(otherArgs.body.result!)).toMatch(/given for other arguments/);
    const second = await ask(a.url, 'Delta');
    const otherTool = await answer(a.url, 'Delta', second.state, typed('Delta'), { tool: 'unlink_organization', args: { organization: 'Delta' } });
    expect(textOf(otherTool.body.result!)).toMatch(/another tool \(delete_account\)/);
    const third = await ask(a.url, 'Delta');
    const otherCaller = await answer(a.url, 'Delta', third.state, typed('Delta'), { token: MEMBER });
    expect(textOf(otherCaller.body.result!)).toMatch(/given to someone else/);

    // The person was asked about the account now called "Old"; "Delta" is now another account.
    const fourth = await ask(a.url, 'Delta');
    await e1.engine.run(renameAccount, admin, { account: 'Delta', newName: 'Old' });
    await e1.engine.run(renameAccount, admin, { account: 'Epsilon', newName: 'Delta' });
    const moved = await answer(b.url, 'Delta', fourth.state, typed('Delta'));
    expect(textOf(moved.body.result!)).toMatch(/now belongs to a different account/);
    expect(await names()).toEqual(['Delta', 'Old']);
  });

  it('answers -32021 (HTTP 400) to a client that cannot ask its human, saying where to confirm; the typed fallback keeps its meaning', async () => {
    const r = await modernPost(a.url, bearer(ADMIN), 'tools/call', { name: 'delete_account', arguments: { account: 'Old' } });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: -32021, data: { requiredCapabilities: { elicitation: {} } }, message: expect.stringMatching(/Confirm it in Slack/) });
    expect(await names()).toContain('Old');

    const fallback = await instance(e1.engine, { options: { readOnly: false, requireElicitation: false, typedConfirmation: true, confirmations: new Confirmations(KEY) } });
    const noName = await modernPost(fallback.url, bearer(ADMIN), 'tools/call', { name: 'delete_account', arguments: { account: 'Old' } });
    expect(textOf(noName.body.result!)).toMatch(/Ask the user to type the account name/);
    const ok = await modernPost(fallback.url, bearer(ADMIN), 'tools/call', { name: 'delete_account', arguments: { account: 'Old', confirm_account_name: 'Old' } });
    expect(ok.body.result?.isError, JSON.stringify(ok.body)).toBeFalsy();

    const strict = await instance(e1.engine, { options: { readOnly: false, requireElicitation: true, typedConfirmation: true, confirmations: new Confirmations(KEY) } });
    const refused = await modernPost(strict.url, bearer(ADMIN), 'tools/call', { name: 'delete_account', arguments: { account: 'Delta' } });
    expect(refused.body.error?.code).toBe(-32021);
    expect(await names()).toEqual(['Delta']);
  });
});
