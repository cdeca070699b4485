import type { KnownBlock, View } from '@slack/types';
import type { InviteOption } from '../../engine/families/link-form.js';
import type { SetupHandoutBrief } from '../../engine/families/handouts.js';
import type { InviteView } from '../../engine/views.js';
import { esc } from '../text.js';
import { context, md, modal } from './blocks.js';

export function inviteModal(opts: { invitee?: string; options: InviteOption[] }): View {
  const kinds = opts.options;
  return modal({
    callbackId: 'invite_submit',
    title: 'Invite a colleague',
    submit: 'Send invite',
    blocks: [
      md('Someone who can create IAM roles with CloudFormation can finish the link for you in about five minutes. They get a direct message with what to do and why; you both hear when it connects.'),
      { type: 'input', block_id: 'invitee', label: { type: 'plain_text', text: 'Colleague' }, element: { type: 'users_select', action_id: 'value', ...(opts.invitee ? { initial_user: opts.invitee } : {}) } },
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

/** The colleague's DM: who asks, why them, what it does, and the two buttons that matter. */
export function inviteDmBlocks(invite: InviteView, setup: SetupHandoutBrief, who: string): KnownBlock[] {
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
        { type: 'button', action_id: 'invite_done', value: invite.inviteId, text: { type: 'plain_text', text: role ? 'Done, here is the role ARN' : 'Done, connect it' } },
      ],
    },
    context(`This invite expires ${invite.expiresAt.slice(0, 10)} and works once.`),
  ];
}

/** What the inviter sees once the invite is out: whether it arrived, when it expires, and a way to take it back. */
export const inviteSentView = (invite: InviteView, delivery: { status: string; note: string }): View =>
  modal({
    title: 'Invite sent',
    close: 'Done',
    blocks: [
      md(
        delivery.status === 'delivered'
          ? `:envelope_with_arrow: <@${invite.invitee.id}> has the instructions. You will both get a message when the account connects. The invite expires ${invite.expiresAt.slice(0, 10)} and works once.`
          : `:hourglass: The invite to <@${invite.invitee.id}> is ready but not delivered yet: ${esc(delivery.note)} It expires ${invite.expiresAt.slice(0, 10)}.`,
      ),
      { type: 'actions', block_id: 'invite_actions', elements: [{ type: 'button', action_id: 'revoke_invite', value: invite.inviteId, style: 'danger', text: { type: 'plain_text', text: 'Revoke invite' } }] },
    ],
  });
