import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AuthInfo } from '@modelcontextprotocol/server';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import type { Actor } from '../engine/domain/records.js';

/**
 * Who may call the MCP HTTP endpoint, in three ways, each ending in the same `AuthInfo` whose
 * `extra.principal` names the actor the engine sees:
 * - a static bearer token from configuration (CLOUDLINK_MCP_TOKENS), for simple set-ups;
 * - an OAuth 2.1 access token (a JWT) from the configured issuer, checked against its JWKS:
 *   signature, issuer, audience = this resource, expiry; its subject is the actor;
 * - a request signed by Slack ("Slack identity auth"): Slack's signature over the raw body, and the
 *   Slack user in params._meta.slack, who acts with exactly the permissions /cloud gives them.
 */

export const SCOPES = { read: 'cloudlink:read', write: 'cloudlink:write', admin: 'cloudlink:admin' } as const;
export const ALL_SCOPES = [SCOPES.read, SCOPES.write, SCOPES.admin];

export type Principal = {
  kind: 'token' | 'oauth' | 'slack';
  /** What a session is bound to: the same key, the same caller (a token, an issuer's subject, a Slack user). */
  key: string;
  actor: Actor;
};

export const principalOf = (auth: AuthInfo | undefined): Principal | undefined => (auth?.extra as { principal?: Principal } | undefined)?.principal;

/** Read-only tools need the read scope (or more); tools that change something need write (or admin). */
export const mayWrite = (auth: AuthInfo) => auth.scopes.includes(SCOPES.write) || auth.scopes.includes(SCOPES.admin);
export const mayRead = (auth: AuthInfo) => mayWrite(auth) || auth.scopes.includes(SCOPES.read);

export const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export const authInfo = (principal: Principal, token: string, scopes: string[], expiresAt: number, extra: Record<string, unknown> = {}): AuthInfo => ({
  token,
  clientId: principal.actor.id,
  scopes,
  expiresAt,
  extra: { ...extra, principal },
});

// --- OAuth 2.1: JWT access tokens from one issuer -------------------------------------------------

export type OAuthSettings = {
  /** The authorization server's issuer identifier (the `iss` of its tokens). */
  issuer: string;
  /** This resource's identifier: the `aud` its tokens must carry (RFC 8707), and the PRM's `resource`. */
  resource: string;
  /** The issuer's JWKS; discovered from its metadata (RFC 8414, then OpenID) when absent. */
  jwksUrl?: string;
};

export class TokenRefused extends Error {
  constructor(
    message: string,
    readonly status: 401 | 403 = 401,
    readonly scope?: string,
  ) {
    super(message);
  }
}

/** Checks JWT access tokens against the issuer's JWKS; jose is loaded on first use (not on stdio start-up). */
export function oauthVerifier(settings: OAuthSettings) {
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const jose = () => import('jose');

  async function jwksUrl(): Promise<string> {
    if (settings.jwksUrl) return settings.jwksUrl;
    const iss = new URL(settings.issuer);
    const path = iss.pathname.replace(/\/$/, '');
    const candidates = [`${iss.origin}/.well-known/oauth-authorization-server${path}`, `${settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`];
    for (const url of candidates) {
      try {
        const r = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
        if (!r.ok) continue;
        const meta = (await r.json()) as { issuer?: string; jwks_uri?: string };
        if (meta.issuer !== settings.issuer || typeof meta.jwks_uri !== 'string') continue;
        return meta.jwks_uri;
      } catch {
        // Try the next document.
      }
    }
    throw new Error(`cannot find the JWKS of ${settings.issuer}: set CLOUDLINK_MCP_OAUTH_JWKS_URL`);
  }

  const keySet = () =>
    (keys ??= (async (): Promise<JWTVerifyGetKey> => {
      const { createRemoteJWKSet } = await jose();
      return createRemoteJWKSet(new URL(await jwksUrl()), { timeoutDuration: 10_000, cooldownDuration: 30_000 });
    })().catch((e: unknown) => {
      keys = undefined;
      throw e;
    }));

  return async function verify(token: string): Promise<AuthInfo> {
    const { jwtVerify, errors } = await jose();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await keySet(), { issuer: settings.issuer, audience: settings.resource, requiredClaims: ['exp', 'sub'], clockTolerance: 5 }));
    } catch (e) {
      if (e instanceof errors.JWTExpired) throw new TokenRefused('The access token has expired: get a new one from the authorization server.');
      if (e instanceof errors.JWTClaimValidationFailed && e.claim === 'aud') throw new TokenRefused(`The access token is not meant for this server (its audience is not ${settings.resource}).`);
      if (e instanceof errors.JWTClaimValidationFailed) throw new TokenRefused(`The access token was refused: its ${e.claim} claim ${e.reason === 'missing' ? 'is missing' : 'does not match'}.`);
      if (e instanceof errors.JOSEError) throw new TokenRefused('The access token is not valid for this cloudlink server (bad signature or format).');
      throw e;
    }
    const raw = payload.scope ?? payload.scp;
    const scopes = (Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(' ') : []).filter(Boolean);
    const sub = String(payload.sub);
    const name = [payload.name, payload.preferred_username, payload.email].find((v): v is string => typeof v === 'string' && v.length > 0);
    const actor: Actor = { id: sub.slice(0, 200), ...(name ? { name: name.slice(0, 200) } : {}), via: 'mcp', role: scopes.includes(SCOPES.admin) ? 'admin' : 'member' };
    const info = authInfo({ kind: 'oauth', key: `oauth:${settings.issuer}:${sub}`, actor }, token, scopes, payload.exp!, {});
    info.resource = new URL(settings.resource);
    if (!mayRead(info)) throw new TokenRefused(`The access token grants none of cloudlink's scopes (${ALL_SCOPES.join(', ')}).`, 403, `${SCOPES.read} ${SCOPES.write}`);
    return info;
  };
}

/** RFC 9728 Protected Resource Metadata for this server. */
export const protectedResourceMetadata = (settings: OAuthSettings) => ({
  resource: settings.resource,
  authorization_servers: [settings.issuer],
  scopes_supported: ALL_SCOPES,
  bearer_methods_supported: ['header'],
  resource_name: 'cloudlink',
});

/** Where the metadata lives for a resource URL: `/.well-known/oauth-protected-resource` inserted before its path. */
export const metadataUrlOf = (resource: string) => {
  const u = new URL(resource);
  return `${u.origin}/.well-known/oauth-protected-resource${u.pathname === '/' ? '' : u.pathname.replace(/\/$/, '')}`;
};

// --- Slack identity auth ----------------------------------------------------------------------------

export type SlackIdentity = { userId: string; teamId?: string; enterpriseId?: string };

/** Slack's rule, as for /cloud: v0=HMAC-SHA256(signing secret, `v0:{timestamp}:{raw body}`), stamped within five minutes either way. */
export function slackTimestampFresh(header: string | string[] | undefined, nowSeconds = Date.now() / 1000): boolean {
  const ts = Number(Array.isArray(header) ? header[0] : header);
  return Number.isInteger(ts) && Math.abs(nowSeconds - ts) <= 300;
}

export function slackSignatureValid(secret: string, timestamp: string, rawBody: Buffer, signature: string): boolean {
  const expected = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`;
  return sameSecret(expected, signature);
}

/** The Slack user a signed JSON-RPC message speaks for (params._meta.slack), if it names one well-formed. */
export function slackIdentityOf(body: unknown): SlackIdentity | undefined {
  const meta = (body as { params?: { _meta?: { slack?: Record<string, unknown> } } } | undefined)?.params?._meta?.slack;
  if (!meta || typeof meta !== 'object') return undefined;
  const id = (v: unknown) => (typeof v === 'string' && /^[A-Z0-9_]{2,40}$/.test(v) ? v : undefined);
  const userId = id(meta.user_id);
  if (!userId) return undefined;
  const teamId = id(meta.team_id);
  const enterpriseId = id(meta.enterprise_id);
  return { userId, ...(teamId ? { teamId } : {}), ...(enterpriseId ? { enterpriseId } : {}) };
}
