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
  /** Management groups the app has Reader on (it inherits to every group and subscription below). */
  groupReader?: string[];
};
export type FakeGroup = { id: string; displayName: string; parentId?: string };
/** A fault injected into the next Resource Manager request whose path and query match (any request when no `match`). */
export type ArmFault = 'throttle' | 'server-error' | 'drop' | { kind: 'throttle' | 'server-error' | 'drop'; retryAfter?: string; match?: RegExp };
export type FakeTenant = {
  id: string;
  apps: FakeApp[];
  /** `groupId`: the management group it sits in (the tenant root group when absent). */
  subscriptions: { subscriptionId: string; displayName: string; state: string; groupId?: string }[];
  organization?: { displayName: string; domains: { name: string; isInitial: boolean }[] };
  /** Management groups below the tenant root group (whose id is the tenant id); none: the tenant has only the root. */
  managementGroups?: FakeGroup[];
};

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

export class MicrosoftFake extends LoopbackFake {
  tenants = new Map<string, FakeTenant>();
  tokenRequests: { tenant: string; clientId: string; scope: string; ok: boolean }[] = [];
  armFaults: ArmFault[] = [];
  /** Every Resource Manager request: when, what, and the status answered. */
  armRequests: { at: number; path: string; status: number }[] = [];
  /** Page sizes of GET /subscriptions and of management-group descendants. */
  subscriptionsPageSize = 1000;
  descendantsPageSize = 100;

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
    if (url.pathname === '/subscriptions' || url.pathname.startsWith('/providers/Microsoft.Management/')) return this.arm(req, res, url, json);
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

  private arm(req: IncomingMessage, res: ServerResponse, url: URL, json: (status: number, data: unknown, headers?: Record<string, string>) => void) {
    const where = `${url.pathname}${url.search}`;
    const answer = (status: number, data: unknown, headers: Record<string, string> = {}) => {
      this.armRequests.push({ at: Date.now(), path: where, status });
      json(status, data, headers);
    };
    const bearer = this.bearer(req);
    if (!bearer || bearer.aud !== 'https://management.azure.com') return answer(401, { error: { code: 'InvalidAuthenticationToken', message: 'The access token is invalid.' } });
    const i = this.armFaults.findIndex((f) => typeof f === 'string' || !f.match || f.match.test(where));
    if (i >= 0) {
      const [f] = this.armFaults.splice(i, 1);
      const fault = typeof f === 'string' ? { kind: f } : f!;
      if (fault.kind === 'throttle') return answer(429, { error: { code: 'TooManyRequests', message: 'Rate limit' } }, { 'retry-after': 'retryAfter' in fault && fault.retryAfter !== undefined ? fault.retryAfter : '0' });
      if (fault.kind === 'server-error') return answer(500, { error: { code: 'InternalServerError', message: 'oops' } });
      this.armRequests.push({ at: Date.now(), path: where, status: 0 });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4000' });
      res.write('{"value":[{"subscriptionId":"');
      return void setTimeout(() => res.socket?.destroy(), 5);
    }
    const tenant = this.tenants.get(bearer.tid);
    const app = tenant?.apps.find((a) => a.clientId === bearer.appid);
    const skip = Number(Buffer.from(url.searchParams.get('$skiptoken') ?? '', 'base64url').toString('utf8')) || 0;
    const page = <T>(items: T[], size: number) => {
      const next = skip + size < items.length ? `${this.url}${url.pathname}?api-version=${url.searchParams.get('api-version')}&$skiptoken=${Buffer.from(String(skip + size)).toString('base64url')}` : null;
      return { value: items.slice(skip, skip + size), nextLink: next };
    };
    if (url.pathname === '/subscriptions') {
      const subs = (tenant?.subscriptions ?? []).map(({ groupId: _g, ...s }) => ({ id: `/subscriptions/${s.subscriptionId}`, ...s, tenantId: bearer.tid }));
      return answer(200, page(subs, this.subscriptionsPageSize));
    }
    const m = /^\/providers\/Microsoft\.Management\/managementGroups\/([^/]+)(\/descendants)?$/.exec(url.pathname);
    if (!m || !tenant) return answer(404, { error: { code: 'NotFound', message: url.pathname } });
    const groupId = decodeURIComponent(m[1]!);
    const groups: FakeGroup[] = [{ id: tenant.id, displayName: 'Tenant Root Group' }, ...(tenant.managementGroups ?? [])];
    const group = groups.find((g) => g.id === groupId);
    const parentOf = (id: string) => groups.find((g) => g.id === id)?.parentId ?? (id === tenant.id ? undefined : tenant.id);
    const ancestry = (id: string) => {
      const out: string[] = [];
      for (let at: string | undefined = id; at; at = parentOf(at)) out.push(at);
      return out;
    };
    if (!group) return answer(404, { error: { code: 'NotFound', message: `'${groupId}' not found` } });
    if (!ancestry(groupId).some((g) => app?.groupReader?.includes(g))) {
      return answer(403, { error: { code: 'AuthorizationFailed', message: `The client '${bearer.appid}' does not have authorization to perform action 'Microsoft.Management/managementGroups/read' over scope '/providers/Microsoft.Management/managementGroups/${groupId}'.` } });
    }
    const ref = (id: string) => `/providers/Microsoft.Management/managementGroups/${id}`;
    if (!m[2]) {
      const parent = parentOf(groupId);
      return answer(200, { id: ref(groupId), type: 'Microsoft.Management/managementGroups', name: groupId, properties: { tenantId: tenant.id, displayName: group.displayName, details: { parent: parent ? { id: ref(parent), name: parent } : null } } });
    }
    const below = (id: string) => ancestry(id).slice(1).includes(groupId);
    const items = [
      ...groups.filter((g) => g.id !== groupId && below(g.id)).map((g) => ({ id: ref(g.id), type: 'Microsoft.Management/managementGroups', name: g.id, properties: { displayName: g.displayName, parent: { id: ref(parentOf(g.id)!) } } })),
      ...tenant.subscriptions
        .filter((s) => (s.groupId ?? tenant.id) === groupId || below(s.groupId ?? tenant.id))
        .map((s) => ({ id: `/subscriptions/${s.subscriptionId}`, type: 'Microsoft.Management/managementGroups/subscriptions', name: s.subscriptionId, properties: { displayName: s.displayName, parent: { id: ref(s.groupId ?? tenant.id) } } })),
    ];
    return answer(200, page(items, this.descendantsPageSize));
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
