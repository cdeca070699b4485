import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { actorRef } from '../audit.js';
import type { OpContext } from '../context.js';
import { CloudlinkError } from '../errors.js';
import { requireInvite, requireSetup } from '../lookup.js';
import { can } from '../permissions.js';
import { defineOperation, DESTROYS, READS, WRITES } from '../registry/operation.js';
import { Channel, InviteStatus, SetupId, type Database, type Invite, type Invitee } from '../domain/records.js';
import { requireOpenSetup } from '../setups.js';
import { brief, handoutText, SetupHandout } from '../families/handouts.js';
import { InviteOption } from '../families/link-form.js';
import { enqueue, recipientOf } from '../outbox.js';
import { inviteView, InviteView } from '../views.js';
import { inviteLinkUrl, newLinkNonce } from '../invite-links.js';

const SLACK_USER = /^[UW][A-Z0-9_]{2,}$/;
const EMAIL = /^[^\s@<>()[\]",;:\\]{1,64}@[^\s@<>()[\]",;:\\]+\.[^\s@<>()[\]",;:\\]{2,}$/;

/** Can this deployment e-mail an invite (SMTP configured, and a page for the link to open)? */
const canEmail = (ctx: OpContext) => Boolean(ctx.settings.emailInvites && ctx.settings.invitePagesUrl);

/**
 * Where the colleague can be reached: a Slack user id means Slack; an e-mail address means e-mail when
 * cloudlink can send it; anything else cloudlink cannot reach (the inviter passes the link on).
 */
function inviteeOf(ctx: OpContext, input: { id: string; name?: string; channel?: Channel }): Invitee {
  const channel = input.channel ?? (SLACK_USER.test(input.id) ? 'slack' : EMAIL.test(input.id) && canEmail(ctx) ? 'email' : 'none');
  return { id: input.id, ...(input.name ? { name: input.name } : {}), channel };
}

export const getInviteOptions = defineOperation({
  name: 'get_invite_options',
  title: 'What can be handed to a colleague',
  description: 'The kinds of setup that can be started and handed to a colleague now (for invite_colleague\'s "start").',
  input: z.object({}).strict(),
  output: z.object({
    options: z.array(InviteOption),
    reach: z
      .object({ email: z.boolean().describe('Invites can go by e-mail (invitee.channel "email").'), link: z.boolean().describe('Invites carry a link to the invite page, which cloudlink hands back to pass on when it cannot reach the colleague (invitee.channel "none").') })
      .describe('How a colleague outside Slack can be reached.'),
  }),
  permission: 'invite',
  nature: READS,
  summarize: (o) => [...o.options.map((x) => `${x.value}: ${x.label}`), `By e-mail: ${o.reach.email ? 'yes' : 'no'}; a link to pass on: ${o.reach.link ? 'yes' : 'no'}.`].join('\n'),
  async run(ctx) {
    const db = await ctx.store.read();
    return { options: ctx.families.all().flatMap((f) => f.inviteOptions(db)), reach: { email: canEmail(ctx), link: Boolean(ctx.settings.invitePagesUrl) } };
  },
});

const Delivery = z.object({
  status: z.enum(['delivered', 'queued', 'failed', 'not_reachable']),
  channel: Channel,
  note: z.string(),
});

export const inviteColleague = defineOperation({
  name: 'invite_colleague',
  title: 'Invite a colleague to finish a setup',
  description:
    'Hands a setup to a colleague who can deploy CloudFormation: either an open setup (setupId) or a new one (start, e.g. "aws:management", "aws:linked", "eks:management"). cloudlink sends them what to do and why: a Slack DM when the invitee id is a Slack user id such as U0123ABCD, an e-mail with a link to the invite page when it is an e-mail address and cloudlink can send e-mail (get_invite_options says); otherwise the result carries the link (or the hand-out) for you to pass on. The result says whether it was delivered. Invites and their links are single-use and expire (7 days by default); both people hear when the account connects.',
  input: z
    .object({
      setupId: SetupId.optional().describe('An open setup to hand over (from a start_*_setup call).'),
      start: z.string().max(50).optional().describe('Or start a new setup of this kind for them: aws:management, aws:linked (once a management account is linked) or eks:management.'),
      invitee: z
        .object({
          id: z.string().trim().min(1).max(200).describe('Who is invited: a Slack user id (U0123ABCD) to reach them by DM, an e-mail address, or a name when you pass the link on yourself.'),
          name: z.string().trim().max(200).optional(),
          channel: z
            .enum(['slack', 'email', 'none'])
            .optional()
            .describe('How to reach them: slack (the default for Slack user ids), email (the default for e-mail addresses when cloudlink can send e-mail), or none: you pass the link (or the hand-out) on yourself.'),
        })
        .strict(),
      message: z.string().trim().max(500, 'the message must be at most 500 characters').optional().describe('A note for the colleague.'),
    })
    .strict()
    .refine((v) => Boolean(v.setupId) !== Boolean(v.start), { message: 'give either setupId (an open setup) or start (a new one), not both', path: ['setupId'] }),
  output: z.object({
    invite: InviteView,
    delivery: Delivery,
    link: z.string().optional().describe('Present when cloudlink cannot reach the colleague and the invite pages are on: send it to them yourself. It opens the invite page once, and expires with the invite.'),
    handout: SetupHandout.optional().describe('Present when cloudlink cannot reach the colleague: pass it on yourself.'),
  }),
  permission: 'invite',
  nature: WRITES,
  async precheck(ctx, input) {
    checkInvitee(ctx, inviteeOf(ctx, input.invitee));
    if (input.start) inviteOption(ctx, await ctx.store.read(), input.start);
    else requireOpenSetup(requireSetup(await ctx.store.read(), input.setupId!), ctx.now());
  },
  // Not reachable: what the note says to pass on follows it (the link, or else the hand-out's steps).
  summarize: (o) => [`Invited ${o.invite.invitee.name ?? o.invite.invitee.id} (invite ${o.invite.inviteId}, expires ${o.invite.expiresAt}). ${o.delivery.note}`, ...(o.link ? [o.link] : o.handout ? [handoutText(o.handout)] : [])].join('\n'),
  async run(ctx, input) {
    const invitee = checkInvitee(ctx, inviteeOf(ctx, input.invitee));
    const setupId = input.setupId ?? (await startFor(ctx, input.start!)).setupId;
    const now = ctx.now();
    // The hand-out the colleague gets is the inviter's to share: built for the inviter, who may see it all.
    const snapshot = await ctx.store.read();
    const handout = (await ctx.families.of(requireSetup(snapshot, setupId).provider).handout(ctx, requireSetup(snapshot, setupId), snapshot)) as SetupHandout;
    const { invite, itemId } = await ctx.store.mutate((db) => {
      const current = requireSetup(db, setupId);
      requireOpenSetup(current, now);
      const expiresAt = new Date(now.getTime() + ctx.settings.inviteTtlMs).toISOString();
      // The setup must outlive the invite, or the colleague would arrive to an expired External ID.
      if (current.expiresAt < expiresAt) current.expiresAt = expiresAt;
      const invite: Invite = {
        id: randomUUID(),
        setupId,
        provider: current.provider,
        inviter: actorRef(ctx.actor),
        invitee,
        ...(input.message ? { message: input.message } : {}),
        status: 'pending',
        createdAt: now.toISOString(),
        expiresAt,
        ...(ctx.settings.invitePagesUrl ? { link: { nonce: newLinkNonce() } } : {}),
      };
      db.invites.push(invite);
      ctx.audit(db, { type: 'invite', id: invite.id }, { setupId, invitee: invitee.id, channel: invitee.channel });
      const to = recipientOf(invitee);
      const itemId = to ? enqueue(db, now, to, { kind: 'invite', invite: inviteView({ ...invite, expiresAt }, now), handout: brief(handout) }) : undefined;
      return { invite, itemId };
    });
    const view = inviteView(invite, now);
    if (!itemId) {
      const link = inviteLinkUrl(ctx, invite);
      const note = link
        ? 'cloudlink cannot reach them: send them the link yourself. It opens their invite page once (what to do and why, the console button, live status) and expires with the invite.'
        : 'cloudlink cannot reach them: give them the hand-out below yourself.';
      return { invite: view, delivery: { status: 'not_reachable' as const, channel: 'none' as const, note }, ...(link ? { link } : {}), handout };
    }
    const [result] = await ctx.deliver([itemId]);
    const delivery = {
      delivered: { status: 'delivered' as const, note: invitee.channel === 'email' ? 'They have the instructions by e-mail, with a link to their invite page.' : 'They have the instructions by direct message.' },
      queued: { status: 'queued' as const, note: `The cloudlink service will deliver it (this process cannot reach ${invitee.channel === 'email' ? 'the mail server' : 'Slack'} itself).` },
      failed: { status: 'failed' as const, note: 'Delivery failed for now; cloudlink retries it.' },
    }[result ?? 'queued'];
    return { invite: view, delivery: { ...delivery, channel: invitee.channel ?? 'none' } };
  },
});

function checkInvitee(ctx: OpContext, invitee: Invitee): Invitee {
  if (invitee.id === ctx.actor.id) {
    throw new CloudlinkError('INVALID_INPUT', 'You cannot invite yourself: finish the setup directly, or invite a colleague who can deploy the template.', { invitee: 'Choose someone else: you can finish the setup yourself with Add cloud account.' });
  }
  if (invitee.channel === 'email') {
    if (!EMAIL.test(invitee.id)) {
      throw new CloudlinkError('INVALID_INPUT', `"${invitee.id.slice(0, 80)}" is not an e-mail address cloudlink can send to. Check it (name@example.com), or choose a Slack user instead.`, { invitee: 'Not an e-mail address (name@example.com).' });
    }
    if (!canEmail(ctx)) {
      const missing = [ctx.settings.emailInvites ? '' : 'CLOUDLINK_SMTP_HOST and CLOUDLINK_SMTP_FROM (the mail server)', ctx.settings.invitePagesUrl ? '' : 'CLOUDLINK_PUBLIC_URL (where the invite page is)'].filter(Boolean).join(' and ');
      throw new CloudlinkError('PLATFORM_NOT_CONFIGURED', `cloudlink cannot send invites by e-mail yet: the operator must set ${missing}. Until then, invite them in Slack, or without a channel to get the link (or hand-out) to pass on yourself.`, { invitee: 'cloudlink cannot send e-mail yet.' });
    }
  }
  return invitee;
}

function inviteOption(ctx: OpContext, db: Readonly<Database>, value: string) {
  const options = ctx.families.all().flatMap((f) => f.inviteOptions(db));
  const option = options.find((o) => o.value === value);
  if (!option) {
    throw new CloudlinkError('INVALID_INPUT', `"${value.slice(0, 50)}" is not something that can be handed to a colleague now. Choose one of: ${options.map((o) => o.value).join(', ')}.`, { start: 'Not available.', kind: 'Not available.' });
  }
  return option;
}

/** Starts the setup an invite option means, as the inviter, with the inviter's own permission to link. */
async function startFor(ctx: OpContext, value: string) {
  const option = inviteOption(ctx, await ctx.store.read(), value);
  return ctx.runAs(ctx.families.of(option.provider).start, option.start) as Promise<{ setupId: string }>;
}

export const acceptInvite = defineOperation({
  name: 'accept_invite',
  title: 'Take an invite',
  description: 'The invited colleague takes their invite (single use, before it expires) and gets everything needed to finish the setup.',
  input: z.object({ inviteId: z.string().min(1).max(100) }).strict(),
  output: z.object({ invite: InviteView, setup: SetupHandout }),
  permission: 'read',
  nature: WRITES,
  summarize: (o) => `Invite ${o.invite.inviteId} taken. ${o.setup.kit === 'cloudformation-role' ? o.setup.instructions.join(' ') : o.setup.checklist.join(' ')}`,
  async run(ctx, input) {
    const now = ctx.now();
    await ctx.store.mutate((db) => {
      const invite = requireInvite(db, input.inviteId);
      if (invite.invitee.id !== ctx.actor.id && ctx.actor.role !== 'admin') {
        throw new CloudlinkError('INVITE_NOT_FOR_YOU', 'This invite was sent to someone else. Ask the person who invited you for your own invite.');
      }
      // The invitee coming back to an invite they took (a second click on "Done") is not a second use.
      if (!(invite.status === 'accepted' && invite.invitee.id === ctx.actor.id && Date.parse(invite.expiresAt) > now.getTime())) {
        assertUsable(invite, now);
        invite.status = 'accepted';
        invite.acceptedAt = now.toISOString();
        ctx.audit(db, { type: 'invite', id: invite.id }, { setupId: invite.setupId });
      }
    });
    const db = await ctx.store.read();
    const invite = requireInvite(db, input.inviteId);
    const setup = requireSetup(db, invite.setupId);
    return { invite: inviteView(invite, now), setup: (await ctx.families.of(setup.provider).handout(ctx, setup, db)) as SetupHandout };
  },
});

function assertUsable(invite: Invite, now: Date) {
  if (invite.status === 'revoked') throw new CloudlinkError('INVITE_REVOKED', `This invite was revoked by ${invite.inviter.name ?? invite.inviter.id}. Ask them for a new one if the setup is still needed.`);
  if (invite.status === 'accepted' || invite.status === 'completed') {
    throw new CloudlinkError('INVITE_USED', 'This invite has already been used (invites are single-use). If you still need to finish the setup, ask for a new invite.');
  }
  if (invite.status === 'expired' || Date.parse(invite.expiresAt) <= now.getTime()) {
    throw new CloudlinkError('INVITE_EXPIRED', `This invite expired on ${invite.expiresAt}. Ask ${invite.inviter.name ?? invite.inviter.id} for a new one.`);
  }
}

export const listInvites = defineOperation({
  name: 'list_invites',
  title: 'List invites',
  description: 'Lists invites, newest first, optionally by status (pending, accepted, completed, revoked, expired) or setup.',
  input: z.object({ status: InviteStatus.optional(), setupId: z.string().max(100).optional() }).strict(),
  output: z.object({ invites: z.array(InviteView) }),
  permission: 'read',
  nature: READS,
  summarize: (o) => (o.invites.length ? o.invites.map((i) => `• ${i.inviteId} → ${i.invitee.name ?? i.invitee.id}: ${i.status} (expires ${i.expiresAt})`).join('\n') : 'No invites.'),
  async run(ctx, input) {
    const now = ctx.now();
    const db = await ctx.store.read();
    const invites = db.invites
      .map((i) => inviteView(i, now))
      .filter((i) => (!input.status || i.status === input.status) && (!input.setupId || i.setupId === input.setupId))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return { invites };
  },
});

export const revokeInvite = defineOperation({
  name: 'revoke_invite',
  title: 'Revoke an invite',
  description: 'Revokes an invite so it can no longer be used; the colleague is told. The setup itself stays open.',
  input: z.object({ inviteId: z.string().min(1).max(100) }).strict(),
  output: z.object({ invite: InviteView }),
  permission: 'invite',
  nature: { ...DESTROYS, idempotent: true },
  summarize: (o) => `Invite ${o.invite.inviteId} is revoked.`,
  async run(ctx, input) {
    const now = ctx.now();
    const out = await ctx.store.mutate((db) => {
      const invite = requireInvite(db, input.inviteId);
      if (invite.inviter.id !== ctx.actor.id && !can(ctx.actor, 'delete', ctx.settings)) {
        throw new CloudlinkError('FORBIDDEN', 'Only the person who sent an invite, or a cloudlink admin, may revoke it.');
      }
      if (invite.status === 'completed') throw new CloudlinkError('INVITE_USED', 'This invite was already used to link the account; there is nothing left to revoke. Delete the account instead if you no longer want it.');
      if (invite.status === 'revoked') return { invite: { ...invite }, told: false };
      invite.status = 'revoked';
      ctx.audit(db, { type: 'invite', id: invite.id }, { setupId: invite.setupId });
      const to = recipientOf(invite.invitee);
      if (to) enqueue(db, now, to, { kind: 'invite_revoked', invite: inviteView(invite, now) });
      return { invite: { ...invite }, told: Boolean(to) };
    });
    if (out.told) ctx.events.emit('outbox.enqueued');
    return { invite: inviteView(out.invite, now) };
  },
});
