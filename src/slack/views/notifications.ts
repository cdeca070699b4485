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
      return { text: `${esc(n.invite.inviter.name ?? 'A colleague')} asked you to connect ${PROVIDER_LABELS[n.invite.provider]} to cloudlink`, blocks: inviteDmBlocks(n.invite, n.handout, who) };
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
    case 'invite_revoked': {
      const text = `:no_entry_sign: ${mention(n.invite.inviter.id, n.invite.inviter.via, n.invite.inviter.name)} revoked the invite to connect ${PROVIDER_LABELS[n.invite.provider]}: there is nothing left for you to do.`;
      return { text: 'An invite was revoked', blocks: [md(text)] };
    }
  }
}
