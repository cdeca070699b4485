import { z } from 'zod';
import type { EngineContext } from '../context.js';
import { requireSetup } from '../lookup.js';
import { requirePermission } from '../permissions.js';
import type { Actor } from '../schemas.js';
import { parseInput } from '../validate.js';
import { accountView, AccountView, setupView, SetupView } from '../views.js';
import { microsoftSetupDetails } from './microsoft-setups.js';
import { awsSetupDetails } from './start-aws-setup.js';

export const GetSetupInput = z.object({ setupId: z.string().min(1).max(100) }).strict();
export const GetSetupOutput = z.object({ setup: SetupView, account: AccountView.optional() });

export async function getSetupStatus(ctx: EngineContext, actor: Actor, raw: unknown) {
  const input = parseInput(GetSetupInput, raw);
  requirePermission(actor, 'read', ctx.settings);
  const db = await ctx.store.read();
  const setup = requireSetup(db, input.setupId);
  const account = setup.completedAccountId ? db.accounts.find((a) => a.id === setup.completedAccountId) : undefined;
  return { setup: setupView(setup, ctx.now()), ...(account ? { account: accountView(account, db) } : {}) };
}

/** Everything needed to finish a setup (AWS: template, quick-create link, steps; Microsoft: certificate). */
export async function setupDetails(ctx: EngineContext, setupId: string) {
  const db = await ctx.store.read();
  const setup = requireSetup(db, setupId);
  if (setup.aws) return awsSetupDetails(ctx, setup);
  return microsoftSetupDetails(ctx, setup);
}
