import type { KnownBlock, View } from '@slack/types';
import type { RotationHandout } from '../../engine/families/app-certificate/rotation.js';
import { PROVIDER_LABELS } from '../../engine/domain/records.js';
import type { AccountView } from '../../engine/views.js';
import { esc } from '../text.js';
import { context, md, modal } from './blocks.js';

const TITLE = 'Renew certificate';
const day = (iso: string) => iso.slice(0, 10);

/** Before a renewal: what will happen, and nothing changes until the new certificate works. */
export function renewIntroModal(account: AccountView): View {
  const m = account.microsoft!;
  return modal({
    callbackId: 'certificate_renew_start',
    title: TITLE,
    submit: 'Make new certificate',
    metadata: { accountId: account.id },
    blocks: [
      md(`*${esc(account.name)}* (${PROVIDER_LABELS[account.provider]}) signs in with certificate \`${m.certificateThumbprint}\`, valid until *${day(m.certificateExpiresAt)}*.`),
      md(
        [
          '*Renewing it, without a gap:*',
          '1. cloudlink makes a new certificate (its private key never leaves cloudlink) and sends you the public part.',
          '2. You upload it to the app registration *beside* the current one.',
          '3. *Finish renewal*: cloudlink signs in with the new certificate and, only once that works, switches to it and drops the old key.',
        ].join('\n'),
      ),
      context('Until you finish, the account keeps working exactly as it does now; you can cancel at any time.'),
    ],
  });
}

/** A renewal under way: the new certificate, the steps, Finish (submit) and Cancel renewal. */
export function renewPendingModal(h: RotationHandout, opts: { fileSent: boolean; error?: string }): View {
  const blocks: KnownBlock[] = [];
  if (opts.error) blocks.push(md(`:x: *Not switched yet.* ${esc(opts.error)}`));
  blocks.push(
    md(
      `*New certificate for ${esc(h.account.name)}* · thumbprint \`${h.certificateThumbprint}\` · valid until ${day(h.certificateExpiresAt)}\n${opts.fileSent ? `:inbox_tray: It is in your direct messages as \`${h.certificateFileName}\`.` : `Copy it into a file called \`${h.certificateFileName}\`:`}`,
    ),
    ...(opts.fileSent ? [] : [md(`\`\`\`${h.certificatePem.trim()}\`\`\``)]),
    md(h.steps.slice(0, 3).map((x, i) => `${i + 1}. ${esc(x)}`).join('\n')),
    { type: 'actions', block_id: 'renewal', elements: [{ type: 'button', action_id: 'certificate_renew_cancel', value: h.account.id, style: 'danger', text: { type: 'plain_text', text: 'Cancel renewal' } }] },
    context(`Until then ${esc(h.account.name)} keeps signing in with \`${h.current.thumbprint}\` (valid until ${day(h.current.expiresAt)}).`),
  );
  return modal({ callbackId: 'certificate_renew_finish', title: TITLE, submit: 'Finish renewal', close: 'Later', blocks, metadata: { accountId: h.account.id } });
}

export const renewResultView = (text: string): View => modal({ title: TITLE, close: 'Close', blocks: [md(text)] });
