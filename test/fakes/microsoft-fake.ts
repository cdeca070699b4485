import { constants, randomUUID, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { LoopbackFake, readBody } from './loopback.js';

/**
 * A local Microsoft Entra ID token endpoint, Azure Resource Manager and Microsoft Graph, over TLS on
 * 127.0.0.1. The token endpoint really verifies the client assertion's signature (PS256 or RS256) against the
 * certificates "uploaded" to the app, so a test proves cloudlink signed with the key it generated.
 */
export type FakeApp = {
  clientId: string;
  /** PEM certificates uploaded to the app registration. */
  certificates: string[];
  /** Application permissions with admin consent, per resource. */
  roles: { graph?: string[]; exchange?: string[] };
  globalReader?: boolean;
};
export type FakeTenant = {
  id: string;
  apps: FakeApp[];
  subscriptions: { subscriptionId: string; displayName: string; state: string }[];
  organization?: { displayName: string; domains: { name: string; isInitial: boolean }[] };
};

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

export class MicrosoftFake extends LoopbackFake {
  tenants = new Map<string, FakeTenant>();
  tokenRequests: { tenant: string; clientId: string; scope: string; ok: boolean }[] = [];
  armFaults: ('throttle' | 'server-error' | 'drop')[] = [];

  addTenant(t: FakeTenant) {
    this.tenants.set(t.id, t);
    return t;
  }

  protected override scheme = 'https';

  protected override createServer(listener: RequestListener): Server {
    const dir = process.env.CLOUDLINK_TEST_TLS_DIR!;
    return createServer({ cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) }, listener);
  }

  protected async handle(req: IncomingMessage, res: ServerResponse) {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', this.url);
    const json = (status: number, data: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(data));
    };
    const openid = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(url.pathname);
    if (openid) {
      const t = openid[1];
      return json(200, {
        token_endpoint: `${this.url}/${t}/oauth2/v2.0/token`,
        authorization_endpoint: `${this.url}/${t}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${this.url}/${t}/oauth2/v2.0/logout`,
        issuer: `${this.url}/${t}/v2.0`,
        jwks_uri: `${this.url}/${t}/discovery/v2.0/keys`,
        response_types_supported: ['code', 'id_token', 'token'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      });
    }
    const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
    if (token && req.method === 'POST') return this.token(token[1]!, new URLSearchParams(body), json);
    const bearer = this.bearer(req);
    if (url.pathname === '/subscriptions') {
      if (!bearer || bearer.aud !== 'https://management.azure.com') return json(401, { error: { code: 'InvalidAuthenticationToken', message: 'The access token is invalid.' } });
      const fault = this.armFaults.shift();
      if (fault === 'throttle') return json(429, { error: { code: 'TooManyRequests', message: 'Rate limit' } }, { 'retry-after': '0' });
      if (fault === 'server-error') return json(500, { error: { code: 'InternalServerError', message: 'oops' } });
      if (fault === 'drop') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4000' });
        res.write('{"value":[{"subscriptionId":"');
        return void setTimeout(() => res.socket?.destroy(), 5);
      }
      const tenant = this.tenants.get(bearer.tid);
      return json(200, { value: (tenant?.subscriptions ?? []).map((s) => ({ id: `/subscriptions/${s.subscriptionId}`, ...s, tenantId: bearer.tid })) });
    }
    if (url.pathname === '/v1.0/organization') {
      if (!bearer || bearer.aud !== 'https://graph.microsoft.com') return json(401, { error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty.' } });
      const tenant = this.tenants.get(bearer.tid)!;
      const app = tenant.apps.find((a) => a.clientId === bearer.appid);
      if (!(bearer.roles ?? []).includes('Organization.Read.All') && !app?.globalReader) return json(403, { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } });
      const org = tenant.organization ?? { displayName: 'Contoso', domains: [{ name: 'contoso.onmicrosoft.com', isInitial: true }] };
      return json(200, { value: [{ id: tenant.id, displayName: org.displayName, verifiedDomains: org.domains.map((d) => ({ ...d, isDefault: d.isInitial, type: 'Managed', capabilities: 'Email' })) }] });
    }
    json(404, { error: { code: 'NotFound', message: url.pathname } });
  }

  private token(tenantId: string, form: URLSearchParams, json: (s: number, d: unknown) => void) {
    const clientId = form.get('client_id') ?? '';
    const scope = form.get('scope') ?? '';
    const fail = (status: number, error: string, description: string) => {
      this.tokenRequests.push({ tenant: tenantId, clientId, scope, ok: false });
      json(status, { error, error_description: `${description}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${new Date().toISOString()}`, error_codes: [Number(/AADSTS(\d+)/.exec(description)![1])], timestamp: new Date().toISOString(), trace_id: randomUUID(), correlation_id: randomUUID() });
    };
    const tenant = this.tenants.get(tenantId);
    if (!tenant) return fail(400, 'invalid_request', `AADSTS90002: Tenant '${tenantId}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
    const app = tenant.apps.find((a) => a.clientId === clientId);
    if (!app) return fail(400, 'unauthorized_client', `AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${tenantId}'.`);
    const assertion = form.get('client_assertion') ?? '';
    const [h, p, sig] = assertion.split('.');
    // MSAL signs with PS256 (x5t#S256) or RS256 (x5t): verify whichever the header names.
    let alg = '';
    try {
      alg = JSON.parse(Buffer.from(h ?? '', 'base64url').toString('utf8')).alg;
    } catch {
      /* unreadable header: not signed */
    }
    const keyFor = (pem: string) => (alg === 'PS256' ? { key: pem, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : pem);
    const signed = Boolean(h && p && sig) && (alg === 'PS256' || alg === 'RS256') && app.certificates.some((pem) => verify('sha256', Buffer.from(`${h}.${p}`), keyFor(pem), Buffer.from(sig!, 'base64url')));
    if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' || !signed) {
      return fail(401, 'invalid_client', `AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found.]`);
    }
    const resource = scope.replace(/\/\.default$/, '');
    const roles = resource === 'https://graph.microsoft.com' ? app.roles.graph : resource === 'https://outlook.office365.com' ? app.roles.exchange : undefined;
    this.tokenRequests.push({ tenant: tenantId, clientId, scope, ok: true });
    const now = Math.floor(Date.now() / 1000);
    const accessToken = `${b64({ typ: 'JWT', alg: 'RS256' })}.${b64({ aud: resource, tid: tenantId, appid: clientId, iat: now, exp: now + 3600, ...(roles?.length ? { roles } : {}) })}.${Buffer.from('fake-signature').toString('base64url')}`;
    json(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken });
  }

  private bearer(req: IncomingMessage): { aud: string; tid: string; appid: string; roles?: string[] } | undefined {
    const m = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''));
    if (!m) return undefined;
    try {
      return JSON.parse(Buffer.from(m[1]!.split('.')[1]!, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
  }
}
