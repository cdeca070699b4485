import { z } from 'zod';
import { ActorRef, Invitee, type Recipient } from '../domain/records.js';
import { SetupHandoutBrief } from '../families/handouts.js';
import { MemberState } from '../families/aws/organization/schema.js';
import { AccountView, InviteView, SetupView } from '../views.js';
import { CloudEvent } from '../webhooks/schema.js';

/**
 * What the engine tells people, as views in words for the medium to render. Each person hears once,
 * in words meant for them: `audience` says who they are to the link.
 */
export const Notification = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('invite'),
    invite: InviteView,
    handout: SetupHandoutBrief,
    /** The invite page's signed link (invite-links.ts): added as it goes out, never stored in the outbox. */
    link: z.string().optional(),
  }),
  z.object({
    kind: z.literal('account_linked'),
    account: AccountView,
    audience: z.enum(['starter', 'inviter', 'invitee']),
    how: z.enum(['request', 'watcher']),
    /** Who finished it, when that was a person (for the inviter: the colleague). */
    by: ActorRef.optional(),
    invitee: Invitee.optional(),
  }),
  z.object({ kind: z.literal('setup_needs_attention'), setup: SetupView, headline: z.string(), message: z.string() }),
  z.object({ kind: z.literal('invite_revoked'), invite: InviteView }),
  z.object({
    kind: z.literal('organization_changed'),
    organization: z.object({ id: z.string(), name: z.string(), awsOrganizationId: z.string() }),
    changes: z.array(z.object({ state: MemberState, count: z.number(), examples: z.array(z.string()) })),
    byState: z.record(MemberState, z.number()),
  }),
  z.object({
    kind: z.literal('certificate_expiring'),
    account: AccountView,
    /** The notice's threshold: 30, 7 or 1 days before (CLOUDLINK_CERT_WARN_DAYS sets the first), 0 once it expired. */
    days: z.number(),
    /** Whole days left when the notice was written (0: expired). */
    daysLeft: z.number(),
    expiresAt: z.string(),
    thumbprint: z.string(),
    /** A renewal is under way: its new certificate waits to be uploaded and finished. */
    renewalPending: z.boolean(),
  }),
  /** For a webhook subscriber (channel `webhook`): the event, POSTed as it is. */
  z.object({ kind: z.literal('webhook_event'), event: CloudEvent }),
]);
export type Notification = z.infer<typeof Notification>;

/**
 * Delivers notifications on the channels it can reach: Slack (a DM), e-mail (SMTP), webhooks (a signed POST). A
 * delivery that can never succeed throws an error with `permanent: true`: it is not retried.
 */
export interface Notifier {
  readonly channels: ReadonlySet<Recipient['channel']>;
  deliver(to: Recipient, notification: Notification): Promise<void>;
}

/** A failure retrying cannot fix (the subscriber was deleted): the outbox marks the item failed at once. */
export class PermanentDeliveryError extends Error {
  readonly permanent = true;
}

/** For a process that reaches nobody (a stdio MCP server): the outbox keeps the news for one that can. */
export const NO_NOTIFIER: Notifier = {
  channels: new Set(),
  deliver: () => Promise.reject(new Error('this process has no notification channel')),
};

/** Several notifiers as one: each recipient goes to the one for its channel. */
export function combineNotifiers(...notifiers: Notifier[]): Notifier {
  return {
    channels: new Set(notifiers.flatMap((n) => [...n.channels])),
    deliver: (to, n) => {
      const target = notifiers.find((x) => x.channels.has(to.channel));
      return target ? target.deliver(to, n) : Promise.reject(new Error(`no notifier for ${to.channel}`));
    },
  };
}
