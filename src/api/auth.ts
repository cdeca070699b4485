import type { Actor } from '../engine/domain/records.js';
import { oauthVerifier, SCOPES, sameSecret, TokenRefused, type OAuthSettings } from '../mcp/auth.js';

/**
 * Who is calling the REST API: a static bearer token from CLOUDLINK_API_TOKENS (CLOUDLINK_MCP_TOKENS'
 * format), or an OAuth access token from the issuer the MCP endpoint trusts, checked by the MCP
 * endpoint's own verifier (signature, issuer, audience, expiry) and carrying the same scopes:
 * cloudlink:read for GET routes, cloudlink:write for POST routes, cloudlink:admin for an admin's rights.
 */
export type ApiCaller = { actor: Actor; scopes: string[] };
export type TokenGrant = { token: string; actor: string; role: 'admin' | 'member'; slackUser?: string };

export type Authenticate = (authorization: string | undefined) => Promise<ApiCaller>;

export class ApiAuthError extends Error {
  constructor(
    message: string,
    readonly status: 401 | 403 | 503,
    readonly oauthError?: 'invalid_token' | 'insufficient_scope',
    readonly scope?: string,
  ) {
    super(message);
  }
}

const ALL = [SCOPES.read, SCOPES.write, SCOPES.admin];

export const mayRead = (scopes: string[]) => scopes.some((s) => ALL.includes(s as (typeof ALL)[number]));
export const mayWrite = (scopes: string[]) => scopes.includes(SCOPES.write) || scopes.includes(SCOPES.admin);

export function authenticator(opts: { tokens: TokenGrant[]; oauth?: OAuthSettings }): Authenticate {
  const verifyJwt = opts.oauth ? oauthVerifier(opts.oauth) : undefined;
  return async (authorization) => {
    const m = typeof authorization === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
    if (!m) throw new ApiAuthError(`This API needs a bearer token (Authorization: Bearer <token>): one of CLOUDLINK_API_TOKENS${verifyJwt ? ', or an OAuth access token from the configured issuer' : ''}.`, 401);
    const token = m[1]!;
    // Every configured token is compared in constant time, whichever matches.
    let grant: TokenGrant | undefined;
    for (const g of opts.tokens) if (sameSecret(g.token, token) && !grant) grant = g;
    if (grant) {
      return { actor: { id: grant.actor, name: grant.actor, via: 'api', role: grant.role, ...(grant.slackUser ? { reach: { channel: 'slack' as const, id: grant.slackUser } } : {}) }, scopes: ALL };
    }
    if (verifyJwt && token.split('.').length === 3) {
      try {
        const info = await verifyJwt(token);
        const actor = (info.extra as { principal?: { actor: Actor } } | undefined)?.principal?.actor;
        if (!actor) throw new ApiAuthError('The access token names no caller.', 401, 'invalid_token');
        return { actor: { ...actor, via: 'api' }, scopes: info.scopes };
      } catch (e) {
        if (e instanceof ApiAuthError) throw e;
        if (e instanceof TokenRefused) throw new ApiAuthError(e.message, e.status, e.status === 403 ? 'insufficient_scope' : 'invalid_token', e.scope);
        throw new ApiAuthError('cloudlink could not check the access token against its authorization server right now; try again shortly.', 503);
      }
    }
    throw new ApiAuthError('The bearer token is not valid for this cloudlink API. Check the token your client sends.', 401, 'invalid_token');
  };
}
