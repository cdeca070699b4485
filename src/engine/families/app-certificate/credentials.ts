import { z } from 'zod';
import { auditVend, digest, vendCache } from '../../credentials/vend.js';
import { CloudlinkError } from '../../errors.js';
import { requireAccount } from '../../lookup.js';
import { AccountRef } from '../../domain/records.js';
import { defineOperation, WRITES_CLOUD } from '../../registry/operation.js';
import type { AccessToken } from '../../ports/microsoft.js';
import { appDetails } from './details.js';
import type { AppFamily } from './kit.js';
import { credentialOf } from './kit.js';

/** App-only tokens are asked for a whole resource: `<resource>/.default` (a URL, or an api:// application id URI). */
const Scope = z
  .string()
  .max(300)
  .regex(/^(https:\/\/[^\s/]+(\/[^\s]*)?|api:\/\/[^\s]+|[0-9a-fA-F-]{36})\/\.default$/, 'a scope is a resource followed by /.default, such as https://graph.microsoft.com/.default')
  .describe('The resource to get a token for, as <resource>/.default (e.g. https://graph.microsoft.com/.default, https://management.azure.com/.default). Default: the one the account is linked for.');

export const AccessTokenOutput = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresOn: z.string().describe('ISO 8601.'),
  scope: z.string(),
  tenantId: z.string(),
});

export const getAccessToken = defineOperation({
  name: 'get_access_token',
  title: 'Get an access token for a linked Microsoft account',
  description:
    "Returns an app-only access token for a linked Azure, Microsoft 365 or Entra ID account, for the scope asked (<resource>/.default; by default the resource the account is linked for: Resource Manager, Exchange Online or Microsoft Graph). cloudlink signs in with the account's certificate, whose private key never leaves cloudlink. The same token is handed out again while it has most of its life left. Every request is in the audit log.",
  input: z.object({ account: AccountRef, scope: Scope.optional() }).strict(),
  output: AccessTokenOutput,
  permission: 'credentials',
  nature: WRITES_CLOUD,
  // A live credential does not belong in a model's context: the CLI and the REST API only.
  exposure: { mcp: false },
  summarize: (o) => `An access token for ${o.scope} in tenant ${o.tenantId}, valid until ${o.expiresOn}. Use --output json to print it.`,
  async run(ctx, input) {
    const account = requireAccount(await ctx.store.read(), input.account);
    const family = ctx.families.of(account.provider);
    if (family.kit !== 'app-certificate') {
      throw new CloudlinkError('WRONG_PROVIDER', `"${account.name}" is an ${family.label} account: it signs in with a role, not a certificate. Ask for AWS credentials instead (get_aws_credentials, or \`cloudlink credentials "${account.name}"\`).`, { account: 'Not a Microsoft account.' });
    }
    const app = appDetails(account);
    const scope = input.scope ?? (family as AppFamily).spec.tokenScope;
    const key = [account.id, app.certificate.thumbprint, digest(scope)].join('\u0000');
    const target = { type: 'account' as const, id: account.id, name: account.name };
    const asked = { provider: account.provider, tenantId: app.tenantId, clientId: app.clientId, scope };
    let vended: { value: AccessToken & { expiration: string }; hit: boolean };
    try {
      // The key is unsealed only when a new token is needed, and only for the length of that sign-in.
      vended = await vendCache<AccessToken & { expiration: string }>(ctx.gateways.microsoft, ctx.now).get(key, async () => {
        const t = await ctx.gateways.microsoft.accessToken(credentialOf(ctx, app), scope);
        return { ...t, expiration: t.expiresAt };
      });
    } catch (e) {
      if (e instanceof CloudlinkError) await auditVend(ctx, target, { ...asked, code: e.code }, 'refused');
      throw e;
    }
    await auditVend(ctx, target, { ...asked, expiresAt: vended.value.expiresAt, cached: vended.hit });
    return { accessToken: vended.value.token, tokenType: 'Bearer' as const, expiresOn: vended.value.expiresAt, scope, tenantId: app.tenantId };
  },
});
