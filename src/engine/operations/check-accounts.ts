import { z } from 'zod';
import { audit } from '../audit.js';
import type { EngineContext } from '../context.js';
import { CloudlinkError, internalError } from '../errors.js';
import { requireAccount } from '../lookup.js';
import { requirePermission } from '../permissions.js';
import type { Account, Actor } from '../schemas.js';
import { parseInput } from '../validate.js';
import { accountView, AccountView } from '../views.js';
import { verifyMicrosoftAccount } from './microsoft-verify.js';

export const CheckAccountInput = z.object({ account: z.string().min(1).max(200).describe('Name (case-insensitive) or id.') }).strict();
export const CheckResult = z.object({ account: AccountView, changed: z.boolean(), warnings: z.array(z.string()) });
export type CheckResult = z.infer<typeof CheckResult>;
export const CheckAllOutput = z.object({ results: z.array(CheckResult), connected: z.number(), errors: z.number() });
export const ConfigurationErrorsOutput = z.object({
  errors: z.array(z.object({ account: AccountView, message: z.string() })),
  warnings: z.array(z.object({ account: AccountView, message: z.string() })),
});

type Verification = { ok: true; patch?: (a: Account) => void } | { ok: false; error: CloudlinkError };

/** Re-verifies an account for real, as when it was linked. */
async function verify(ctx: EngineContext, account: Account): Promise<Verification> {
  try {
    if (account.provider === 'aws' || account.provider === 'eks') {
      const d = account.provider === 'aws' ? account.aws : account.eks;
      const v = await ctx.aws.verifyRole({ roleArn: d.roleArn, externalId: d.externalId, region: d.stack?.region ?? ctx.settings.awsDefaultRegion, retryForMs: 0 });
      if (v.accountId !== d.accountId) {
        return { ok: false, error: new CloudlinkError('ACCOUNT_MISMATCH', `The role now answers from AWS account ${v.accountId}, not ${d.accountId}. Relink the account.`) };
      }
      return { ok: true };
    }
    return { ok: true, patch: await verifyMicrosoftAccount(ctx, account) };
  } catch (e) {
    if (e instanceof CloudlinkError) return { ok: false, error: healthWording(e) };
    ctx.log.error('health check failed unexpectedly', { accountId: account.id, error: e });
    return { ok: false, error: internalError() };
  }
}

/** Says what probably happened on the cloud side, in the words of someone who owns the account. */
function healthWording(e: CloudlinkError): CloudlinkError {
  if (e.code === 'ASSUME_ROLE_DENIED') {
    return new CloudlinkError(e.code, 'cloudlink can no longer assume the role: the role or its stack was deleted, or its trust policy changed (External ID changed, or cloudlink is no longer trusted). Redeploy the cloudlink stack with the original parameters, or delete the account here and link it again.');
  }
  return e;
}

export function certificateWarnings(ctx: EngineContext, account: Account): string[] {
  const d = account.provider === 'azure' ? account.azure : account.provider === 'm365' ? account.m365 : account.provider === 'entra' ? account.entra : undefined;
  if (!d) return [];
  const left = Date.parse(d.certificate.notAfter) - ctx.now().getTime();
  const days = Math.floor(left / 86_400_000);
  if (left <= 0) return [`The certificate of "${account.name}" expired on ${d.certificate.notAfter.slice(0, 10)}: start a new setup to get a new one and upload it to the app registration.`];
  if (days <= ctx.settings.certificateWarnDays) return [`The certificate of "${account.name}" expires in ${days} day${days === 1 ? '' : 's'} (${d.certificate.notAfter.slice(0, 10)}): renew it before then by starting a new setup for the same app registration.`];
  return [];
}

async function checkOne(ctx: EngineContext, actor: Actor, account: Account): Promise<CheckResult> {
  const result = await verify(ctx, account);
  const now = ctx.now();
  const out = await ctx.store.mutate((db) => {
    const current = db.accounts.find((a) => a.id === account.id);
    if (!current) throw new CloudlinkError('NOT_FOUND', `"${account.name}" was deleted while it was being checked.`);
    const previous = current.status;
    current.lastCheckedAt = now.toISOString();
    if (result.ok) {
      current.status = 'connected';
      delete current.lastError;
      result.patch?.(current);
    } else {
      current.status = 'error';
      current.lastError = { code: result.error.code, message: result.error.message, at: now.toISOString() };
    }
    if (previous !== current.status) {
      audit(db, now, actor, 'account.health', { type: 'account', id: current.id, name: current.name }, { from: previous, to: current.status, ...(result.ok ? {} : { code: result.error.code }) });
    }
    return { account: current, previous, view: accountView(current, db) };
  });
  if (out.previous !== out.account.status) ctx.events.emit('account.health_changed', { account: out.account, previousStatus: out.previous });
  return { account: out.view, changed: out.previous !== out.account.status, warnings: certificateWarnings(ctx, out.account) };
}

export async function checkAccount(ctx: EngineContext, actor: Actor, raw: unknown): Promise<CheckResult> {
  const input = parseInput(CheckAccountInput, raw);
  requirePermission(actor, 'check', ctx.settings);
  const account = requireAccount(await ctx.store.read(), input.account);
  return checkOne(ctx, actor, account);
}

/** Re-verifies every account, a few at a time so a large estate does not flood the clouds. */
export async function checkAll(ctx: EngineContext, actor: Actor, concurrency = 4) {
  requirePermission(actor, 'check', ctx.settings);
  const accounts = [...(await ctx.store.read()).accounts];
  const results: CheckResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < accounts.length) {
      const account = accounts[next++]!;
      try {
        results.push(await checkOne(ctx, actor, account));
      } catch (e) {
        if (!(e instanceof CloudlinkError && e.code === 'NOT_FOUND')) throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, accounts.length) }, worker));
  return { results, connected: results.filter((r) => r.account.status === 'connected').length, errors: results.filter((r) => r.account.status === 'error').length };
}

/** What needs attention, from stored state (no cloud calls): broken accounts and expiring certificates. */
export async function listConfigurationErrors(ctx: EngineContext, actor: Actor) {
  requirePermission(actor, 'read', ctx.settings);
  const db = await ctx.store.read();
  const errors = db.accounts.filter((a) => a.status === 'error').map((a) => ({ account: accountView(a, db), message: a.lastError?.message ?? 'Unknown error: check the account.' }));
  const warnings = db.accounts.flatMap((a) => certificateWarnings(ctx, a).map((message) => ({ account: accountView(a, db), message })));
  return { errors, warnings };
}
