import { CreateInviteInput, InviteRefInput, ListInvitesInput, ListInvitesOutput } from '../../engine/operations/invites.js';
import { InviteView } from '../../engine/views.js';
import { defineTool, READ } from '../tool.js';
import { z } from 'zod';

export const inviteColleagueTool = defineTool({
  name: 'invite_colleague',
  title: 'Invite a colleague to finish a setup',
  description: 'Hands an open setup to a colleague who can deploy CloudFormation (or register Entra apps): they get what to do and why. Invites are single-use and expire (7 days by default); the inviter is told when the account connects.',
  input: CreateInviteInput,
  output: z.object({ invite: InviteView }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run({ engine, actor }, input) {
    const invite = await engine.createInvite(actor, input);
    return { structured: { invite }, text: `Invited ${invite.invitee.name ?? invite.invitee.id} (invite ${invite.inviteId}, expires ${invite.expiresAt}).` };
  },
});

export const listInvitesTool = defineTool({
  name: 'list_invites',
  title: 'List invites',
  description: 'Lists invites, newest first, optionally by status (pending, accepted, completed, revoked, expired) or setup.',
  input: ListInvitesInput,
  output: ListInvitesOutput,
  annotations: READ,
  async run({ engine, actor }, input) {
    const out = await engine.listInvites(actor, input);
    const text = out.invites.length ? out.invites.map((i) => `• ${i.inviteId} → ${i.invitee.name ?? i.invitee.id}: ${i.status} (expires ${i.expiresAt})`).join('\n') : 'No invites.';
    return { structured: out, text };
  },
});

export const revokeInviteTool = defineTool({
  name: 'revoke_invite',
  title: 'Revoke an invite',
  description: 'Revokes an invite so it can no longer be used. The setup itself stays open.',
  input: InviteRefInput,
  output: z.object({ invite: InviteView }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run({ engine, actor }, input) {
    const invite = await engine.revokeInvite(actor, input);
    return { structured: { invite }, text: `Invite ${invite.inviteId} is revoked.` };
  },
});
