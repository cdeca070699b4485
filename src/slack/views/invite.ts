import type { KnownBlock, View } from '@slack/types';
import type { StartAwsSetupOutput } from '../../engine/operations/start-aws-setup.js';
import type { InviteView } from '../../engine/views.js';
import { esc } from '../text.js';
import { context, md, modal } from './blocks.js';

export const INVITE_KINDS = [
  { value: 'aws:management', text: 'AWS management account' },
  { value: 'aws:linked', text: 'AWS linked account' },
  { value: 'eks:management', text: 'Amazon EKS' },
] as const;

export function inviteModal(opts: { invitee?: string; hasManagement: boolean }): View {
  const kinds = INVITE_KINDS.filter((k) => k.value !== 'aws:linked' || opts.hasManagement);
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
        element: { type: 'static_select', action_id: 'value', initial_option: { text: { type: 'plain_text', text: kinds[0]!.text }, value: kinds[0]!.value }, options: kinds.map((k) => ({ text: { type: 'plain_text' as const, text: k.text }, value: k.value })) },
      },
      { type: 'input', block_id: 'message', optional: true, label: { type: 'plain_text', text: 'Message' }, element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 500 } },
    ],
  });
}

/** The colleague's DM: who asks, why them, what it does, and the two buttons that matter. */
export function inviteDmBlocks(invite: InviteView, setup: StartAwsSetupOutput): KnownBlock[] {
  const steps = setup.instructions.map((x, i) => `${i + 1}. ${esc(x)}`).join('\n');
  return [
    md(`:wave: <@${invite.inviter.id}> asked you to connect ${setup.provider === 'eks' ? 'an AWS account for Amazon EKS' : `an AWS ${setup.aws!.kind} account`} to cloudlink.${invite.message ? `\n>${esc(invite.message).replace(/\n/g, '\n>')}` : ''}`),
    md('*Why you:* it takes someone who can create IAM roles with CloudFormation. *What it does:* creates one read-only role that cloudlink assumes with a unique External ID; it cannot read your data, and deleting the stack removes it.'),
    md(steps),
    {
      type: 'actions',
      block_id: `invite:${invite.inviteId}`,
      elements: [
        ...(setup.quickCreateUrl ? [{ type: 'button' as const, action_id: 'open_console', text: { type: 'plain_text' as const, text: 'Open AWS console' }, url: setup.quickCreateUrl, style: 'primary' as const }] : []),
        { type: 'button', action_id: 'invite_done', value: invite.inviteId, text: { type: 'plain_text', text: 'Done, here is the role ARN' } },
      ],
    },
    context(`External ID \`${setup.aws!.externalId}\` · this invite expires ${invite.expiresAt.slice(0, 10)} and works once.`),
  ];
}

/** What the inviter sees once the invite is out: when it expires, and a way to take it back. */
export const inviteSentView = (invite: InviteView): View =>
  modal({
    title: 'Invite sent',
    close: 'Done',
    blocks: [
      md(`:envelope_with_arrow: <@${invite.invitee.id}> has the instructions. You will both get a message when the account connects. The invite expires ${invite.expiresAt.slice(0, 10)} and works once.`),
      { type: 'actions', block_id: 'invite_actions', elements: [{ type: 'button', action_id: 'revoke_invite', value: invite.inviteId, style: 'danger', text: { type: 'plain_text', text: 'Revoke invite' } }] },
    ],
  });
