import { SignJWT, type CryptoKey } from 'jose';
import { localIssuer, type LocalIssuer } from '../fakes/oauth-issuer.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer } from '../../src/api/server.js';
import { loadConfig } from '../../src/config.js';
import { awsFamily } from '../../src/engine/families/aws/index.js';
import { completeAwsSetup } from '../../src/engine/families/aws-role/operations.js';
import { silentLogger } from '../../src/log.js';
import { admin, deployRole, memoryEngine } from '../helpers/memory.js';

/**
 * The REST API takes OAuth access tokens from the issuer the MCP endpoint trusts, with the same verifier
 * and scopes; it is a protected resource of its own (RFC 9728), so its tokens are for its own URL.
 */
let issuer: LocalIssuer;
let api: Awaited<ReturnType<typeof startApiServer>>;
let e: Awaited<ReturnType<typeof memoryEngine>>;
const warned: string[] = [];
const MCP_RESOURCE = 'https://cloudlink.example.com/mcp';


const token = (scope: string, aud = api.url) => {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope, name: 'Alice' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject('alice@example.com').setIssuer(issuer.url).setAudience(aud).setIssuedAt(now - 5).setExpirationTime(now + 600).sign(issuer.key);
};
const call = async (method: 'GET' | 'POST', path: string, jwt: string, body?: unknown) => {
  const res = await fetch(`${api.url}${path}`, { method, headers: { authorization: `Bearer ${jwt}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, challenge: res.headers.get('www-authenticate'), body: (await res.json()) as Record<string, any> };
};

beforeAll(async () => {
  issuer = await localIssuer();
  e = await memoryEngine();
  const s = await e.engine.run(awsFamily.start, admin, { kind: 'management' });
  await e.engine.run(completeAwsSetup, admin, { setupId: s.setupId, name: 'Payer', roleArn: deployRole(e.aws, s, '111111111111') });
  // No CLOUDLINK_API_RESOURCE_URL: the API's audience is where it listens, whatever /mcp's is.
  api = await startApiServer(loadConfig({ CLOUDLINK_MCP_OAUTH_ISSUER: issuer.url, CLOUDLINK_MCP_RESOURCE_URL: MCP_RESOURCE }), e.engine, { ...silentLogger, warn: (m: string) => void warned.push(m) }, 0);
});
afterAll(async () => {
  await api?.stop();
  await issuer.close();
});

describe('OAuth access tokens on the REST API', () => {
  it('reads with cloudlink:read, is challenged for the write scope, and acts as the token\'s subject', async () => {
    const read = await token('cloudlink:read');
    expect((await call('GET', '/v1/list-accounts', read)).status).toBe(200);
    const refused = await call('POST', '/v1/rename-account', read, { account: 'Payer', newName: 'Billing' });
    expect(refused.status).toBe(403);
    expect(refused.challenge).toMatch(/error="insufficient_scope".*scope="cloudlink:read cloudlink:write"/);
    // Write without admin: a member, whom the engine refuses a rename.
    const member = await call('POST', '/v1/rename-account', await token('cloudlink:read cloudlink:write'), { account: 'Payer', newName: 'Billing' });
    expect(member.status).toBe(403);
    expect(member.body.error.message).toMatch(/only cloudlink admins may rename/);
    const adminToken = await token('cloudlink:read cloudlink:write cloudlink:admin');
    expect((await call('POST', '/v1/rename-account', adminToken, { account: 'Payer', newName: 'Billing' })).status).toBe(200);
    const vended = await call('POST', '/v1/get-aws-credentials', adminToken, { account: 'Billing' });
    expect(vended.status).toBe(200);
    expect((await e.store.read()).audit.at(-1)).toMatchObject({ operation: 'get_aws_credentials', actor: { id: 'alice@example.com', name: 'Alice', via: 'api' } });
  });

  it('says at start that /mcp\'s tokens are not the API\'s, and what to set', () => {
    expect(warned).toEqual([`The REST API accepts OAuth access tokens for its own URL only (aud ${api.url}), not /mcp's. Set CLOUDLINK_API_RESOURCE_URL to the API's public URL, and have clients ask for tokens for it.`]);
  });

  it('challenges with metadata that names the API itself, as a client checks it (RFC 9728)', async () => {
    const res = await fetch(`${api.url}/v1/list-accounts`);
    expect(res.status).toBe(401);
    const at = /resource_metadata="([^"]+)"/.exec(res.headers.get('www-authenticate') ?? '')![1]!;
    expect(at).toBe(`${api.url}/.well-known/oauth-protected-resource`);
    const meta = (await (await fetch(at)).json()) as { resource: string; authorization_servers: string[] };
    expect(meta).toMatchObject({ resource: api.url, authorization_servers: [issuer.url] });
    expect(`${api.url}/v1/list-accounts`.startsWith(meta.resource)).toBe(true);
  });

  it('refuses a token for another audience (/mcp\'s included), and none of cloudlink\'s scopes', async () => {
    expect((await call('GET', '/v1/list-accounts', await token('cloudlink:read', MCP_RESOURCE))).status).toBe(401);
    const other = await call('GET', '/v1/list-accounts', await token('cloudlink:read', 'https://elsewhere.example.com'));
    expect(other.status).toBe(401);
    expect(other.challenge).toMatch(/resource_metadata=.*error="invalid_token"/);
    expect(other.body.error.message).toMatch(/not meant for this server/);
    expect((await call('GET', '/v1/list-accounts', await token('email profile'))).status).toBe(403);
  });
});
