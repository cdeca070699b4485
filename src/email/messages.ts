import { PROVIDER_LABELS } from '../engine/domain/records.js';
import type { Notification } from '../engine/ports/notifier.js';

/** One e-mail: a plain-text part (what mail clients quote and screen readers read) and the same in HTML. */
export type EmailMessage = { subject: string; text: string; html: string };

/** Everything a person typed or a record holds is escaped before it is placed in the HTML part. */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
/** Header lines must stay one line: a typed name cannot add a header. */
const oneLine = (s: string) => s.replace(/[\r\n\t]+/g, ' ').trim().slice(0, 200);

type Part = { p: string } | { quote: string } | { button: { href: string; label: string } } | { small: string };

function render(subject: string, parts: Part[]): EmailMessage {
  const text = parts
    .map((x) => ('p' in x ? x.p : 'quote' in x ? x.quote.split('\n').map((l) => `> ${l}`).join('\n') : 'button' in x ? `${x.button.label}:\n${x.button.href}` : x.small))
    .join('\n\n');
  const body = parts
    .map((x) =>
      'p' in x
        ? `<p style="margin:0 0 16px">${esc(x.p)}</p>`
        : 'quote' in x
          ? `<blockquote style="margin:0 0 16px;padding:0 0 0 12px;border-left:4px solid #c4c7c5;color:#1f1f1f">${esc(x.quote).replace(/\n/g, '<br>')}</blockquote>`
          : 'button' in x
            ? `<p style="margin:0 0 16px"><a href="${esc(x.button.href)}" style="display:inline-block;padding:12px 20px;background:#0b57d0;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:600">${esc(x.button.label)}</a></p><p style="margin:0 0 16px;font-size:13px;color:#444746;word-break:break-all">${esc(x.button.href)}</p>`
            : `<p style="margin:0 0 16px;font-size:13px;color:#444746">${esc(x.small)}</p>`,
    )
    .join('\n');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(subject)}</title></head><body style="margin:0;padding:24px;background:#ffffff;color:#1f1f1f;font:16px/1.5 -apple-system,'Segoe UI',Roboto,sans-serif"><div style="max-width:560px">${body}</div></body></html>`;
  return { subject: oneLine(subject), text, html };
}

const inviterOf = (n: { invite: { inviter: { name?: string; id: string } } }) => n.invite.inviter.name ?? 'A colleague';

/**
 * The e-mail for a notification, in the same words as the Slack DM where they apply. An invite carries
 * its page's link and nothing the link guards: no External ID, no quick-create link, no steps.
 */
export function emailMessage(n: Notification): EmailMessage | undefined {
  switch (n.kind) {
    case 'invite': {
      if (!n.link) return undefined;
      const role = n.handout.kit === 'cloudformation-role';
      return render(`${inviterOf(n)} asks you to connect ${n.handout.what} to cloudlink`, [
        { p: `${inviterOf(n)} asked you to connect ${n.handout.what} to cloudlink.` },
        ...(n.invite.message ? [{ quote: n.invite.message }] : []),
        {
          p: role
            ? 'Why you: it takes someone who can create IAM roles with CloudFormation in that AWS account. What it does: one read-only role that cloudlink assumes with a unique External ID; it cannot read your data, and deleting the stack removes it.'
            : 'Why you: it takes someone who can manage app registrations in Microsoft Entra ID.',
        },
        { p: 'Your invite page says what to do, step by step, with a button that opens the AWS console with everything filled in, and shows when the account is connected.' },
        { button: { href: n.link, label: 'Open your invite page' } },
        { small: `The link works once, in the browser you open it in, and expires on ${n.invite.expiresAt.slice(0, 10)}. If you did not expect this, ignore it: nothing happens unless you deploy the stack.` },
      ]);
    }
    case 'invite_revoked':
      return render(`The invite to connect ${PROVIDER_LABELS[n.invite.provider]} was revoked`, [
        { p: `${inviterOf(n)} revoked the invite to connect ${PROVIDER_LABELS[n.invite.provider]} to cloudlink: its link no longer works and there is nothing left for you to do.` },
        { small: 'If you already deployed the stack, you may delete it.' },
      ]);
    case 'account_linked': {
      const what = `${n.account.name} (${PROVIDER_LABELS[n.account.provider]})`;
      const lines: Record<typeof n.audience, string> = {
        invitee: `${what} is connected: cloudlink saw the stack you deployed finish and linked it. Thank you, there is nothing more to do.`,
        inviter: `${what} is connected: ${n.by ? `${n.by.name ?? n.by.id} finished the setup you handed them` : 'cloudlink saw the stack finish and linked it'}.`,
        starter: `${what} is connected: ${n.by ? `${n.by.name ?? n.by.id} finished the setup you started` : 'cloudlink saw the stack finish and linked it'}.`,
      };
      return render(`${n.account.name} is connected to cloudlink`, [{ p: lines[n.audience] }]);
    }
    case 'setup_needs_attention':
      return render(n.headline, [{ p: `${n.headline}${n.setup.name ? ` (${n.setup.name})` : ''}:` }, { p: n.message }]);
    case 'certificate_expiring':
      return render(n.days === 0 ? `The certificate of ${n.account.name} expired` : `The certificate of ${n.account.name} expires on ${n.expiresAt.slice(0, 10)}`, [
        { p: `The certificate of ${n.account.name} (${PROVIDER_LABELS[n.account.provider]}, thumbprint ${n.thumbprint}) ${n.days === 0 ? 'expired' : 'expires'} on ${n.expiresAt.slice(0, 10)}.` },
        { p: n.renewalPending ? 'A renewal is under way: upload its new certificate to the app registration, then finish the renewal in cloudlink.' : 'Renew it in cloudlink: it makes a new certificate, you upload it beside the current one, and the link switches only once the new one signs in.' },
      ]);
    case 'organization_changed':
      return render(`${n.organization.name}: the organization changed`, [{ p: `${n.organization.name} (organization ${n.organization.awsOrganizationId}) changed: ${n.changes.map((c) => `${c.count} ${c.state.replace(/_/g, ' ')}`).join(', ')}.` }]);
    default:
      return undefined;
  }
}
