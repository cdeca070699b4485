import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { localIssuer, type LocalIssuer } from '../fakes/oauth-issuer.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { awsFamily } from '../../src/engine/families/aws/index.js';
import { completeAwsSetup } from '../../src/engine/families/aws-role/operations.js';
import { getAuditLog } from '../../src/engine/operations/audit-log.js';
import { silentLogger } from '../../src/log.js';
import { startMcpHttp } from '../../src/mcp/http.js';
import { makeClient, modernClient, modernPost, textOf } from '../helpers/mcp.js';
import { admin, deployRole, memoryEngine } from '../helpers/memory.js';

/**
 * Issue 16, item 3: the HTTP endpoint as an OAuth 2.1 protected resource, against a local issuer
 * that publishes its metadata and JWKS like a real one: Protected Resource Metadata, the 401
 * challenge pointing at it, JWT access tokens checked for signature, issuer, audience and expiry,
 * scopes mapped to read-only and mutating tools, and the token's subject as the audited actor.
 */

let issuer: LocalIssuer;
let e: Awaited<ReturnType<typeof memoryEngine>>;
let http: Awaited<ReturnType<typeof startMcpHttp>>;
const STATIC = 'tok-static-oauth-test-0123456789';


type Claims = { sub?: string; scope?: string; aud?: string; iss?: string; exp?: number; name?: string };
async function token(claims: Claims = {}, key: CryptoKey = issuer.key) {
  const now = Math.floor(Date.now() / 1000);
  const { sub = 'alice@example.com', scope = 'cloudlink:read cloudlink:write', aud = http.url, iss = issuer.url, exp = now + 600, name } = claims;
  return new SignJWT({ scope, ...(name ? { name } : {}) }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject(sub).setIssuer(iss).setAudience(aud).setIssuedAt(now - 5).setExpirationTime(exp).sign(key);
}
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'curl', version: '1' } } };
const post = (headers: Record<string, string>) => fetch(http.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify(initialize) });

beforeAll(async () => {
  issuer = await localIssuer();
  e = await memoryEngine();
  const s = await e.engine.run(awsFamily.start, admin, { kind: 'management' });
  await e.engine.run(completeAwsSetup, admin, { setupId: s.setupId, name: 'Payer', roleArn: deployRole(e.aws, s, '111111111111') });
  http = await startMcpHttp(loadConfig({ CLOUDLINK_MCP_OAUTH_ISSUER: issuer.url, CLOUDLINK_MCP_TOKENS: `${STATIC}=ops-bot:admin` }), e.engine, silentLogger, 0);
});
afterAll(async () => {
  await http.stop();
  await issuer.close();
});

describe('MCP over HTTP as an OAuth 2.1 protected resource', () => {
  it('publishes Protected Resource Metadata, and the 401 challenge points at it', async () => {
    const prmUrl = http.url.replace('/mcp', '/.well-known/oauth-protected-resource/mcp');
    const prm = await (await fetch(prmUrl)).json();
    expect(prm).toMatchObject({ resource: http.url, authorization_servers: [issuer.url], scopes_supported: ['cloudlink:read', 'cloudlink:write', 'cloudlink:admin'], bearer_methods_supported: ['header'] });
    const none = await post({});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${prmUrl}"`);
    const bad = await post(bearer('not-a-jwt-and-not-a-token'));
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/^Bearer resource_metadata=".+", error="invalid_token"/);
  });

  it('accepts a token from the issuer for this resource, in both eras, and audits its subject as the actor', async () => {
    const t = await token({ sub: 'alice@example.com', name: 'Alice Example', scope: 'cloudlink:read cloudlink:write cloudlink:admin' });
    const legacy = makeClient();
    await legacy.connect(new StreamableHTTPClientTransport(new URL(http.url), { requestInit: { headers: bearer(t) } }));
    const renamed = await legacy.callTool({ name: 'rename_account', arguments: { account: 'Payer', newName: 'Billing' } });
    expect(renamed.isError, textOf(renamed)).toBeFalsy();
    const modern = await modernClient(http.url, bearer(t));
    expect(((await modern.callTool({ name: 'rename_account', arguments: { account: 'Billing', newName: 'Payer' } })) as { isError?: boolean }).isError).toBeFalsy();
    const { entries } = await e.engine.run(getAuditLog, admin, { limit: 2 });
    expect(entries.map((x) => x.actor)).toEqual([
      expect.objectContaining({ id: 'alice@example.com', via: 'mcp', name: 'Alice Example via cloudlink-modern-client' }),
      expect.objectContaining({ id: 'alice@example.com', via: 'mcp', name: 'Alice Example via cloudlink-test-client' }),
    ]);
    await legacy.close();
    await modern.close();
    // Static tokens stay for simple set-ups.
    expect((await post(bearer(STATIC))).status).toBe(200);
  });

  it('refuses a token for another audience, an expired one, one from another issuer or signed with another key', async () => {
    const cases: [string, Promise<string>, RegExp][] = [
      ['wrong audience', token({ aud: 'https://other.example/mcp' }), /not meant for this server/],
      ['expired', token({ exp: Math.floor(Date.now() / 1000) - 60 }), /expired/],
      ['other issuer', token({ iss: 'https://evil.example' }), /iss claim/],
      ['other key', generateKeyPair('RS256').then((k) => token({}, k.privateKey)), /bad signature/],
    ];
    for (const [what, t, message] of cases) {
      const r = await post(bearer(await t));
      expect(r.status, what).toBe(401);
      expect(r.headers.get('www-authenticate'), what).toMatch(/error="invalid_token"/);
      expect(((await r.json()) as { error_description: string }).error_description, what).toMatch(message);
    }
  });

  it('maps scopes to tools: read-only tokens read, and are challenged (403 insufficient_scope) on tools that change something', async () => {
    const reader = await token({ scope: 'cloudlink:read' });
    const list = await modernPost(http.url, bearer(reader), 'tools/call', { name: 'list_accounts', arguments: {} });
    expect(list.body.result?.isError).toBeFalsy();
    const rename = await fetch(http.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'rename_account', ...bearer(reader) },
      body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'rename_account', arguments: { account: 'Payer', newName: 'X' }, _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} } } }),
    });
    expect(rename.status).toBe(403);
    expect(rename.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
    expect(rename.headers.get('www-authenticate')).toMatch(/scope="cloudlink:read cloudlink:write"/);

    // The same on a 2025-11-25 session.
    const legacy = makeClient();
    await legacy.connect(new StreamableHTTPClientTransport(new URL(http.url), { requestInit: { headers: bearer(reader) } }));
    await expect(legacy.callTool({ name: 'rename_account', arguments: { account: 'Payer', newName: 'X' } })).rejects.toThrow(/403|insufficient_scope/);
    await legacy.close().catch(() => undefined);

    // A token with none of cloudlink's scopes is refused at the door.
    const stranger = await post(bearer(await token({ scope: 'email profile' })));
    expect(stranger.status).toBe(403);
    expect(stranger.headers.get('www-authenticate')).toMatch(/error="insufficient_scope", .*scope="cloudlink:read cloudlink:write"/);

    // Write without admin: a member, refused by the engine as in Slack.
    const writer = await token({ sub: 'bob@example.com', scope: 'cloudlink:read cloudlink:write' });
    const asMember = await modernPost(http.url, bearer(writer), 'tools/call', { name: 'rename_account', arguments: { account: 'Payer', newName: 'X' } });
    expect(textOf(asMember.body.result!)).toMatch(/only cloudlink admins may rename/);
    expect((await e.store.read()).accounts.map((a) => a.name)).toEqual(['Payer']);
  });
});
