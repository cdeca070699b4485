import { z } from 'zod';
import { appendAudit } from '../audit.js';
import type { OpContext } from '../context.js';
import { CloudlinkError } from '../errors.js';
import { AccountName, AwsAccountId, type Database, type Invite, type Setup } from '../domain/records.js';
import { SetupHandout } from '../families/handouts.js';
import { watchSetup } from '../families/aws-role/operations.js';
import { checkLink, inviteeActor, inviterName, newSession, requireSession, sessionHash } from '../invite-links.js';
import { requireSetup } from '../lookup.js';
import { isLinkHolder } from '../permissions.js';
import { defineOperation, READS, WRITES, WRITES_CLOUD } from '../registry/operation.js';
import { accountView, PUBLIC_READER, setupStatusAt, setupView } from '../views.js';
import { getSetupHandout } from './setups.js';

/**
 * What the web invite pages can do, and nothing more: look at a link, open it (once), show the invite's
 * own page to the browser that opened it, report its status, and finish its setup as the invitee.
 * Only someone holding an invite link runs them (isLinkHolder); they are offered to no other front end.
 */

const WEB_ONLY = { mcp: false, cli: false } as const;
const linkHolderOnly = (ctx: OpContext) => isLinkHolder(ctx.actor);
const Token = z.string().min(1).max(300).describe('The part of the invite link after /i/.');
const SessionInput = { inviteId: z.string().min(1).max(100), session: z.string().min(16).max(200) };

export const InviteState = z.object({
  state: z.enum(['waiting', 'watching', 'connected', 'closed']),
  headline: z.string(),
  detail: z.string().optional(),
  account: z.object({ name: z.string(), summary: z.string() }).optional(),
});
export type InviteState = z.infer<typeof InviteState>;

/** Where the invite stands, in words for the colleague: never anything about other accounts or setups. */
function stateOf(ctx: OpContext, db: Readonly<Database>, invite: Invite, setup: Setup): InviteState {
  const now = ctx.now();
  if (invite.status === 'revoked') return { state: 'closed', headline: `${inviterName(invite, 'start')} revoked this invite.`, detail: 'There is nothing left for you to do. If you already deployed the stack, you may delete it.' };
  if (setup.status === 'completed') {
    const account = db.accounts.find((a) => a.id === setup.completedAccountId);
    const view = account ? accountView(ctx, account, db, PUBLIC_READER) : undefined;
    return {
      state: 'connected',
      headline: view ? `${view.name} is connected.` : 'The account is connected.',
      detail: `cloudlink verified the role and told ${inviterName(invite)}.`,
      ...(view ? { account: { name: view.name, summary: view.summary } } : {}),
    };
  }
  if (invite.status === 'expired' || Date.parse(invite.expiresAt) <= now.getTime() || setupStatusAt(setup, now) === 'expired') {
    return { state: 'closed', headline: `This invite expired on ${invite.expiresAt.slice(0, 10)}.`, detail: `Ask ${inviterName(invite)} for a new invite.` };
  }
  const view = setupView(ctx, setup, db, PUBLIC_READER);
  const role = view.aws;
  if (role?.watching) {
    return {
      state: 'watching',
      headline: `cloudlink is watching AWS account ${role.awsAccountId} for the stack ${role.stackName}.`,
      detail: view.lastWatchError ?? 'Once the stack reaches CREATE_COMPLETE, cloudlink finishes the link by itself, usually within a minute. This page updates on its own.',
    };
  }
  return { state: 'waiting', headline: 'Waiting for you to deploy the stack.', ...(view.lastWatchError ? { detail: view.lastWatchError } : {}) };
}

const Preview = z.object({
  inviteId: z.string(),
  inviter: z.string().describe('Who sent the invite (their name, or words for them), as a sentence starts.'),
  what: z.string().describe('What is being linked, in words.'),
  message: z.string().optional(),
  expiresAt: z.string(),
});

export const previewInviteLink = defineOperation({
  name: 'preview_invite_link',
  title: 'Look at an invite link',
  description: 'Checks an invite link (signature, expiry, not used yet) and says who asks what, without using it up: mail scanners that fetch links do not spend it.',
  input: z.object({ token: Token }).strict(),
  output: Preview,
  permission: 'read',
  alsoAllowed: linkHolderOnly,
  nature: READS,
  exposure: WEB_ONLY,
  summarize: (o) => `${o.inviter} asks you to connect ${o.what}.`,
  async run(ctx, input) {
    const db = await ctx.store.read();
    const invite = checkLink(ctx, db, input.token, ctx.now());
    const setup = requireSetup(db, invite.setupId);
    return { inviteId: invite.id, inviter: inviterName(invite, 'start'), what: setupView(ctx, setup, db, PUBLIC_READER).what, ...(invite.message ? { message: invite.message } : {}), expiresAt: invite.expiresAt };
  },
});

export const openInviteLink = defineOperation({
  name: 'open_invite_link',
  title: 'Open an invite link',
  description: 'Uses an invite link, once: the invite is taken for its invitee and one browser session is started for its page. The same link is refused from then on.',
  input: z.object({ token: Token }).strict(),
  output: z.object({ inviteId: z.string(), session: z.string().describe('A secret for the browser that opened the link (a cookie); never shown.'), expiresAt: z.string() }),
  permission: 'link',
  alsoAllowed: linkHolderOnly,
  nature: WRITES,
  exposure: WEB_ONLY,
  summarize: (o) => `Invite ${o.inviteId} opened.`,
  async run(ctx, input) {
    const now = ctx.now();
    const session = newSession();
    // Checked again inside the write: of two browsers opening one link at once, only one gets it.
    const invite = await ctx.store.mutate((db) => {
      const found = checkLink(ctx, db, input.token, now);
      found.link = { ...found.link!, openedAt: now.toISOString(), sessionHash: sessionHash(session) };
      if (found.status === 'pending') {
        found.status = 'accepted';
        found.acceptedAt = now.toISOString();
      }
      appendAudit(db, now, inviteeActor(found), ctx.operation, { type: 'invite', id: found.id }, { setupId: found.setupId, via: 'invite link' });
      return { ...found };
    });
    return { inviteId: invite.id, session, expiresAt: invite.expiresAt };
  },
});

const Page = z.object({
  inviteId: z.string(),
  inviter: z.string().describe('Who sent the invite (their name, or words for them), as a sentence starts.'),
  message: z.string().optional(),
  what: z.string(),
  expiresAt: z.string(),
  /** The setup has no account name yet: the colleague gives one with the role ARN. */
  needsName: z.boolean(),
  state: InviteState,
  handout: SetupHandout.optional().describe('What to deploy and how, while the setup is open.'),
});
export type InvitePage = z.infer<typeof Page>;

export const getInvitePage = defineOperation({
  name: 'get_invite_page',
  title: 'The invite page',
  description: "Everything the invite page shows the colleague who opened the link: who asks what and why, the hand-out (External ID, quick-create link, steps) while the setup is open, and where it stands.",
  input: z.object(SessionInput).strict(),
  output: Page,
  permission: 'read',
  alsoAllowed: linkHolderOnly,
  nature: READS,
  exposure: WEB_ONLY,
  summarize: (o) => o.state.headline,
  async run(ctx, input) {
    const db = await ctx.store.read();
    const invite = requireSession(db, input.inviteId, input.session);
    const setup = requireSetup(db, invite.setupId);
    const state = stateOf(ctx, db, invite, setup);
    const open = state.state === 'waiting' || state.state === 'watching';
    // The hand-out is the invitee's own, through the operation that decides who may see a setup's External ID.
    const handout = open ? ((await ctx.runAs(getSetupHandout, { setupId: setup.id }, inviteeActor(invite))) as { handout: SetupHandout }).handout : undefined;
    return {
      inviteId: invite.id,
      inviter: inviterName(invite, 'start'),
      ...(invite.message ? { message: invite.message } : {}),
      what: setupView(ctx, setup, db, PUBLIC_READER).what,
      expiresAt: invite.expiresAt,
      needsName: !setup.name,
      state,
      ...(handout ? { handout } : {}),
    };
  },
});

export const getInviteStatus = defineOperation({
  name: 'get_invite_status',
  title: 'Where an invite stands',
  description: 'The invite page\'s live status: waiting for the stack, watching for it, connected, or closed (revoked or expired).',
  input: z.object(SessionInput).strict(),
  output: InviteState,
  permission: 'read',
  alsoAllowed: linkHolderOnly,
  nature: READS,
  exposure: WEB_ONLY,
  summarize: (o) => o.headline,
  async run(ctx, input) {
    const db = await ctx.store.read();
    const invite = requireSession(db, input.inviteId, input.session);
    return stateOf(ctx, db, invite, requireSetup(db, invite.setupId));
  },
});

export const finishInviteSetup = defineOperation({
  name: 'finish_invite_setup',
  title: 'Finish the invited setup',
  description:
    'From the invite page: "connect" finishes the setup now (with the stack\'s RoleArn for AWS and EKS; for Azure, Microsoft 365 and Entra ID once the certificate is uploaded), "watch" gives the AWS account id so cloudlink finishes by itself when it sees the stack. Runs as the invitee, with their own permission check.',
  input: z
    .object({
      ...SessionInput,
      action: z.enum(['connect', 'watch']),
      roleArn: z.string().trim().max(2048).optional(),
      accountId: AwsAccountId.optional(),
      name: AccountName.optional(),
    })
    .strict(),
  output: z.object({ state: InviteState, message: z.string() }),
  permission: 'link',
  alsoAllowed: linkHolderOnly,
  nature: WRITES_CLOUD,
  exposure: WEB_ONLY,
  summarize: (o) => o.message,
  async run(ctx, input) {
    const db = await ctx.store.read();
    const invite = requireSession(db, input.inviteId, input.session);
    const setup = requireSetup(db, invite.setupId);
    const before = stateOf(ctx, db, invite, setup);
    if (before.state === 'closed' || before.state === 'connected') {
      throw new CloudlinkError(before.state === 'connected' ? 'SETUP_CLOSED' : invite.status === 'revoked' ? 'INVITE_REVOKED' : 'INVITE_EXPIRED', `${before.headline} ${before.detail ?? ''}`.trim());
    }
    const as = inviteeActor(invite);
    const family = ctx.families.of(setup.provider);
    const named = input.name ? { name: input.name } : {};
    let message: string;
    if (input.action === 'watch') {
      if (family.kit !== 'cloudformation-role') throw new CloudlinkError('WRONG_PROVIDER', 'cloudlink cannot watch for this kind of setup: upload the certificate, then choose Connect.');
      if (!input.accountId) throw new CloudlinkError('INVALID_INPUT', 'Give the 12-digit AWS account id you deployed the stack in, so cloudlink knows where to look.', { accountId: 'The 12-digit AWS account id is required.' });
      await ctx.runAs(watchSetup, { setupId: setup.id, accountId: input.accountId, ...named }, as);
      message = `cloudlink is watching AWS account ${input.accountId}: the link finishes by itself once the stack is done.`;
    } else if (family.kit === 'cloudformation-role') {
      if (!input.roleArn) throw new CloudlinkError('INVALID_INPUT', "Paste the RoleArn from the stack's Outputs tab (it starts with arn:aws:iam::).", { roleArn: 'The role ARN is required.' });
      message = ((await ctx.runAs(family.complete, { setupId: setup.id, roleArn: input.roleArn, ...named }, as)) as { message: string }).message;
    } else {
      message = ((await ctx.runAs(family.complete, { setupId: setup.id, ...named }, as)) as { message: string }).message;
    }
    const after = await ctx.store.read();
    return { state: stateOf(ctx, after, requireSession(after, input.inviteId, input.session), requireSetup(after, setup.id)), message };
  },
});

export const INVITE_LINK_OPERATIONS = [previewInviteLink, openInviteLink, getInvitePage, getInviteStatus, finishInviteSetup];
