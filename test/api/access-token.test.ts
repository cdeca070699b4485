import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CertificateHandout } from '../../src/engine/families/app-certificate/handout.js';
import { admin, serviceHarness, type Harness } from '../helpers/engine.js';
import type { Service } from '../../src/compose.js';

const TOKEN = 'api-admin-token-0123456789abcdef';
let h: Harness & { service: Service };

const post = async (path: string, body: unknown) => {
  const res = await fetch(`${h.service.api!.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};
const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as { aud: string; tid: string; appid: string; roles?: string[] };

/** Links an Entra ID tenant for real against the Microsoft fake: certificate generated, uploaded, signed in with. */
async function linkEntra(name: string) {
  const t = h.ms.addTenant({ id: randomUUID(), apps: [{ clientId: randomUUID(), certificates: [], roles: { graph: ['AccessReview.Read.All'] } }], subscriptions: [] });
  const app = t.apps[0]!;
  const setup = (await h.engine.run(h.engine.find('start_entra_setup')!, admin, { name, tenantId: t.id, clientId: app.clientId })) as CertificateHandout;
  app.certificates.push(setup.microsoft!.certificatePem);
  await h.engine.run(h.engine.find('complete_microsoft_setup')!, admin, { setupId: setup.setupId });
  return { tenant: t, app };
}

beforeAll(async () => {
  h = await serviceHarness({ env: { CLOUDLINK_API_TOKENS: `${TOKEN}=platform-ci:admin` }, service: { apiPort: 0 } });
});
afterAll(async () => {
  await h?.close();
});

describe('access tokens for Microsoft accounts', () => {
  it('signs in with the sealed certificate and hands out a token for the scope asked, cached and audited', async () => {
    const { tenant, app } = await linkEntra('Contoso Directory');
    const before = h.ms.tokenRequests.length;
    const graph = await post('/v1/get-access-token', { account: 'Contoso Directory' });
    expect(graph.status).toBe(200);
    expect(graph.body).toMatchObject({ tokenType: 'Bearer', scope: 'https://graph.microsoft.com/.default', tenantId: tenant.id });
    expect(claims(graph.body.accessToken)).toMatchObject({ aud: 'https://graph.microsoft.com', tid: tenant.id, appid: app.clientId, roles: ['AccessReview.Read.All'] });
    // The fake verified the client assertion against the uploaded certificate: the key cloudlink sealed signed it.
    expect(h.ms.tokenRequests.slice(before)).toEqual([{ tenant: tenant.id, clientId: app.clientId, scope: 'https://graph.microsoft.com/.default', ok: true }]);

    const arm = await post('/v1/get-access-token', { account: 'Contoso Directory', scope: 'https://management.azure.com/.default' });
    expect(claims(arm.body.accessToken).aud).toBe('https://management.azure.com');
    const again = await post('/v1/get-access-token', { account: 'Contoso Directory' });
    expect(again.body.accessToken).toBe(graph.body.accessToken);
    expect(h.ms.tokenRequests.length - before).toBe(2);

    const audit = (await h.store.read()).audit.filter((e) => e.operation === 'get_access_token');
    expect(audit.map((e) => [e.details.scope, e.details.cached])).toEqual([
      ['https://graph.microsoft.com/.default', false],
      ['https://management.azure.com/.default', false],
      ['https://graph.microsoft.com/.default', true],
    ]);
    const raw = JSON.stringify(audit) + (await h.atRest());
    expect(raw).not.toContain(graph.body.accessToken);
    expect(raw).not.toMatch(/PRIVATE KEY/);
  });

  it('refuses a scope that is not <resource>/.default, and sends an AWS account to the AWS credentials', async () => {
    await linkEntra('Fabrikam Directory');
    const bad = await post('/v1/get-access-token', { account: 'Fabrikam Directory', scope: 'User.Read' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.scope).toMatch(/\/\.default/);
    const wrong = await post('/v1/get-aws-credentials', { account: 'Fabrikam Directory' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error).toMatchObject({ code: 'WRONG_PROVIDER' });
    expect(wrong.body.error.message).toMatch(/get_access_token/);
  });
});
