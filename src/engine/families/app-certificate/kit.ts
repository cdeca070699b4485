import { z } from 'zod';
import type { EngineCore, OpContext } from '../../context.js';
import { CloudlinkError } from '../../errors.js';
import { requireNameFree } from '../../lookup.js';
import { defineOperation, WRITES, type AnyOperation } from '../../registry/operation.js';
import { AccountName, Guid, type Account, type Database, type Setup, type StoredCertificate } from '../../domain/records.js';
import { closeSetup, connectedAccountBase, newSetupBase, stillOpen } from '../../setups.js';
import { announceLinked } from '../../setup-finished.js';
import { accountView, PUBLIC_READER, setupView } from '../../views.js';
import type { CertificateCredential } from '../../ports/microsoft.js';
import type { AccountPatch, InviteOption, LinkForm, ProviderFamily } from '../types.js';
import { CertificateHandout, certificateHandoutText } from './handout.js';
import type { AppSetup, AppView } from './schema.js';
import { appDetails, type AppRef } from './details.js';
import type { Capability } from '../../views.js';
import { expiryPass } from './expiry.js';

export type AppSetupRecord = Setup & { microsoft: AppSetup };

/** What a sign-in with the certificate taught cloudlink about the app registration. */
export type AppCheck = {
  /** What the account stores besides tenant, client and certificate. */
  details: Record<string, unknown>;
  /** The same, applied to an account that exists (a health check). */
  patch: AccountPatch;
  warnings: string[];
  /** Said after "… is linked and verified." */
  note?: string;
};

/** What a certificate-based family adds to the kit: what it needs granted and how it checks it. */
export type AppFamilySpec = {
  id: 'azure' | 'm365' | 'entra';
  label: string;
  /** For short titles ("Link Entra ID"). */
  shortLabel: string;
  start: { name: string; title: string; description: string };
  /** Microsoft 365 needs its organization id (contoso.onmicrosoft.com). */
  needsOrganization: boolean;
  /** Azure: the start form takes the management group the Reader role is granted at (the tenant root group when left empty). */
  acceptsManagementGroup?: boolean;
  checklist(tenantId: string, clientId: string): string[];
  /** Signs in with the certificate and checks what the family needs granted; throws naming what is missing. */
  check(core: EngineCore, cred: CertificateCredential, app: AppRef, previous?: Account): Promise<AppCheck>;
  describe(account: Account): { view: Partial<AppView>; summary: string; capabilities: Capability[] };
  operations: AnyOperation[];
  /** The scope an access token is vended for when the caller names none (the resource the family is linked for). */
  tokenScope: string;
};

export type AppFamily = ProviderFamily & { spec: AppFamilySpec };

export { appDetails };

const Domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a domain such as contoso.onmicrosoft.com');

/** A management group id as the portal shows it: letters, digits, - _ ( ) . (up to 90). */
const ManagementGroupId = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_().-]{1,90}$/, 'must be a management group ID (letters, digits, - _ ( ) .), as shown under Management groups');

function startInput(spec: AppFamilySpec) {
  return z
    .object({
      name: AccountName.optional().describe('Display name for the account (1–64 characters, unique).'),
      tenantId: Guid.describe('Directory (tenant) ID of the app registration.'),
      clientId: Guid.describe('Application (client) ID of the app registration.'),
      ...(spec.needsOrganization ? { organization: Domain.describe('The organization id, e.g. contoso.onmicrosoft.com.') } : {}),
      ...(spec.acceptsManagementGroup ? { managementGroupId: ManagementGroupId.optional().describe('The management group the app has Reader at; the tenant root group (its id is the tenant id) when omitted.') } : {}),
    })
    .strict();
}

export function assertAppNotLinked(db: Readonly<Database>, provider: string, tenantId: string, clientId: string) {
  const existing = db.accounts.find((a) => a.provider === provider && appDetails(a).tenantId === tenantId && appDetails(a).clientId === clientId);
  if (existing) {
    throw new CloudlinkError('DUPLICATE_ACCOUNT', `App ${clientId} in tenant ${tenantId} is already linked as "${existing.name}". Use that account, or delete it first.`, { clientId: 'Already linked.' });
  }
}

/** A credential for one call: the private key is unsealed in memory and never stored or shown. */
export const credentialOf = (core: EngineCore, app: AppRef): CertificateCredential & { thumbprint: string } => ({
  tenantId: app.tenantId,
  clientId: app.clientId,
  pem: app.certificate.pem + core.secrets.open(app.certificate.encryptedKey),
  thumbprint: app.certificate.thumbprint,
});

export function requireAppFamily(core: EngineCore, setup: Setup): { family: AppFamily; setup: AppSetupRecord } {
  const family = core.families.of(setup.provider) as AppFamily;
  if (family.kit !== 'app-certificate' || !setup.microsoft) {
    throw new CloudlinkError('WRONG_PROVIDER', `Setup ${setup.id} is a ${family.label} setup; finish it with complete_aws_setup.`, { setupId: 'Not a Microsoft setup.' });
  }
  return { family, setup: setup as AppSetupRecord };
}

function handout(ctx: OpContext, spec: AppFamilySpec, setup: AppSetupRecord, db: Readonly<Database>): CertificateHandout {
  const m = setup.microsoft;
  return {
    ...setupView(ctx, setup, db, ctx.reader),
    kit: 'app-certificate',
    certificateFileName: `cloudlink-${setup.provider}-${setup.id.slice(0, 8)}.cer`,
    checklist: spec.checklist(m.tenantId, m.clientId),
    adminConsentUrl: `https://login.microsoftonline.com/${m.tenantId}/adminconsent?client_id=${m.clientId}`,
  };
}

/** The sealed key of an open setup (once linked, the key belongs to the account and the setup keeps none). */
export function setupCertificate(setup: AppSetupRecord): StoredCertificate {
  const c = setup.microsoft.certificate;
  if (!c.encryptedKey) throw new CloudlinkError('SETUP_CLOSED', 'This setup has already been completed: the account is linked. List accounts to see it, or start a new setup for another account.', { setupId: 'Already completed.' });
  return { ...c, encryptedKey: c.encryptedKey };
}

/** The setups that linked an account keep only its public certificate: one sealed key, the account's, and none once it is renewed. */
export function dropSetupKeys(db: Database, accountId: string) {
  for (const s of db.setups) if (s.completedAccountId === accountId && s.microsoft?.certificate.encryptedKey) delete s.microsoft.certificate.encryptedKey;
}

/** Verifies the certificate sign-in for real, then stores the account connected; all or nothing. */
export async function linkApp(ctx: OpContext, family: AppFamily, setup: AppSetupRecord, name: string) {
  const { spec } = family;
  const certificate = setupCertificate(setup);
  const m = { ...setup.microsoft, certificate };
  const checked = await spec.check(ctx, credentialOf(ctx, m), m);
  const now = ctx.now();
  const result = await ctx.store.mutate((db) => {
    const current = stillOpen(db, setup.id, now);
    requireNameFree(db, name);
    assertAppNotLinked(db, spec.id, m.tenantId, m.clientId);
    const details = { tenantId: m.tenantId, clientId: m.clientId, certificate, ...checked.details };
    const account = { ...connectedAccountBase(setup, name, now), provider: spec.id, [spec.id]: details } as Account;
    db.accounts.push(account);
    const invite = closeSetup(db, setup.id, account.id, now);
    dropSetupKeys(db, account.id);
    ctx.audit(db, { type: 'account', id: account.id, name }, { provider: spec.id, tenantId: m.tenantId, clientId: m.clientId, setupId: setup.id, ...(invite ? { inviteId: invite.id } : {}) });
    announceLinked(ctx, db, { account: accountView(ctx, account, db, PUBLIC_READER), setup: current, ...(invite ? { invite } : {}), finisher: ctx.actor });
    return { view: accountView(ctx, account, db, ctx.reader) };
  });
  return { account: result.view, message: `${name} is linked and verified.${checked.note ? ` ${checked.note}` : ''}`, warnings: checked.warnings };
}

export function appFamily(spec: AppFamilySpec, shared: { complete: AnyOperation }): AppFamily {
  return {
    id: spec.id,
    label: spec.label,
    kit: 'app-certificate',
    spec,
    complete: shared.complete,
    operations: spec.operations,
    start: defineOperation({
      name: spec.start.name,
      title: spec.start.title,
      description: `${spec.start.description} cloudlink generates an RSA 2048 certificate for the app registration (the private key never leaves cloudlink) and returns the public certificate as PEM plus the permission checklist. Needs the app registration's tenant id and application (client) id.`,
      input: startInput(spec),
      output: CertificateHandout,
      permission: 'link',
      nature: WRITES,
      async precheck(ctx, input) {
        const db = await ctx.store.read();
        if (input.name) requireNameFree(db, input.name);
        assertAppNotLinked(db, spec.id, input.tenantId, input.clientId);
      },
      summarize: certificateHandoutText,
      async run(ctx, input: { name?: string; tenantId: string; clientId: string; organization?: string; managementGroupId?: string }) {
        const db = await ctx.store.read();
        if (input.name) requireNameFree(db, input.name);
        assertAppNotLinked(db, spec.id, input.tenantId, input.clientId);
        const base = newSetupBase(ctx, spec.id, input.name);
        const now = ctx.now();
        const cert = await ctx.certificates.generate({ commonName: `cloudlink-${spec.id}-${base.id.slice(0, 8)}`, lifetimeDays: ctx.settings.certificateLifetimeDays, now });
        const certificate: StoredCertificate = {
          pem: cert.certificatePem,
          thumbprint: cert.thumbprint,
          notBefore: cert.notBefore.toISOString(),
          notAfter: cert.notAfter.toISOString(),
          encryptedKey: ctx.secrets.seal(cert.privateKeyPem),
        };
        const setup: AppSetupRecord = {
          ...base,
          microsoft: { tenantId: input.tenantId, clientId: input.clientId, ...(input.organization ? { organization: input.organization } : {}), ...(input.managementGroupId && input.managementGroupId !== input.tenantId ? { managementGroupId: input.managementGroupId } : {}), certificate },
        };
        await ctx.store.mutate((d) => {
          d.setups.push(setup);
          ctx.audit(d, { type: 'setup', id: setup.id, name: input.name }, { provider: spec.id, tenantId: input.tenantId, clientId: input.clientId, thumbprint: cert.thumbprint });
        });
        return handout(ctx, spec, setup, await ctx.store.read());
      },
    }),
    async linkForm() {
      return {
        provider: spec.id,
        title: `Link ${spec.shortLabel}`,
        intro: 'Register an app in the Microsoft Entra admin center (App registrations → New registration, single tenant), then give its ids here. cloudlink generates a certificate for it: only the public part leaves cloudlink.',
        fields: [
          { key: 'name', label: 'Account name', placeholder: 'e.g. Contoso production', maxLength: 64 },
          { key: 'tenantId', label: 'Directory (tenant) ID', placeholder: '00000000-0000-0000-0000-000000000000', maxLength: 36 },
          { key: 'clientId', label: 'Application (client) ID', placeholder: '00000000-0000-0000-0000-000000000000', maxLength: 36 },
          ...(spec.needsOrganization ? [{ key: 'organization', label: 'Organization ID', placeholder: 'contoso.onmicrosoft.com', maxLength: 253 }] : []),
          ...(spec.acceptsManagementGroup ? [{ key: 'managementGroupId', label: 'Management group ID (optional)', placeholder: 'Empty: the tenant root group', maxLength: 90, optional: true }] : []),
        ],
        submitLabel: 'Generate certificate',
      } satisfies LinkForm;
    },
    // A Microsoft setup needs the colleague's own tenant and app ids first: not offered as an invite.
    inviteOptions: (): InviteOption[] => [],
    handout: async (ctx, setup, db) => handout(ctx, spec, setup as AppSetupRecord, db),
    async verify(core, account) {
      return (await spec.check(core, credentialOf(core, appDetails(account)), appDetails(account), account)).patch;
    },
    describe(account) {
      const d = appDetails(account);
      const own = spec.describe(account);
      const view: AppView = {
        tenantId: d.tenantId,
        clientId: d.clientId,
        ...(d.organization ? { organization: d.organization } : {}),
        certificateThumbprint: d.certificate.thumbprint,
        certificateExpiresAt: d.certificate.notAfter,
        ...(d.rotation
          ? { rotation: { certificateThumbprint: d.rotation.certificate.thumbprint, certificateExpiresAt: d.rotation.certificate.notAfter, certificatePem: d.rotation.certificate.pem, startedAt: d.rotation.startedAt, startedBy: d.rotation.startedBy } }
          : {}),
        ...own.view,
      };
      return { summary: `tenant ${d.tenantId}${own.summary}`, capabilities: [...own.capabilities, 'certificate'], block: { key: 'microsoft', value: view } };
    },
    describeSetup(s) {
      const m = (s as AppSetupRecord).microsoft;
      return {
        key: 'microsoft',
        what: `${spec.label} (app registration ${m.clientId})`,
        value: {
          tenantId: m.tenantId,
          clientId: m.clientId,
          ...(m.organization ? { organization: m.organization } : {}),
          ...(m.managementGroupId ? { managementGroupId: m.managementGroupId } : {}),
          certificatePem: m.certificate.pem,
          certificateThumbprint: m.certificate.thumbprint,
          certificateExpiresAt: m.certificate.notAfter,
        },
      };
    },
    revokeInstructions(account) {
      const d = appDetails(account);
      return [
        `cloudlink no longer uses app registration ${d.clientId} in tenant ${d.tenantId}, but it still exists.`,
        `To remove the access, delete the app registration (Microsoft Entra admin center → App registrations → ${d.clientId} → Delete), or at least remove the certificate with thumbprint ${d.certificate.thumbprint}${d.rotation ? ` (and the renewal's, ${d.rotation.certificate.thumbprint}, if you uploaded it)` : ''} under Certificates & secrets, and remove its role assignments.`,
      ];
    },
    credentialExpiry: (account) => appDetails(account).certificate.notAfter,
    credentialRenewal(account) {
      const r = appDetails(account).rotation;
      return r
        ? `A renewal is under way: upload its new certificate (thumbprint ${r.certificate.thumbprint}) to the app registration, then finish it (complete_certificate_rotation, or "Finish renewal" under "Renew certificate" in Slack).`
        : 'Renew it without a gap: "Renew certificate" in the account\'s ⋯ menu in Slack\'s App Home, or start_certificate_rotation.';
    },
    // Certificate expiry notices (CLOUDLINK_CERT_WARN_DAYS, then 7 and 1 days before), once each, through the outbox.
    periodic: async (core) => void (await expiryPass(core, spec.id)),
  };
}

/** Steps every certificate-based family shares, in the checklists' words. */
export const STEPS = {
  register: 'In the Microsoft Entra admin center: App registrations → New registration → a name, "Accounts in this organizational directory only" → Register. Copy the Application (client) ID and Directory (tenant) ID.',
  upload: 'Open the app → Certificates & secrets → Certificates → Upload certificate, and upload the certificate cloudlink generated (the .cer/.pem file). Only the public certificate leaves cloudlink.',
  globalReader: 'Entra ID → Roles and administrators → Global Reader → Add assignments → select the app.',
  consent: (tenantId: string, clientId: string) => `Grant admin consent: API permissions → "Grant admin consent", or open https://login.microsoftonline.com/${tenantId}/adminconsent?client_id=${clientId}`,
};

/** The check m365 and Entra ID share: an app-only token for `scope` whose `roles` claim holds `role`. */
export async function requireGrantedRole(core: EngineCore, cred: CertificateCredential, app: AppRef, need: { scope: 'graph' | 'exchange'; role: string; also?: readonly string[]; api: string }) {
  const v = await core.gateways.microsoft.verifyGraph(cred, { scope: need.scope, readOrganization: true });
  const accepted = [need.role, ...(need.also ?? [])];
  if (!accepted.some((r) => v.roles.includes(r))) {
    const has = v.roles.length ? ` It has: ${v.roles.join(', ')}.` : ' It has no application permissions with admin consent.';
    const older = need.also?.length ? ` (${need.also.join(' or ')}, the older name, is accepted too)` : '';
    throw new CloudlinkError('PERMISSION_MISSING', `The app is missing the ${need.api} application permission ${need.role}${older} (with admin consent).${has} Add it under API permissions, then "Grant admin consent" (https://login.microsoftonline.com/${app.tenantId}/adminconsent?client_id=${app.clientId}), and try again.`, {}, { missing: need.role, accepted });
  }
  return v;
}
