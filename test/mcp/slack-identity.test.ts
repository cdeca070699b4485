import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsFamily } from '../../src/engine/families/aws/index.js';
import { completeAwsSetup } from '../../src/engine/families/aws-role/operations.js';
import { getAuditLog } from '../../src/engine/operations/audit-log.js';
import { admin, deployStack } from '../helpers/engine.js';
import { makeClient, MODERN, textOf } from '../helpers/mcp.js';
import { sign, slackHarness, type SlackHarness } from '../helpers/slack.js';

/**
 * Issue 16, item 7: Slackbot as an MCP client with "Slack identity auth". Each request is signed as
 * Slack signs everything it sends (x-slack-signature over the raw body, x-slack-request-timestamp)
 * and names the Slack user in params._meta.slack; cloudlink acts as that user with exactly the
 * permissions /cloud gives them, and answers 401 to anything unsigned or mismatched.
 */

const TEAM = 'T0CLOUDLINK';
let s: SlackHarness;
let url: string;

beforeAll(async () => {
  s = await slackHarness({ env: { CLOUDLINK_MCP_HTTP_PORT: '0', CLOUDLINK_MCP_SLACK_TEAMS: TEAM } });
  url = s.h.service.mcpHttp!.url;
  const setup = await s.h.engine.run(awsFamily.start, admin, { kind: 'management' });
  await s.h.engine.run(completeAwsSetup, admin, { setupId: setup.setupId, name: 'Payer', roleArn: deployStack(s.h.aws, setup, '111111111111') });
});
afterAll(async () => {
  await s.close();
});

type Who = { user_id: string; team_id?: string; enterprise_id?: string };

/** What Slack sends: the user in params._meta.slack, then the signature over the exact bytes. */
function asSlack(who: Who, message: Record<string, unknown>) {
  const params = (message.params ?? {}) as Record<string, unknown>;
  const body = JSON.stringify({ ...message, params: { ...params, _meta: { ...((params._meta as object) ?? {}), slack: who } } });
  return { body, headers: sign(body) };
}

/** A fetch for the SDK's client that speaks as Slack does: every message carries the user and is signed. */
const slackFetch =
  (who: Who): typeof fetch =>
  async (input, init) => {
    if (!init?.body || typeof init.body !== 'string') return fetch(input, init);
    const { body, headers } = asSlack(who, JSON.parse(init.body));
    const h = new Headers(init.headers);
    for (const [k, v] of Object.entries(headers)) h.set(k, v);
    return fetch(input, { ...init, headers: h, body });
  };

async function slackClient(who: Who) {
  const client = makeClient();
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { fetch: slackFetch(who) }));
  return client;
}

const raw = (body: string, headers: Record<string, string>, extra: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers, ...extra }, body });
const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'Slackbot', version: '1' } } };

describe('Slackbot as an MCP client (Slack identity auth)', () => {
  it('acts as the Slack user, with the permissions /cloud gives them, and audits them', async () => {
    const ada = await slackClient({ user_id: 'U_ADMIN', team_id: TEAM });
    const listed = await ada.callTool({ name: 'list_accounts', arguments: {} });
    expect(listed.structuredContent).toMatchObject({ total: 1 });
    const renamed = await ada.callTool({ name: 'rename_account', arguments: { account: 'Payer', newName: 'Billing' } });
    expect(renamed.isError, textOf(renamed)).toBeFalsy();
    const [entry] = (await s.h.engine.run(getAuditLog, admin, { limit: 1 })).entries;
    expect(entry).toMatchObject({ operation: 'rename_account', actor: { id: 'U_ADMIN', via: 'mcp', reach: { channel: 'slack', id: 'U_ADMIN' } } });

    // A member may list but not rename, exactly as with /cloud rename.
    const max = await slackClient({ user_id: 'U_MEMBER', team_id: TEAM });
    expect((await max.callTool({ name: 'list_accounts', arguments: {} })).isError).toBeFalsy();
    const refused = await max.callTool({ name: 'rename_account', arguments: { account: 'Billing', newName: 'Mine' } });
    expect(textOf(refused)).toMatch(/only cloudlink admins may rename/);
    await s.command('U_MEMBER', 'rename Billing');
    expect(JSON.stringify(s.slack.of('views.open').at(-1)!.args.view)).toMatch(/only cloudlink admins may rename/);

    // A session opened as one Slack user is not another's.
    const sid = (ada as unknown as { transport: { sessionId?: string } }).transport.sessionId!;
    const { body, headers } = asSlack({ user_id: 'U_MEMBER', team_id: TEAM }, { jsonrpc: '2.0', id: 5, method: 'tools/list' });
    expect((await raw(body, headers, { 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25' })).status).toBe(403);
    await ada.close();
    await max.close();
  });

  it('serves signed 2026-07-28 requests too, statelessly', async () => {
    const message = {
      jsonrpc: '2.0',
      id: 9,
      method: 'tools/call',
      params: { name: 'list_accounts', arguments: {}, _meta: { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientCapabilities': {} } },
    };
    const { body, headers } = asSlack({ user_id: 'U_MEMBER', team_id: TEAM }, message);
    const r = await raw(body, headers, { 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': 'list_accounts' });
    expect(r.status).toBe(200);
    expect(JSON.stringify(await r.json())).toMatch(/"total":1/);
  });

  it('answers 401 to unsigned, badly signed, stale, tampered, foreign or anonymous requests', async () => {
    const now = Math.floor(Date.now() / 1000);
    const ok = asSlack({ user_id: 'U_ADMIN', team_id: TEAM }, initialize);
    expect((await raw(ok.body, ok.headers)).status).toBe(200);

    const cases: [string, string, Record<string, string>][] = [
      ['unsigned', ok.body, {}],
      ['signed with another secret', ok.body, sign(ok.body, now, 'not-the-signing-secret-0123')],
      ['timestamp 6 minutes old', ok.body, sign(ok.body, now - 360)],
      ['timestamp 6 minutes ahead', ok.body, sign(ok.body, now + 360)],
      ['body changed after signing', ok.body.replace('U_ADMIN', 'U_EVE00'), ok.headers],
      ['another workspace', asSlack({ user_id: 'U_ADMIN', team_id: 'T0SOMEONE' }, initialize).body, sign(asSlack({ user_id: 'U_ADMIN', team_id: 'T0SOMEONE' }, initialize).body)],
      ['no Slack user in the body', JSON.stringify(initialize), sign(JSON.stringify(initialize))],
    ];
    for (const [what, body, headers] of cases) {
      const r = await raw(body, headers);
      expect(r.status, what).toBe(401);
      expect(r.headers.get('www-authenticate'), what).toMatch(/^Bearer/);
    }
    // A GET or DELETE carries no body, so no Slack user: not served, whoever signed it.
    const get = await fetch(url, { method: 'GET', headers: { accept: 'text/event-stream', 'mcp-session-id': 'x', ...sign('') } });
    expect(get.status).toBe(405);
    const forged = await fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': 'x', ...sign('', now, 'not-the-signing-secret-0123') } });
    expect(forged.status).toBe(401);
    // An enterprise grid install: the enterprise id is the workspace that is ours.
    const grid = await slackHarness({ env: { CLOUDLINK_MCP_HTTP_PORT: '0', CLOUDLINK_MCP_SLACK_TEAMS: 'E0GRID' } });
    const g = asSlack({ user_id: 'U_ADMIN', team_id: 'T0ANY', enterprise_id: 'E0GRID' }, initialize);
    expect((await fetch(grid.h.service.mcpHttp!.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...g.headers }, body: g.body })).status).toBe(200);
    await grid.close();
  });
});
