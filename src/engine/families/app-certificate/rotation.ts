import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { actorRef } from '../../audit.js';
import type { OpContext } from '../../context.js';
import { CloudlinkError } from '../../errors.js';
import { requireAccount } from '../../lookup.js';
import { defineOperation, WRITES, type AnyOperation } from '../../registry/operation.js';
import { AccountRef, type Account, type Database, type StoredCertificate } from '../../domain/records.js';
import { accountView, AccountView } from '../../views.js';
import { appDetails, credentialOf, dropSetupKeys, type AppFamily } from './kit.js';

/**
 * Renewing an account's certificate without a gap: a new key pair is made and sealed beside the
 * working one; the person uploads the new public certificate next to the old; cloudlink signs in
 * with the NEW one for real and only then switches and drops the old key. Until then (or if the
 * renewal is cancelled or abandoned) the account keeps signing in exactly as before.
 */

function requireAppAccount(ctx: OpContext, account: Account): AppFamily {
  const family = ctx.families.of(account.provider) as AppFamily;
  if (family.kit !== 'app-certificate') {
    throw new CloudlinkError('WRONG_PROVIDER', `"${account.name}" has no certificate to renew: ${family.label} accounts sign in with a role, not a certificate.`, { account: 'No certificate.' });
  }
  return family;
}

const day = (iso: string) => iso.slice(0, 10);
export const rotationFileName = (account: Account, thumbprint: string) => `cloudlink-${account.provider}-${account.id.slice(0, 8)}-${thumbprint.slice(0, 8).toLowerCase()}.cer`;

export const RotationHandout = z.object({
  account: AccountView,
  resumed: z.boolean().describe('true: a renewal was already under way; this is its certificate (nothing new was made).'),
  certificateThumbprint: z.string(),
  certificateExpiresAt: z.string(),
  certificatePem: z.string().describe('The new public certificate (no private key): upload it beside the current one.'),
  certificateFileName: z.string(),
  current: z.object({ thumbprint: z.string(), expiresAt: z.string() }).describe('The certificate the account keeps using until the renewal is finished.'),
  steps: z.array(z.string()),
});
export type RotationHandout = z.infer<typeof RotationHandout>;

function rotationHandout(ctx: OpContext, account: Account, db: Readonly<Database>, resumed: boolean): RotationHandout {
  const d = appDetails(account);
  const next = d.rotation!.certificate;
  return {
    account: accountView(ctx, account, db, ctx.reader),
    resumed,
    certificateThumbprint: next.thumbprint,
    certificateExpiresAt: next.notAfter,
    certificatePem: next.pem,
    certificateFileName: rotationFileName(account, next.thumbprint),
    current: { thumbprint: d.certificate.thumbprint, expiresAt: d.certificate.notAfter },
    steps: [
      `In the Microsoft Entra admin center open App registrations → ${d.clientId} → Certificates & secrets → Certificates → Upload certificate, and upload the new certificate (${rotationFileName(account, next.thumbprint)}, thumbprint ${next.thumbprint}, valid until ${day(next.notAfter)}). Leave the current certificate (thumbprint ${d.certificate.thumbprint}) where it is: cloudlink keeps using it until the new one works.`,
      'Then finish the renewal (complete_certificate_rotation, or "Finish renewal" in Slack): cloudlink signs in with the new certificate and, only once that works, switches to it and drops the old key.',
      `After that, delete the old certificate (thumbprint ${d.certificate.thumbprint}) from the app registration.`,
      'Changed your mind? Cancel the renewal (cancel_certificate_rotation): the new key is dropped and the account keeps working as it is.',
    ],
  };
}

export const startCertificateRotation = defineOperation({
  name: 'start_certificate_rotation',
  title: 'Start renewing a certificate',
  description:
    "Starts renewing the certificate of an Azure, Microsoft 365 or Entra ID account before it expires: cloudlink makes a new key pair (the private key never leaves cloudlink) and returns the new public certificate as PEM with the steps. The account keeps signing in with its current certificate until complete_certificate_rotation has signed in with the new one. If a renewal is already under way, returns it unchanged (replace: true makes a fresh certificate instead).",
  input: z
    .object({
      account: AccountRef.describe('Name (case-insensitive) or id of an Azure, Microsoft 365 or Entra ID account.'),
      replace: z.boolean().default(false).describe('Discard a renewal under way and make a new certificate (the pending one is dropped).'),
    })
    .strict(),
  output: RotationHandout,
  permission: 'link',
  nature: WRITES,
  async precheck(ctx, input) {
    requireAppAccount(ctx, requireAccount(await ctx.store.read(), input.account));
  },
  summarize: (o) =>
    [
      o.resumed ? `A renewal of "${o.account.name}" was already under way: its new certificate is ${o.certificateThumbprint}.` : `New certificate for "${o.account.name}": ${o.certificateThumbprint}, valid until ${day(o.certificateExpiresAt)}.`,
      `Give the user the certificate below (save as ${o.certificateFileName}); it is the public part only. The account keeps using ${o.current.thumbprint} until the renewal is finished.`,
      o.certificatePem.trim(),
      ...o.steps.map((s, i) => `${i + 1}. ${s}`),
    ].join('\n'),
  async run(ctx, input) {
    const db0 = await ctx.store.read();
    const before = requireAccount(db0, input.account);
    requireAppAccount(ctx, before);
    if (appDetails(before).rotation && !input.replace) return rotationHandout(ctx, before, db0, true);
    const now = ctx.now();
    const cert = await ctx.certificates.generate({ commonName: `cloudlink-${before.provider}-${before.id.slice(0, 8)}-${randomUUID().slice(0, 8)}`, lifetimeDays: ctx.settings.certificateLifetimeDays, now });
    const certificate: StoredCertificate = { pem: cert.certificatePem, thumbprint: cert.thumbprint, notBefore: cert.notBefore.toISOString(), notAfter: cert.notAfter.toISOString(), encryptedKey: ctx.secrets.seal(cert.privateKeyPem) };
    const out = await ctx.store.mutate((db) => {
      const account = requireAccount(db, before.id);
      const d = appDetails(account);
      // Someone else started one meanwhile: theirs stands, unless this call replaces it.
      if (d.rotation && !input.replace) return { handout: rotationHandout(ctx, account, db, true) };
      const dropped = d.rotation?.certificate.thumbprint;
      d.rotation = { certificate, startedAt: now.toISOString(), startedBy: actorRef(ctx.actor) };
      account.updatedAt = now.toISOString();
      ctx.audit(db, { type: 'account', id: account.id, name: account.name }, { thumbprint: certificate.thumbprint, current: d.certificate.thumbprint, ...(dropped ? { replaced: dropped } : {}) });
      return { handout: rotationHandout(ctx, account, db, false) };
    });
    return out.handout;
  },
});

const nothingChanged = (account: Account) => `Nothing changed: "${account.name}" still signs in with its current certificate (thumbprint ${appDetails(account).certificate.thumbprint}).`;

export const completeCertificateRotation = defineOperation({
  name: 'complete_certificate_rotation',
  title: 'Finish renewing a certificate',
  description:
    'Finishes a certificate renewal once the user uploaded the new certificate: cloudlink signs in with the NEW certificate for real and checks the permissions as at linking; only if that works does the account switch to it and the old private key get dropped. If the new certificate was not uploaded (or anything else fails), nothing changes and the answer names the thumbprint to upload.',
  input: z.object({ account: AccountRef }).strict(),
  output: z.object({ account: AccountView, message: z.string(), previousThumbprint: z.string(), warnings: z.array(z.string()) }),
  permission: 'link',
  nature: { readOnly: false, destructive: true, idempotent: false, openWorld: true },
  async precheck(ctx, input) {
    const account = requireAccount(await ctx.store.read(), input.account);
    requireAppAccount(ctx, account);
    requireRotation(account);
  },
  summarize: (o) => [o.message, ...o.warnings].join('\n'),
  async run(ctx, input) {
    const account = requireAccount(await ctx.store.read(), input.account);
    const family = requireAppAccount(ctx, account);
    const d = appDetails(account);
    const next = requireRotation(account).certificate;
    const candidate = { ...d, certificate: next };
    let checked;
    try {
      checked = await family.spec.check(ctx, credentialOf(ctx, candidate), candidate, account);
    } catch (e) {
      if (!(e instanceof CloudlinkError)) throw e;
      if (e.code === 'CERTIFICATE_NOT_UPLOADED') {
        throw new CloudlinkError('CERTIFICATE_NOT_UPLOADED', `Microsoft Entra ID does not accept the new certificate for app ${d.clientId} yet. Upload it (thumbprint ${next.thumbprint}) to the app registration under Certificates & secrets → Certificates → Upload certificate, wait a minute, and finish the renewal again. ${nothingChanged(account)}`, e.fields, { ...e.details, thumbprint: next.thumbprint });
      }
      throw new CloudlinkError(e.code, `${e.message} ${nothingChanged(account)}`, e.fields, e.details);
    }
    const now = ctx.now();
    const out = await ctx.store.mutate((db) => {
      const current = requireAccount(db, account.id);
      const cd = appDetails(current);
      if (cd.rotation?.certificate.thumbprint !== next.thumbprint) {
        throw new CloudlinkError('NO_ROTATION', `The renewal of "${current.name}" was cancelled or replaced while cloudlink was signing in with its certificate. ${nothingChanged(current)}`);
      }
      const previous = cd.certificate.thumbprint;
      cd.certificate = next;
      delete cd.rotation;
      // Stores from before kept the linking setup's copy of the old key: it goes too.
      dropSetupKeys(db, current.id);
      delete cd.expiryNotices;
      checked.patch(current);
      current.status = 'connected';
      delete current.lastError;
      current.lastCheckedAt = now.toISOString();
      current.updatedAt = now.toISOString();
      ctx.audit(db, { type: 'account', id: current.id, name: current.name }, { from: previous, to: next.thumbprint });
      return { previous, view: accountView(ctx, current, db, ctx.reader) };
    });
    ctx.events.emit('account.changed', { change: 'certificate', account: out.view });
    return {
      account: out.view,
      previousThumbprint: out.previous,
      message: `"${out.view.name}" now signs in with its new certificate (thumbprint ${next.thumbprint}, valid until ${day(next.notAfter)}); cloudlink dropped the old key. Delete the old certificate (thumbprint ${out.previous}) from the app registration.`,
      warnings: checked.warnings,
    };
  },
});

function requireRotation(account: Account) {
  const r = appDetails(account).rotation;
  if (!r) throw new CloudlinkError('NO_ROTATION', `No certificate renewal is under way for "${account.name}". Start one first (start_certificate_rotation, or "Renew certificate" in Slack).`, { account: 'No renewal under way.' });
  return r;
}

export const cancelCertificateRotation = defineOperation({
  name: 'cancel_certificate_rotation',
  title: 'Cancel a certificate renewal',
  description:
    "Cancels a certificate renewal under way: the new key pair is dropped; the account keeps signing in with its current certificate, untouched. If the user already uploaded the new certificate, they may delete it from the app registration. Does nothing when no renewal is under way.",
  input: z.object({ account: AccountRef }).strict(),
  output: z.object({ account: AccountView, cancelled: z.boolean(), message: z.string() }),
  permission: 'link',
  nature: { readOnly: false, destructive: true, idempotent: true, openWorld: false },
  summarize: (o) => o.message,
  async run(ctx, input) {
    const now = ctx.now();
    const out = await ctx.store.mutate((db) => {
      const account = requireAccount(db, input.account);
      requireAppAccount(ctx, account);
      const d = appDetails(account);
      const dropped = d.rotation?.certificate.thumbprint;
      if (dropped) {
        delete d.rotation;
        account.updatedAt = now.toISOString();
        ctx.audit(db, { type: 'account', id: account.id, name: account.name }, { dropped, current: d.certificate.thumbprint });
      }
      return { dropped, view: accountView(ctx, account, db, ctx.reader), current: d.certificate.thumbprint };
    });
    const message = out.dropped
      ? `The renewal of "${out.view.name}" is cancelled: its new key is dropped, and it keeps signing in with its current certificate (thumbprint ${out.current}). If you uploaded the new certificate (thumbprint ${out.dropped}), delete it from the app registration.`
      : `No certificate renewal was under way for "${out.view.name}"; nothing changed.`;
    return { account: out.view, cancelled: Boolean(out.dropped), message };
  },
});

export const ROTATION_OPERATIONS: AnyOperation[] = [startCertificateRotation, completeCertificateRotation, cancelCertificateRotation];
