import type { KnownBlock, View } from '@slack/types';
import type { InviteOption } from '../../engine/families/link-form.js';
import type { SetupHandoutBrief } from '../../engine/families/handouts.js';
import type { InviteView } from '../../engine/views.js';
import { esc } from '../text.js';
import { context, md, modal, textInput } from './blocks.js';

/** How a colleague outside Slack can be reached (the engine's get_invite_options says). */
export type InviteReach = { email: boolean; link: boolean };

export function inviteModal(opts: { invitee?: string; options: InviteOption[]; reach?: InviteReach }): View {
  const kinds = opts.options;
  const outside = opts.reach?.email || opts.reach?.link;
  return modal({
    callbackId: 'invite_submit',
    title: 'Invite a colleague',
    submit: 'Send invite',
    blocks: [
      md('Someone who can create IAM roles with CloudFormation can finish the link for you in about five minutes. They get a direct message with what to do and why; you both hear when it connects.'),
      { type: 'input', block_id: 'invitee', optional: Boolean(outside), label: { type: 'plain_text', text: 'Colleague' }, element: { type: 'users_select', action_id: 'value', ...(opts.invitee ? { initial_user: opts.invitee } : {}) } },
      ...(opts.reach?.email ? [textInput({ blockId: 'email', label: 'Or their e-mail address', placeholder: 'name@example.com', optional: true, hint: 'For a colleague outside Slack: cloudlink e-mails them a link to their invite page.', maxLength: 200 })] : []),
      ...(opts.reach?.link
        ? [
            {
              type: 'input' as const,
              block_id: 'as_link',
              optional: true,
              label: { type: 'plain_text' as const, text: 'Or pass it on yourself' },
              element: { type: 'checkboxes' as const, action_id: 'value', options: [{ text: { type: 'plain_text' as const, text: 'Give me the link to send them' }, description: { type: 'plain_text' as const, text: 'cloudlink sends nothing; the link works once and expires with the invite.' }, value: 'link' }] },
            },
          ]
        : []),
      {
        type: 'input',
        block_id: 'kind',
        label: { type: 'plain_text', text: 'What to link' },
        element: { type: 'static_select', action_id: 'value', initial_option: { text: { type: 'plain_text', text: kinds[0]!.label }, value: kinds[0]!.value }, options: kinds.map((k) => ({ text: { type: 'plain_text' as const, text: k.label }, value: k.value })) },
      },
      { type: 'input', block_id: 'message', optional: true, label: { type: 'plain_text', text: 'Message' }, element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 500 } },
    ],
  });
}

/** The colleague's DM: who asks, why them, what it does, and the buttons that matter (the invite page's too, when there is one). */
export function inviteDmBlocks(invite: InviteView, setup: SetupHandoutBrief, who: string, link?: string): KnownBlock[] {
  const role = setup.kit === 'cloudformation-role';
  const steps = (role ? setup.instructions : setup.checklist).map((x, i) => `${i + 1}. ${esc(x)}`).join('\n');
  return [
    md(`:wave: ${who} asked you to connect ${esc(setup.what)} to cloudlink.${invite.message ? `\n>${esc(invite.message).replace(/\n/g, '\n>')}` : ''}`),
    md(
      role
        ? '*Why you:* it takes someone who can create IAM roles with CloudFormation. *What it does:* creates one read-only role that cloudlink assumes with a unique External ID; it cannot read your data, and deleting the stack removes it.'
        : '*Why you:* it takes someone who can manage app registrations in Microsoft Entra ID.',
    ),
    md(steps),
    {
      type: 'actions',
      block_id: `invite:${invite.inviteId}`,
      elements: [
        ...(role && setup.quickCreateUrl ? [{ type: 'button' as const, action_id: 'open_console', text: { type: 'plain_text' as const, text: 'Open AWS console' }, url: setup.quickCreateUrl, style: 'primary' as const }] : []),
        ...(link ? [{ type: 'button' as const, action_id: 'open_invite_page', text: { type: 'plain_text' as const, text: 'Open the setup page' }, url: link }] : []),
        { type: 'button', action_id: 'invite_done', value: invite.inviteId, text: { type: 'plain_text', text: role ? 'Done, here is the role ARN' : 'Done, connect it' } },
      ],
    },
    context(`This invite expires ${invite.expiresAt.slice(0, 10)} and works once.`),
  ];
}

/** What the inviter sees once the invite is out: whether it arrived (or the link to pass on), when it expires, and a way to take it back. */
export const inviteSentView = (invite: InviteView, delivery: { status: string; note: string }, link?: string): View => {
  const who = invite.invitee.channel === 'slack' ? `<@${invite.invitee.id}>` : esc(invite.invitee.name ?? invite.invitee.id);
  const expires = invite.expiresAt.slice(0, 10);
  return modal({
    title: link ? 'Invite ready' : 'Invite sent',
    close: 'Done',
    blocks: [
      md(
        link
          ? `:link: Send ${who} this link yourself. It opens their invite page (what to do and why, the console button, live status); it works once, in one browser, and expires ${expires}. You will hear when the account connects.\n\`\`\`${link}\`\`\``
          : delivery.status === 'delivered'
            ? `:envelope_with_arrow: ${who} has the instructions${invite.invitee.channel === 'email' ? ' by e-mail' : ''}. You will both get a message when the account connects. The invite expires ${expires} and works once.`
            : `:hourglass: The invite to ${who} is ready but not delivered yet: ${esc(delivery.note)} It expires ${expires}.`,
      ),
      { type: 'actions', block_id: 'invite_actions', elements: [{ type: 'button', action_id: 'revoke_invite', value: invite.inviteId, style: 'danger', text: { type: 'plain_text', text: 'Revoke invite' } }] },
    ],
  });
};
