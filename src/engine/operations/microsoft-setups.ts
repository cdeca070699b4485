import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { generateCertificate } from '../../providers/certificates.js';
import { actorRef, audit } from '../audit.js';
import type { EngineContext } from '../context.js';
import { CloudlinkError } from '../errors.js';
import type { CertificateCredential, GraphVerification } from '../microsoft/gateway.js';
import { checklist, REQUIRED_ROLE } from '../microsoft/requirements.js';
import { requireNameFree, requireSetup } from '../lookup.js';
import { requirePermission } from '../permissions.js';
import { AccountName, Guid, type Account, type Actor, type AzureSubscription, type Database, type Setup, type StoredCertificate } from '../schemas.js';
import { closeSetup, connectedAccountBase, finishName, requireFinisher, requireOpenSetup, stillOpen } from '../setups.js';
import { parseInput } from '../validate.js';
import { accountView, AccountView, setupView, SetupView } from '../views.js';

const Domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a domain such as contoso.onmicrosoft.com');

export const StartMicrosoftSetupInput = z
  .object({
    provider: z.enum(['azure', 'm365', 'entra']),
    name: AccountName.optional().describe('Display name for the account (1–64 characters, unique).'),
    tenantId: Guid.describe('Directory (tenant) ID of the app registration.'),
    clientId: Guid.describe('Application (client) ID of the app registration.'),
    organization: Domain.optional().describe('Microsoft 365 only: the organization id, e.g. contoso.onmicrosoft.com.'),
  })
  .strict()
  .refine((v) => v.provider !== 'm365' || v.organization, { message: 'Microsoft 365 needs the organization id (e.g. contoso.onmicrosoft.com)', path: ['organization'] });

export const StartMicrosoftSetupOutput = SetupView.extend({
  certificateFileName: z.string(),
  checklist: z.array(z.string()),
  adminConsentUrl: z.string(),
});
export type StartMicrosoftSetupOutput = z.infer<typeof StartMicrosoftSetupOutput>;

export const CompleteMicrosoftSetupInput = z
  .object({
    setupId: z.string().min(1).max(100),
    name: AccountName.optional().describe('Display name; required unless the setup already has one.'),
  })
  .strict();
export const CompleteMicrosoftSetupOutput = z.object({ account: AccountView, message: z.string(), warnings: z.array(z.string()) });

type MsProvider = 'azure' | 'm365' | 'entra';
type MsAccount = Extract<Account, { provider: MsProvider }>;

const msDetails = (a: MsAccount) => (a.provider === 'azure' ? a.azure : a.provider === 'm365' ? a.m365 : a.entra);

/** Step 1: the engine makes a key pair and a certificate for this app registration; the key stays sealed. */
export async function startMicrosoftSetup(ctx: EngineContext, actor: Actor, raw: unknown): Promise<StartMicrosoftSetupOutput> {
  const input = parseInput(StartMicrosoftSetupInput, raw);
  requirePermission(actor, 'link', ctx.settings);
  const db = await ctx.store.read();
  if (input.name) requireNameFree(db, input.name);
  assertAppNotLinked(db, input.provider, input.tenantId, input.clientId);
  const id = randomUUID();
  const now = ctx.now();
  const cert = await generateCertificate({ commonName: `cloudlink-${input.provider}-${id.slice(0, 8)}`, lifetimeDays: ctx.settings.certificateLifetimeDays, now });
  const certificate: StoredCertificate = {
    pem: cert.certificatePem,
    thumbprint: cert.thumbprint,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    encryptedKey: ctx.secrets.seal(cert.privateKeyPem),
  };
  const setup: Setup = {
    id,
    provider: input.provider,
    status: 'open',
    ...(input.name ? { name: input.name } : {}),
    createdBy: actorRef(actor),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ctx.settings.setupTtlMs).toISOString(),
    microsoft: { tenantId: input.tenantId, clientId: input.clientId, ...(input.organization ? { organization: input.organization } : {}), certificate },
  };
  await ctx.store.mutate((d) => {
    d.setups.push(setup);
    audit(d, now, actor, 'setup.start', { type: 'setup', id, name: input.name }, { provider: input.provider, tenantId: input.tenantId, clientId: input.clientId, thumbprint: cert.thumbprint });
  });
  return microsoftSetupDetails(ctx, setup);
}

export function microsoftSetupDetails(ctx: EngineContext, setup: Setup): StartMicrosoftSetupOutput {
  const m = setup.microsoft!;
  return {
    ...setupView(setup, ctx.now()),
    certificateFileName: `cloudlink-${setup.provider}-${setup.id.slice(0, 8)}.cer`,
    checklist: checklist(setup.provider as MsProvider, m.tenantId, m.clientId),
    adminConsentUrl: `https://login.microsoftonline.com/${m.tenantId}/adminconsent?client_id=${m.clientId}`,
  };
}

function assertAppNotLinked(db: Readonly<Database>, provider: MsProvider, tenantId: string, clientId: string) {
  const existing = db.accounts.find((a) => a.provider === provider && msDetails(a as MsAccount).tenantId === tenantId && msDetails(a as MsAccount).clientId === clientId);
  if (existing) {
    throw new CloudlinkError('DUPLICATE_ACCOUNT', `App ${clientId} in tenant ${tenantId} is already linked as "${existing.name}". Use that account, or delete it first.`, { clientId: 'Already linked.' });
  }
}

/** A credential for one call: the private key is unsealed in memory and never stored or shown. */
function credentialOf(ctx: EngineContext, tenantId: string, clientId: string, cert: StoredCertificate): CertificateCredential & { thumbprint: string } {
  return { tenantId, clientId, pem: cert.pem + ctx.secrets.open(cert.encryptedKey), thumbprint: cert.thumbprint };
}

type Verified = { subscriptions?: AzureSubscription[]; grantedPermissions?: string[]; warnings: string[] };

/** The real check: a token with the certificate, and the permissions the provider needs present. */
async function verifyMicrosoft(ctx: EngineContext, provider: MsProvider, m: { tenantId: string; clientId: string; organization?: string; certificate: StoredCertificate }, previous: AzureSubscription[] = []): Promise<Verified> {
  const cred = credentialOf(ctx, m.tenantId, m.clientId, m.certificate);
  if (provider === 'azure') {
    const found = await ctx.microsoft.listAzureSubscriptions(cred);
    if (!found.length) {
      throw new CloudlinkError('NO_SUBSCRIPTIONS', `The app signed in, but it sees no subscriptions in tenant ${m.tenantId}: it lacks the Reader role. Assign Reader at the management group (or on each subscription). Role assignments can take up to 30 minutes to apply; try again after that.`);
    }
    return { subscriptions: mergeSubscriptions(previous, found, ctx.now(), previous.length === 0), warnings: [] };
  }
  const need = REQUIRED_ROLE[provider]!;
  const v: GraphVerification = await ctx.microsoft.verifyGraph(cred, { scope: need.scope, readOrganization: true });
  if (!v.roles.includes(need.role)) {
    const has = v.roles.length ? ` It has: ${v.roles.join(', ')}.` : ' It has no application permissions with admin consent.';
    throw new CloudlinkError('PERMISSION_MISSING', `The app is missing the ${need.api} application permission ${need.role} (with admin consent).${has} Add it under API permissions, then "Grant admin consent" (https://login.microsoftonline.com/${m.tenantId}/adminconsent?client_id=${m.clientId}), and try again.`, {}, { missing: need.role });
  }
  const warnings: string[] = [];
  if (provider === 'm365' && m.organization) {
    if (!v.organization) warnings.push(`cloudlink could not read the organization to confirm ${m.organization}: assign the app the Global Reader role.`);
    else if (!v.organization.verifiedDomains.map((d) => d.toLowerCase()).includes(m.organization)) {
      throw new CloudlinkError('INVALID_INPUT', `The organization ${m.organization} does not belong to tenant ${m.tenantId}; its organization id is ${v.organization.initialDomain ?? v.organization.verifiedDomains[0]}. Start a new setup with that organization id.`, { organization: 'Not this tenant\'s organization.' });
    }
  }
  return { grantedPermissions: v.roles, warnings };
}

/** New subscriptions join (selected on the first link if enabled), vanished ones are flagged, not dropped. */
export function mergeSubscriptions(previous: AzureSubscription[], found: { subscriptionId: string; displayName: string; state: string }[], now: Date, firstLink: boolean): AzureSubscription[] {
  const seen = new Map(found.map((s) => [s.subscriptionId, s]));
  const merged: AzureSubscription[] = previous.map((p) => {
    const f = seen.get(p.subscriptionId);
    if (!f) return { ...p, missingSince: p.missingSince ?? now.toISOString() };
    const { missingSince: _gone, ...rest } = p;
    return { ...rest, displayName: f.displayName, state: f.state };
  });
  for (const f of found) {
    if (!previous.some((p) => p.subscriptionId === f.subscriptionId)) merged.push({ subscriptionId: f.subscriptionId, displayName: f.displayName, state: f.state, selected: firstLink && f.state === 'Enabled' });
  }
  return merged;
}

/** Step 2: verify for real, then store the account connected; all or nothing. */
export async function completeMicrosoftSetup(ctx: EngineContext, actor: Actor, raw: unknown) {
  const input = parseInput(CompleteMicrosoftSetupInput, raw);
  const db = await ctx.store.read();
  const setup = requireSetup(db, input.setupId);
  requireFinisher(db, actor, setup, ctx.settings);
  if (!setup.microsoft) throw new CloudlinkError('WRONG_PROVIDER', `Setup ${setup.id} is an ${setup.provider.toUpperCase()} setup; finish it with complete_aws_setup.`, { setupId: 'Not a Microsoft setup.' });
  requireOpenSetup(setup, ctx.now());
  const name = finishName(input.name, setup);
  requireNameFree(db, name);
  const provider = setup.provider as MsProvider;
  const m = setup.microsoft;
  assertAppNotLinked(db, provider, m.tenantId, m.clientId);

  const verified = await verifyMicrosoft(ctx, provider, m);
  const now = ctx.now();
  const result = await ctx.store.mutate((d) => {
    const current = stillOpen(d, setup.id, now);
    requireNameFree(d, name);
    assertAppNotLinked(d, provider, m.tenantId, m.clientId);
    const common = connectedAccountBase(setup, name, randomUUID(), now);
    const base = { tenantId: m.tenantId, clientId: m.clientId, certificate: m.certificate };
    const account: Account =
      provider === 'azure'
        ? { ...common, provider, azure: { ...base, subscriptions: verified.subscriptions ?? [] } }
        : provider === 'm365'
          ? { ...common, provider, m365: { ...base, organization: m.organization!, grantedPermissions: verified.grantedPermissions ?? [] } }
          : { ...common, provider, entra: { ...base, ...(m.organization ? { organization: m.organization } : {}), grantedPermissions: verified.grantedPermissions ?? [] } };
    d.accounts.push(account);
    const invite = closeSetup(d, setup.id, account.id, now);
    audit(d, now, actor, 'account.link', { type: 'account', id: account.id, name }, { provider, tenantId: m.tenantId, clientId: m.clientId, setupId: setup.id });
    return { account, invite, setup: { ...current }, view: accountView(account, d) };
  });
  ctx.events.emit('account.linked', { account: result.account, setup: result.setup, via: 'request', ...(result.invite ? { invite: result.invite } : {}) });
  const subs = verified.subscriptions ? ` ${verified.subscriptions.filter((s) => s.selected).length} of ${verified.subscriptions.length} subscriptions selected.` : '';
  return { account: result.view, message: `${name} is linked and verified.${subs}`, warnings: verified.warnings };
}

/** Health check for Microsoft accounts: the same verification; Azure also refreshes its subscriptions. */
export async function reverifyMicrosoftAccount(ctx: EngineContext, account: MsAccount): Promise<(a: Account) => void> {
  const d = msDetails(account);
  const verified = await verifyMicrosoft(ctx, account.provider, d, account.provider === 'azure' ? account.azure.subscriptions : []);
  return (a) => {
    if (a.provider === 'azure' && verified.subscriptions) a.azure.subscriptions = mergeSubscriptions(a.azure.subscriptions, verified.subscriptions.filter((s) => !s.missingSince), ctx.now(), false);
    if ((a.provider === 'm365' || a.provider === 'entra') && verified.grantedPermissions) (a.provider === 'm365' ? a.m365 : a.entra).grantedPermissions = verified.grantedPermissions;
  };
}
