import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../src/api/routes.js';
import type { RoleHandout } from '../../src/engine/families/aws-role/handout.js';
import { admin, deployStack, serviceHarness, type Harness } from '../helpers/engine.js';
import type { Service } from '../../src/compose.js';
import { CLI } from '../helpers/mcp.js';

const ADMIN_TOKEN = 'api-admin-token-0123456789abcdef';
const MEMBER_TOKEN = 'api-member-token-0123456789abcdef';

let h: Harness & { service: Service };
let base: string;
let payer: { id: string; name: string; roleArn: string };

async function linkAws(name: string, accountId: string, kind: 'management' | 'linked' = 'management') {
  const started = (await h.engine.run(h.engine.find('start_aws_setup')!, admin, { kind })) as RoleHandout;
  const roleArn = deployStack(h.aws, started, accountId);
  const done = (await h.engine.run(h.engine.find('complete_aws_setup')!, admin, { setupId: started.setupId, name, roleArn })) as { account: { id: string; name: string } };
  return { ...done.account, roleArn };
}

const call = (method: string, path: string, opts: { token?: string | null; body?: unknown; headers?: Record<string, string> } = {}) =>
  fetch(`${base}${path}`, {
    method,
    headers: {
      ...(opts.token === null ? {} : { authorization: `Bearer ${opts.token ?? ADMIN_TOKEN}` }),
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...opts.headers,
    },
    ...(opts.body !== undefined ? { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) } : {}),
  });

beforeAll(async () => {
  h = await serviceHarness({ env: { CLOUDLINK_API_TOKENS: `${ADMIN_TOKEN}=platform-ci:admin,${MEMBER_TOKEN}=dev-laptop:member` }, service: { apiPort: 0 } });
  base = h.service.api!.url;
  payer = await linkAws('Prod Payer', '111111111111');
  await linkAws('Dev Sandbox', '222222222222', 'linked');
  await linkAws('Staging', '333333333333', 'linked');
});
afterAll(async () => {
  await h?.close();
});

describe('the OpenAPI document', () => {
  it('validates as OpenAPI 3.1 and lists exactly the routes the server answers', async () => {
    const res = await call('GET', '/openapi.json', { token: null });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { operationId: string }>> };
    expect(doc.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid, JSON.stringify(result)).toBe(true);

    const routes = apiRoutes(h.engine);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)).filter((r) => r !== 'GET /openapi.json').sort();
    expect(documented).toEqual(routes.map((r) => `${r.method.toUpperCase()} ${r.path}`).sort());
    // Every operation the registry offers outside Slack is a route, and none that is Slack's alone.
    expect(routes.map((r) => r.def.name)).toContain('get_aws_credentials');
    expect(routes.map((r) => r.def.name)).not.toContain('remember_viewer');
    // The statuses the server really sends for a route are documented on it.
    const rename = (doc.paths['/v1/rename-account'] as unknown as Record<string, { responses: Record<string, unknown> }>).post!;
    for (const code of ['400', '401', '403', '404', '405', '409', '413', '415']) expect(Object.keys(rename.responses), code).toContain(code);
    const wrongMethod = await call('GET', '/v1/rename-account');
    expect(Object.keys(rename.responses)).toContain(String(wrongMethod.status));
    const tooBig = await call('POST', '/v1/rename-account', { body: JSON.stringify({ account: 'x'.repeat(400_000) }) });
    expect(Object.keys(rename.responses)).toContain(String(tooBig.status));
    const notJson = await call('POST', '/v1/rename-account', { body: 'x', headers: { 'content-type': 'text/plain' } });
    expect(Object.keys(rename.responses)).toContain(String(notJson.status));
    // Each documented route is served: never 404 or 405 (an empty input is refused by its schema, or answered).
    for (const r of routes) {
      const answer = await call(r.method.toUpperCase(), r.path, r.method === 'post' ? { body: {} } : {});
      expect([404, 405], `${r.method} ${r.path}`).not.toContain(answer.status);
      expect(answer.headers.get('content-type'), r.path).toMatch(/application\/json/);
    }
  });

  it('answers routes it does not have, and the wrong method, in JSON', async () => {
    const missing = await call('GET', '/v1/no-such-operation');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/openapi\.json/);
    const wrong = await call('POST', '/v1/list-accounts', { body: {} });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
  });
});

describe('auth', () => {
  it('refuses requests without a token, or with one it does not know, before running anything', async () => {
    const none = await call('GET', '/v1/list-accounts', { token: null });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer /);
    // No OAuth issuer is configured here: the answer names only what can work.
    expect(((await none.json()) as { error: { message: string } }).error.message).toBe('This API needs a bearer token (Authorization: Bearer <token>): one of CLOUDLINK_API_TOKENS.');
    const wrong = await call('GET', '/v1/list-accounts', { token: 'not-a-token-of-this-server' });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
  });

  it('records the API as the front end, under the token\'s actor', async () => {
    const res = await call('POST', '/v1/rename-account', { body: { account: 'Staging', newName: 'Staging EU' } });
    expect(res.status).toBe(200);
    const entry = (await h.store.read()).audit.at(-1)!;
    expect(entry).toMatchObject({ operation: 'rename_account', actor: { id: 'platform-ci', via: 'api' } });
  });
});

describe('pagination and filters', () => {
  it('pages list_accounts with limit and offset, says the total, and links the next page', async () => {
    const first = await call('GET', '/v1/list-accounts?limit=2');
    const page = (await first.json()) as { accounts: { name: string }[]; total: number; offset: number };
    expect(page.total).toBe(3);
    expect(page.accounts).toHaveLength(2);
    const link = first.headers.get('link')!;
    expect(link).toMatch(/offset=2/);
    const next = (await (await call('GET', /<([^>]+)>/.exec(link)![1]!)).json()) as typeof page;
    expect(next.accounts).toHaveLength(1);
    expect(new Set([...page.accounts, ...next.accounts].map((a) => a.name)).size).toBe(3);
    expect((await call('GET', '/v1/list-accounts?limit=2&offset=2')).headers.get('link')).toBeNull();

    const filtered = (await (await call('GET', '/v1/list-accounts?search=sandbox&status=connected')).json()) as typeof page;
    expect(filtered.accounts.map((a) => a.name)).toEqual(['Dev Sandbox']);
  });

  it('refuses bad input at the edge with what is wrong, field by field', async () => {
    const res = await call('GET', '/v1/list-accounts?limit=zero&provider=gcp');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string; fields: Record<string, string> } };
    expect(body.error.code).toBe('INVALID_INPUT');
    expect(Object.keys(body.error.fields).sort()).toEqual(['limit', 'provider']);
    expect(body.error.message).toMatch(/Correct it and try again/);
    const twice = await call('GET', '/v1/list-accounts?limit=2&limit=3');
    expect(twice.status).toBe(400);
    expect(((await twice.json()) as { error: { fields: Record<string, string> } }).error.fields.limit).toBe('was given 2 times; give it once');
    const notJson = await call('POST', '/v1/rename-account', { body: '{oops' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { message: string } }).error.message).toBe('The request body is not valid JSON.');
    // JSON, but not an object: said so, whatever it is (null is not an empty input).
    for (const body of ['null', '"x"', '5', '[1]']) {
      const r = await call('POST', '/v1/rename-account', { body });
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/must be a JSON object with the operation's fields/);
    }
    // A wrong type in a name field: a string was expected, not "required".
    const typed = await call('POST', '/v1/rename-account', { body: { account: 'Prod Payer', newName: 5 } });
    expect(((await typed.json()) as { error: { fields: Record<string, string> } }).error.fields.newName).toMatch(/a name must be text \(a string\), not a number/);
    const unknownField = await call('POST', '/v1/rename-account', { body: { account: 'Prod Payer', newName: 'X', extra: 1 } });
    expect(unknownField.status).toBe(400);
  });

  it('reads a boolean query parameter as people write it (true/1/yes, false/0/no) and refuses anything else by name', async () => {
    // The three setups linked above are completed: only includeClosed shows them.
    const total = async (q: string) => {
      const res = await call('GET', `/v1/list-setups?${q}`);
      expect(res.status, q).toBe(200);
      return ((await res.json()) as { total: number }).total;
    };
    const closedToo = await total('includeClosed=true');
    const openOnly = await total('includeClosed=false');
    expect(closedToo).toBeGreaterThanOrEqual(openOnly + 3);
    for (const yes of ['1', 'yes', 'TRUE', 'Yes']) expect(await total(`includeClosed=${yes}`), yes).toBe(closedToo);
    for (const no of ['0', 'no', 'False']) expect(await total(`includeClosed=${no}`), no).toBe(openOnly);
    for (const bad of ['maybe', '', '2']) {
      const res = await call('GET', `/v1/list-setups?includeClosed=${bad}`);
      expect(res.status, bad).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string; fields: Record<string, string> } };
      expect(body.error.code).toBe('INVALID_INPUT');
      expect(body.error.message).toMatch(/includeClosed takes true or false \(also 1\/0, yes\/no\)/);
      expect(Object.keys(body.error.fields)).toEqual(['includeClosed']);
    }
  });
});

describe('credentials over HTTP', () => {
  it('vends credential_process JSON that the real SDK uses, caches the session, and audits every vend', async () => {
    const before = h.aws.callsOf('AssumeRole').length;
    const res = await call('POST', '/v1/get-aws-credentials', { body: { account: 'Prod Payer', sessionName: 'prowler-scan' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const creds = (await res.json()) as { Version: number; AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: string };
    expect(Object.keys(creds).sort()).toEqual(['AccessKeyId', 'Expiration', 'SecretAccessKey', 'SessionToken', 'Version']);
    expect(creds.Version).toBe(1);
    const assume = h.aws.callsOf('AssumeRole').slice(before);
    expect(assume).toHaveLength(1);
    const role = h.aws.roles.get(payer.roleArn)!;
    expect(assume[0]!.params).toMatchObject({ RoleArn: payer.roleArn, ExternalId: role.externalId, RoleSessionName: 'prowler-scan', DurationSeconds: '3600' });

    const sts = new STSClient({ region: 'us-east-1', endpoint: h.aws.url, credentials: { accessKeyId: creds.AccessKeyId, secretAccessKey: creds.SecretAccessKey, sessionToken: creds.SessionToken } });
    const me = await sts.send(new GetCallerIdentityCommand({}));
    sts.destroy();
    expect(me.Account).toBe('111111111111');
    expect(h.aws.callsOf('GetCallerIdentity').at(-1)!.accessKeyId).toBe(creds.AccessKeyId);

    // Warm: the same session again, no AssumeRole; still audited.
    const again = (await (await call('POST', '/v1/get-aws-credentials', { body: { account: payer.id, sessionName: 'prowler-scan' } })).json()) as typeof creds;
    expect(again.AccessKeyId).toBe(creds.AccessKeyId);
    expect(h.aws.callsOf('AssumeRole').slice(before)).toHaveLength(1);
    const vends = (await h.store.read()).audit.filter((e) => e.operation === 'get_aws_credentials');
    expect(vends.slice(-2).map((e) => e.details.cached)).toEqual([false, true]);
    expect(vends.at(-1)).toMatchObject({ actor: { id: 'platform-ci', via: 'api' }, target: { type: 'account', id: payer.id, name: 'Prod Payer' }, details: { awsAccountId: '111111111111', sessionName: 'prowler-scan', durationSeconds: 3600 } });
    // Nothing secret at rest, in the audit or anywhere else: the credential went only to the caller, the External ID nowhere.
    const atRest = await h.atRest();
    expect(atRest).not.toContain(creds.SecretAccessKey);
    expect(atRest).not.toContain(creds.SessionToken);
    expect(JSON.stringify(vends)).not.toContain(role.externalId!);
    expect(JSON.stringify(vends)).not.toContain(creds.SecretAccessKey);
  });

  it('narrows with a session policy and a shorter duration, each its own session', async () => {
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
    const res = await call('POST', '/v1/get-aws-credentials', { body: { account: 'Prod Payer', durationSeconds: 900, policy } });
    expect(res.status).toBe(200);
    const c = (await res.json()) as { Expiration: string };
    expect(Date.parse(c.Expiration) - Date.now()).toBeLessThanOrEqual(900_000);
    expect(h.aws.callsOf('AssumeRole').at(-1)!.params).toMatchObject({ DurationSeconds: '900', Policy: policy });
    const bad = await call('POST', '/v1/get-aws-credentials', { body: { account: 'Prod Payer', policy: 'allow everything' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { fields: Record<string, string> } }).error.fields.policy).toMatch(/IAM policy document/);
    const tooLong = await call('POST', '/v1/get-aws-credentials', { body: { account: 'Prod Payer', durationSeconds: 7200 } });
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as { error: { message: string } }).error.message).toMatch(/at most 3600 seconds/);
  });

  it('refuses a member without the permission, and says why, before any AWS call', async () => {
    const before = h.aws.callsOf('AssumeRole').length;
    const res = await call('POST', '/v1/get-aws-credentials', { token: MEMBER_TOKEN, body: { account: 'Prod Payer' } });
    expect(res.status).toBe(403);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('FORBIDDEN');
    expect(body.error.message).toMatch(/only cloudlink admins may get cloud credentials/);
    expect(h.aws.callsOf('AssumeRole').length).toBe(before);
    // Reading stays open to the member.
    expect((await call('GET', '/v1/list-accounts', { token: MEMBER_TOKEN })).status).toBe(200);
  });

  it('says what to do when the role refuses, without naming the External ID', async () => {
    const role = h.aws.roles.get(payer.roleArn)!;
    const externalId = role.externalId!;
    role.externalId = 'changed-on-the-aws-side';
    try {
      const res = await call('POST', '/v1/get-aws-credentials', { body: { account: 'Prod Payer', sessionName: 'after-change' } });
      expect(res.status).toBe(422);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('ASSUME_ROLE_DENIED');
      expect(body.error.message).toMatch(/check_account/);
      expect(JSON.stringify(body)).not.toContain(externalId);
      const refused = (await h.store.read()).audit.at(-1)!;
      expect(refused).toMatchObject({ operation: 'get_aws_credentials', outcome: 'refused', details: { code: 'ASSUME_ROLE_DENIED' } });
    } finally {
      role.externalId = externalId;
    }
  });

  it('is what `cloudlink credentials` asks when CLOUDLINK_API_URL points at the service (no store, no AWS keys at hand)', async () => {
    // A workstation: only the service's URL and a token; no store path, no AWS credentials of its own.
    const env = { PATH: process.env.PATH ?? '', HOME: h.dir, CLOUDLINK_STORE_PATH: `${h.dir}/not-here/cloudlink.json`, CLOUDLINK_API_URL: base, CLOUDLINK_API_TOKEN: ADMIN_TOKEN };
    const run = (token: string) => promisify(execFile)(process.execPath, [CLI, 'credentials', 'Prod Payer', '--session-name', 'laptop'], { env: { ...env, CLOUDLINK_API_TOKEN: token }, timeout: 20_000 });
    const { stdout } = await run(ADMIN_TOKEN);
    expect(Object.keys(JSON.parse(stdout) as object)).toEqual(['Version', 'AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration']);
    expect((await h.store.read()).audit.at(-1)).toMatchObject({ operation: 'get_aws_credentials', actor: { id: 'platform-ci', via: 'api' }, details: { sessionName: 'laptop' } });
    const refused = await run(MEMBER_TOKEN).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect((refused as { stderr: string }).stderr).toMatch(/only cloudlink admins may get cloud credentials/);
  });
});
