import type { EngineContext } from '../context.js';
import { CloudlinkError } from '../errors.js';
import type { Account } from '../schemas.js';

/** Re-verifies an Azure, Microsoft 365 or Entra ID account; returns a patch for what it learnt. */
export async function verifyMicrosoftAccount(_ctx: EngineContext, account: Account): Promise<((a: Account) => void) | undefined> {
  throw new CloudlinkError('WRONG_PROVIDER', `Health checks for ${account.provider} accounts are not available in this build.`);
}
