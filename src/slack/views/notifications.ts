import type { KnownBlock } from '@slack/types';
import { PROVIDER_LABELS } from '../../engine/domain/records.js';
import type { Notification } from '../../engine/ports/notifier.js';
import { mention, esc } from '../text.js';
import { md } from './blocks.js';
import { inviteDmBlocks } from './invite.js';

type Message = { text: string; blocks: KnownBlock[] };

/** A member state in words, as "3 <words>". */
export const STATE_WORDS: Record<string, string> = {
  linked: 'newly linked',
  waiting_for_role: 'waiting for their role',
  role_missing: 'with no role',
  access_denied: 'refusing cloudlink',
  suspended: 'suspended or closing',
  excluded: 'excluded',
  removed: 'gone from the organization',
  error: 'with an error',
};
type Linked = Extract<Notification, { kind: 'account_linked' }>;

/** "… is connected", in words for the person reading it: who they are to the link decides the sentence. */
function linkedText(n: Linked): string {
  const what = `*${esc(n.account.name)}* (${PROVIDER_LABELS[n.account.provider]})`;
  const finisher = n.by ? mention(n.by.id, n.by.via) : undefined;
  switch (n.audience) {
    case 'invitee':
      return `:white_check_mark: ${what} is connected: cloudlink saw the stack you deployed finish and linked it. Thank you, nothing more to do.`;
    case 'inviter':
      return finisher
        ? `:white_check_mark: ${what} is connected: ${finisher} finished the setup you handed them, and cloudlink verified it.`
        : `:white_check_mark: ${what} is connected: cloudlink saw the stack finish and linked it.`;
    case 'starter':
      return finisher
        ? `:white_check_mark: ${what} is connected: ${finisher} finished the setup you started, and cloudlink verified it.`
        : `:white_check_mark: ${what} is connected: cloudlink saw the stack finish and linked it.`;
  }
}

/** One Slack message per notification. */
export function notificationMessage(n: Notification): Message {
  switch (n.kind) {
    case 'invite': {
      const who = mention(n.invite.inviter.id, n.invite.inviter.via, n.invite.inviter.name);
      return { text: `${esc(n.invite.inviter.name ?? 'A colleague')} asked you to connect ${PROVIDER_LABELS[n.invite.provider]} to cloudlink`, blocks: inviteDmBlocks(n.invite, n.handout, who, n.link) };
    }
    case 'account_linked': {
      const text = linkedText(n);
      return { text: text.replace(/\*/g, ''), blocks: [md(text)] };
    }
    case 'setup_needs_attention': {
      const text = `:warning: ${esc(n.headline)}${n.setup.name ? ` (${esc(n.setup.name)})` : ''}:\n${esc(n.message)}`;
      return { text: n.headline, blocks: [md(text), { type: 'actions', elements: [{ type: 'button', action_id: 'reopen_setup', value: n.setup.setupId, text: { type: 'plain_text', text: 'Open the setup' } }] }] };
    }
    case 'organization_changed': {
      const lines = n.changes.map((c) => `• ${c.count} ${STATE_WORDS[c.state]}${c.examples.length ? `: ${c.examples.map(esc).join(', ')}${c.count > c.examples.length ? ', …' : ''}` : ''}`);
      const text = `:office: *${esc(n.organization.name)}* (organization ${esc(n.organization.awsOrganizationId)}) changed:\n${lines.join('\n')}\n${n.byState.linked} linked in all. \`/cloud org ${esc(n.organization.name)}\` shows it by OU, with the accounts that need attention.`;
      return { text: `${n.organization.name}: the organization changed`, blocks: [md(text)] };
    }
    case 'certificate_expiring': {
      const what = `*${esc(n.account.name)}* (${PROVIDER_LABELS[n.account.provider]})`;
      const when = n.expiresAt.slice(0, 10);
      const head =
        n.days === 0
          ? `:rotating_light: The certificate of ${what} expired on ${when}: cloudlink can no longer sign in with it.`
          : `:hourglass: The certificate of ${what} expires ${n.daysLeft <= 0 ? 'today' : `in ${n.daysLeft} day${n.daysLeft === 1 ? '' : 's'}`} (${when}, thumbprint \`${esc(n.thumbprint)}\`).`;
      const next = n.renewalPending
        ? 'A renewal is already under way: upload its new certificate to the app registration, then choose *Finish renewal*.'
        : '*Renew certificate*: cloudlink makes a new one, you upload it beside the current one, and the link switches only once the new one signs in.';
      return {
        text: n.days === 0 ? `The certificate of ${n.account.name} expired` : `The certificate of ${n.account.name} expires on ${when}`,
        blocks: [md(`${head}\n${next}`), { type: 'actions', elements: [{ type: 'button', action_id: 'certificate_renew', value: n.account.id, text: { type: 'plain_text', text: n.renewalPending ? 'Finish renewal' : 'Renew certificate' }, style: 'primary' }] }],
      };
    }
    case 'webhook_event':
      // Webhook events go to subscribers' URLs, never to a person; said plainly should one ever land here.
      return { text: `cloudlink event ${n.event.type} about ${n.event.subject}`, blocks: [md(`cloudlink event \`${esc(n.event.type)}\` about ${esc(n.event.subject)}`)] };
    case 'invite_revoked': {
      const text = `:no_entry_sign: ${mention(n.invite.inviter.id, n.invite.inviter.via, n.invite.inviter.name)} revoked the invite to connect ${PROVIDER_LABELS[n.invite.provider]}: there is nothing left for you to do.`;
      return { text: 'An invite was revoked', blocks: [md(text)] };
    }
  }
}
