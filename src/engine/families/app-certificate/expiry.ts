import type { EngineCore } from '../../context.js';
import type { Account, Provider } from '../../domain/records.js';
import { enqueue, recipientOf } from '../../outbox.js';
import { accountView, PUBLIC_READER } from '../../views.js';
import { appDetails } from './details.js';

const DAY = 86_400_000;

/**
 * When certificate holders hear about an expiry: CLOUDLINK_CERT_WARN_DAYS before (30 by default),
 * then 7 and 1 days before, and once it expired (0). Thresholds above the warning period are not used.
 */
export function noticeDays(warnDays: number): number[] {
  return [...new Set([warnDays, 7, 1, 0].filter((d) => d <= warnDays))].sort((a, b) => b - a);
}

/** The notice due for a certificate now: the nearest threshold it crossed; undefined before the first. */
export function dueNotice(notAfter: string, now: Date, warnDays: number): number | undefined {
  const left = Date.parse(notAfter) - now.getTime();
  const crossed = noticeDays(warnDays).filter((d) => left <= d * DAY);
  return crossed.length ? Math.min(...crossed) : undefined;
}

function pending(core: EngineCore, a: Account): number | undefined {
  const d = appDetails(a);
  const due = dueNotice(d.certificate.notAfter, core.now(), core.settings.certificateWarnDays);
  if (due === undefined) return undefined;
  const sent = d.expiryNotices?.thumbprint === d.certificate.thumbprint ? d.expiryNotices.days : [];
  // A notice at or nearer than the due one went out already (a service that was down skips to the nearest).
  return sent.some((x) => x <= due) ? undefined : due;
}

/**
 * The family's periodic work: each certificate's notices, once per threshold, through the outbox to
 * whoever linked the account. The marks live with the certificate's thumbprint, so a renewed
 * certificate starts afresh; the check is repeated inside the write, so two passes tell nobody twice.
 */
export async function expiryPass(core: EngineCore, provider: Provider): Promise<number> {
  const snapshot = await core.store.read();
  if (!snapshot.accounts.some((a) => a.provider === provider && pending(core, a) !== undefined)) return 0;
  const told = await core.store.mutate((db) => {
    let n = 0;
    const now = core.now();
    for (const a of db.accounts) {
      if (a.provider !== provider) continue;
      const due = pending(core, a);
      if (due === undefined) continue;
      const d = appDetails(a);
      const sent = d.expiryNotices?.thumbprint === d.certificate.thumbprint ? d.expiryNotices.days : [];
      d.expiryNotices = { thumbprint: d.certificate.thumbprint, days: [...new Set([...sent, ...noticeDays(core.settings.certificateWarnDays).filter((x) => x >= due)])].sort((x, y) => y - x) };
      const to = recipientOf(a.createdBy);
      if (!to) continue;
      enqueue(db, now, to, { kind: 'certificate_expiring', account: accountView(core, a, db, PUBLIC_READER), days: due, daysLeft: Math.max(0, Math.floor((Date.parse(d.certificate.notAfter) - now.getTime()) / DAY)), expiresAt: d.certificate.notAfter, thumbprint: d.certificate.thumbprint, renewalPending: Boolean(d.rotation) });
      n++;
    }
    return n;
  });
  if (told) core.events.emit('outbox.enqueued');
  return told;
}
