import type { EngineContext } from '../context.js';
import type { Account } from '../schemas.js';
import { reverifyMicrosoftAccount } from './microsoft-setups.js';

/** Re-verifies an Azure, Microsoft 365 or Entra ID account; returns a patch for what it learnt. */
export async function verifyMicrosoftAccount(ctx: EngineContext, account: Account): Promise<((a: Account) => void) | undefined> {
  if (account.provider === 'aws' || account.provider === 'eks') return undefined;
  return reverifyMicrosoftAccount(ctx, account);
}
