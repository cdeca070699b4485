import { z } from 'zod';
import type { EngineCore, OpContext } from '../context.js';
import { CloudlinkError, internalError } from '../errors.js';
import { requireAccount } from '../lookup.js';
import { defineOperation, READS } from '../registry/operation.js';
import { AccountRef, type Account } from '../domain/records.js';
import { accountView, AccountView, PUBLIC_READER } from '../views.js';
import { accountLine } from './accounts.js';
import { announceAccount } from '../webhooks/announce.js';

const CheckResult = z.object({ account: AccountView, changed: z.boolean(), warnings: z.array(z.string()) });
type CheckResult = z.infer<typeof CheckResult>;

/** Warnings about what will break on its own (a certificate running out), from stored state. */
export function expiryWarnings(core: EngineCore, account: Account): string[] {
  const family = core.families.of(account.provider);
  const notAfter = family.credentialExpiry?.(account);
  if (!notAfter) return [];
  const left = Date.parse(notAfter) - core.now().getTime();
  const days = Math.floor(left / 86_400_000);
  const renew = family.credentialRenewal?.(account);
  if (left <= 0) return [`The certificate of "${account.name}" expired on ${notAfter.slice(0, 10)}.${renew ? ` ${renew}` : ''}`];
  if (days <= core.settings.certificateWarnDays) return [`The certificate of "${account.name}" expires in ${days} day${days === 1 ? '' : 's'} (${notAfter.slice(0, 10)}).${renew ? ` ${renew}` : ''}`];
  return [];
}

/**
 * Failures that say cloudlink could not check (it could not reach the cloud, was throttled, the cloud
 * answered with a server error, or cloudlink has no credentials of its own), not that the account is
 * broken: the account keeps its status, and no "health changed" news goes out for every account at
 * once when cloudlink's own network, or the cloud, fails for a while.
 */
const INCONCLUSIVE_CODES = new Set(['CLOUD_UNREACHABLE', 'CLOUD_THROTTLED', 'PLATFORM_NOT_CONFIGURED']);
// A credential sealed with another key is this account's own problem (renew it), not cloudlink's.
const inconclusive = (e: CloudlinkError) => (INCONCLUSIVE_CODES.has(e.code) && e.details.reason !== 'sealed-with-another-key') || e.details.transient === true;

/**
 * A failure as the account's recorded finding. The clouds' errors are worded for a link attempt, which
 * stores nothing and says so; a check does store what it found, so that reassurance is dropped.
 */
export const asFinding = (message: string): string =>
  message
    .replace(/\s*Nothing was stored\.(?=\s|$)/g, '')
    .replace(/Nothing was stored; (\w)/g, (_m, first: string) => first.toUpperCase())
    .trim();

/**
 * Re-verifies one account for real, as when it was linked, and records what it found; or, when the
 * check could not be made, records nothing and says why (`unchecked`).
 */
async function checkOne(ctx: OpContext, account: Account): Promise<CheckResult | { unchecked: CloudlinkError }> {
  const family = ctx.families.of(account.provider);
  let result: { ok: true; patch?: (a: Account) => void } | { ok: false; error: CloudlinkError };
  try {
    result = { ok: true, patch: await family.verify(ctx, account) };
  } catch (e) {
    if (e instanceof CloudlinkError) result = { ok: false, error: family.healthWording?.(e) ?? e };
    else {
      ctx.log.error('health check failed unexpectedly', { accountId: account.id, error: e });
      result = { ok: false, error: internalError() };
    }
  }
  if (!result.ok && inconclusive(result.error)) {
    return { unchecked: new CloudlinkError(result.error.code, `cloudlink could not check "${account.name}", so its status stays "${account.status}": ${result.error.message}`, {}, result.error.details) };
  }
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
      current.lastError = { code: result.error.code, message: asFinding(result.error.message), at: now.toISOString() };
    }
    if (previous !== current.status) {
      ctx.audit(db, { type: 'account', id: current.id, name: current.name }, { from: previous, to: current.status, ...(result.ok ? {} : { code: result.error.code }) });
      announceAccount(ctx, db, 'cloudlink.account.health_changed', current, { previousStatus: previous, status: current.status });
    }
    return { current, changed: previous !== current.status, view: accountView(ctx, current, db, ctx.reader), public: accountView(ctx, current, db, PUBLIC_READER) };
  });
  if (out.changed) ctx.events.emit('account.changed', { change: 'health', account: out.public });
  return { account: out.view, changed: out.changed, warnings: expiryWarnings(ctx, out.current) };
}

export const checkAccount = defineOperation({
  name: 'check_account',
  title: 'Re-verify a linked account',
  description:
    'Re-verifies one account for real (AWS: AssumeRole with its External ID; Microsoft: a token with its certificate) and updates its status: broken accounts move to "error" with the reason, fixed ones back to "connected".',
  input: z.object({ account: AccountRef }).strict(),
  output: CheckResult,
  permission: 'check',
  nature: { readOnly: false, destructive: false, idempotent: true, openWorld: true },
  summarize: (o) => [accountLine(o.account), ...o.warnings].join('\n'),
  async run(ctx, input) {
    const r = await checkOne(ctx, requireAccount(await ctx.store.read(), input.account));
    if ('unchecked' in r) throw r.unchecked;
    return r;
  },
});

export const checkAllAccounts = defineOperation({
  name: 'check_all_accounts',
  title: 'Re-verify every linked account',
  description: 'Re-verifies every linked account, a few at a time so a large estate does not flood the clouds; the scheduled health check runs this.',
  input: z.object({ concurrency: z.number().int().min(1).max(32).default(4) }).strict(),
  output: z.object({
    results: z.array(CheckResult),
    connected: z.number(),
    errors: z.number(),
    unchecked: z.number().describe('Accounts cloudlink could not check (it could not reach the cloud, was throttled, or the cloud answered with a server error): their status is unchanged.'),
  }),
  permission: 'check',
  nature: { readOnly: false, destructive: false, idempotent: true, openWorld: true },
  exposure: { mcp: false },
  summarize: (o) => `${o.connected} connected, ${o.errors} in error.${o.unchecked ? ` ${o.unchecked} could not be checked (cloudlink could not reach the cloud, was throttled, or the cloud answered with server errors); their status is unchanged.` : ''}`,
  async run(ctx, input) {
    const accounts = [...(await ctx.store.read()).accounts];
    const results: CheckResult[] = [];
    let unchecked = 0;
    let next = 0;
    const worker = async () => {
      while (next < accounts.length) {
        const account = accounts[next++]!;
        try {
          const r = await checkOne(ctx, account);
          if (!('unchecked' in r)) results.push(r);
          else if (!unchecked++) ctx.log.warn('health check could not check an account; its status is unchanged', { accountId: account.id, code: r.unchecked.code });
        } catch (e) {
          if (!(e instanceof CloudlinkError && e.code === 'NOT_FOUND')) throw e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(input.concurrency, accounts.length) }, worker));
    return { results, connected: results.filter((r) => r.account.status === 'connected').length, errors: results.filter((r) => r.account.status === 'error').length, unchecked };
  },
});

const Attention = z.object({ account: AccountView, message: z.string() });

export const listConfigurationErrors = defineOperation({
  name: 'list_configuration_errors',
  title: 'List accounts that need attention',
  description: 'Lists accounts in error (with what to do) and warnings such as certificates about to expire, from the last checks. Does not call the clouds; use check_account for a fresh check.',
  input: z.object({}).strict(),
  output: z.object({ errors: z.array(Attention), warnings: z.array(Attention) }),
  permission: 'read',
  nature: READS,
  summarize(o) {
    const lines = [...o.errors.map((e) => `✗ ${e.account.name}: ${e.message}`), ...o.warnings.map((w) => `! ${w.account.name}: ${w.message}`)];
    return lines.length ? lines.join('\n') : 'Everything is connected; no warnings.';
  },
  async run(ctx) {
    const db = await ctx.store.read();
    const errors = db.accounts.filter((a) => a.status === 'error').map((a) => ({ account: accountView(ctx, a, db, ctx.reader), message: a.lastError?.message ?? 'Unknown error: check the account.' }));
    const warnings = db.accounts.flatMap((a) => expiryWarnings(ctx, a).map((message) => ({ account: accountView(ctx, a, db, ctx.reader), message })));
    return { errors, warnings };
  },
});
