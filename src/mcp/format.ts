import { PROVIDER_LABELS } from '../engine/schemas.js';
import type { AccountView } from '../engine/views.js';

/** One line per account, for the text half of a result. */
export function accountLine(a: AccountView): string {
  const where = a.aws ? `AWS ${a.aws.accountId}${a.aws.kind ? ` (${a.aws.kind})` : ''}` : a.microsoft ? `tenant ${a.microsoft.tenantId}` : '';
  const err = a.status === 'error' && a.lastError ? ` — ${a.lastError.message.split('\n')[0]}` : '';
  return `• ${a.name} [${PROVIDER_LABELS[a.provider]}, ${where}] ${a.status}${err} (id ${a.id})`;
}
