import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { actorRef, audit } from '../audit.js';
import type { EngineContext } from '../context.js';
import { CloudlinkError } from '../errors.js';
import { requireInvite, requireSetup } from '../lookup.js';
import { requirePermission } from '../permissions.js';
import type { Actor, Invite } from '../schemas.js';
import { requireOpenSetup } from '../setups.js';
import { parseInput } from '../validate.js';
import { inviteView, InviteView } from '../views.js';
import { setupDetails } from './setup-status.js';

export const CreateInviteInput = z
  .object({
    setupId: z.string().min(1).max(100).describe('The setup to hand over (from a start_*_setup call).'),
    invitee: z
      .object({
        id: z.string().trim().min(1).max(200).describe('Who is invited: a Slack user id, or an e-mail address or name for other front ends.'),
        name: z.string().trim().max(200).optional(),
      })
      .strict(),
    message: z.string().trim().max(500, 'the message must be at most 500 characters').optional().describe('A note for the colleague.'),
  })
  .strict();

export const InviteRefInput = z.object({ inviteId: z.string().min(1).max(100) }).strict();
export const ListInvitesInput = z
  .object({
    status: z.enum(['pending', 'accepted', 'completed', 'revoked', 'expired']).optional(),
    setupId: z.string().max(100).optional(),
  })
  .strict();
export const ListInvitesOutput = z.object({ invites: z.array(InviteView) });

/** A non-technical user hands a setup to a colleague who can deploy CloudFormation (or register apps). */
export async function createInvite(ctx: EngineContext, actor: Actor, raw: unknown): Promise<InviteView> {
  const input = parseInput(CreateInviteInput, raw);
  requirePermission(actor, 'invite', ctx.settings);
  const now = ctx.now();
  const { invite, setup } = await ctx.store.mutate((db) => {
    const setup = requireSetup(db, input.setupId);
    requireOpenSetup(setup, now);
    if (input.invitee.id === actor.id) {
      throw new CloudlinkError('INVALID_INPUT', 'You cannot invite yourself: finish the setup directly, or invite a colleague who can deploy the template.', { invitee: 'Choose someone else.' });
    }
    const expiresAt = new Date(now.getTime() + ctx.settings.inviteTtlMs).toISOString();
    // The setup must outlive the invite, or the colleague would arrive to an expired External ID.
    if (setup.expiresAt < expiresAt) setup.expiresAt = expiresAt;
    const invite: Invite = {
      id: randomUUID(),
      setupId: setup.id,
      provider: setup.provider,
      inviter: actorRef(actor),
      invitee: { id: input.invitee.id, ...(input.invitee.name ? { name: input.invitee.name } : {}) },
      ...(input.message ? { message: input.message } : {}),
      status: 'pending',
      createdAt: now.toISOString(),
      expiresAt,
    };
    db.invites.push(invite);
    audit(db, now, actor, 'invite.create', { type: 'invite', id: invite.id }, { setupId: setup.id, invitee: invite.invitee.id });
    return { invite, setup: { ...setup } };
  });
  ctx.events.emit('invite.created', { invite, setup });
  return inviteView(invite, now);
}

/** The colleague takes the invite: single use, before it expires; returns everything they need. */
export async function acceptInvite(ctx: EngineContext, actor: Actor, raw: unknown) {
  const input = parseInput(InviteRefInput, raw);
  const now = ctx.now();
  const invite = await ctx.store.mutate((db) => {
    const invite = requireInvite(db, input.inviteId);
    if (invite.invitee.id !== actor.id && actor.role !== 'admin') {
      throw new CloudlinkError('INVITE_NOT_FOR_YOU', 'This invite was sent to someone else. Ask the person who invited you for your own invite.');
    }
    // The invitee coming back to an invite they took (a second click on "Done") is not a second use.
    if (invite.status === 'accepted' && invite.invitee.id === actor.id && Date.parse(invite.expiresAt) > now.getTime()) return { ...invite };
    assertUsable(invite, now, db);
    invite.status = 'accepted';
    invite.acceptedAt = now.toISOString();
    audit(db, now, actor, 'invite.accept', { type: 'invite', id: invite.id }, { setupId: invite.setupId });
    return { ...invite };
  });
  return { invite: inviteView(invite, now), setup: await setupDetails(ctx, invite.setupId) };
}

function assertUsable(invite: Invite, now: Date, db: { invites: Invite[] }) {
  if (invite.status === 'revoked') throw new CloudlinkError('INVITE_REVOKED', `This invite was revoked by ${invite.inviter.name ?? invite.inviter.id}. Ask them for a new one if the setup is still needed.`);
  if (invite.status === 'accepted' || invite.status === 'completed') {
    throw new CloudlinkError('INVITE_USED', 'This invite has already been used (invites are single-use). If you still need to finish the setup, ask for a new invite.');
  }
  if (invite.status === 'expired' || Date.parse(invite.expiresAt) <= now.getTime()) {
    const stored = db.invites.find((i) => i.id === invite.id);
    if (stored) stored.status = 'expired';
    throw new CloudlinkError('INVITE_EXPIRED', `This invite expired on ${invite.expiresAt}. Ask ${invite.inviter.name ?? invite.inviter.id} for a new one.`);
  }
}

export async function listInvites(ctx: EngineContext, actor: Actor, raw: unknown = {}) {
  const input = parseInput(ListInvitesInput, raw);
  requirePermission(actor, 'read', ctx.settings);
  const now = ctx.now();
  const db = await ctx.store.read();
  const invites = db.invites
    .map((i) => inviteView(i, now))
    .filter((i) => (!input.status || i.status === input.status) && (!input.setupId || i.setupId === input.setupId))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return { invites };
}

export async function revokeInvite(ctx: EngineContext, actor: Actor, raw: unknown): Promise<InviteView> {
  const input = parseInput(InviteRefInput, raw);
  const now = ctx.now();
  const invite = await ctx.store.mutate((db) => {
    const invite = requireInvite(db, input.inviteId);
    if (invite.inviter.id !== actor.id) requirePermission(actor, 'delete', ctx.settings);
    if (invite.status === 'completed') throw new CloudlinkError('INVITE_USED', 'This invite was already used to link the account; there is nothing left to revoke. Delete the account instead if you no longer want it.');
    if (invite.status === 'revoked') return { ...invite };
    invite.status = 'revoked';
    audit(db, now, actor, 'invite.revoke', { type: 'invite', id: invite.id }, { setupId: invite.setupId });
    return { ...invite };
  });
  ctx.events.emit('invite.revoked', { invite });
  return inviteView(invite, now);
}
