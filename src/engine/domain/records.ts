import { z } from 'zod';
import { CATALOG, type CatalogEntry, type ProviderId } from '../families/catalog.js';
import { AuditEntry, Invitee, InviteStatus, ActorRef, Recipient, SetupBase } from './base.js';
import { Organization } from '../families/aws/organization/schema.js';
import { WebhookSubscriber } from '../webhooks/schema.js';

export * from './base.js';

/** The stored records, built from the provider catalog: a provider's fields live in its own folder. */

type Tuple<T> = readonly [T, ...T[]];

export const PROVIDERS = CATALOG.map((r) => r.id) as unknown as Tuple<ProviderId>;
export const Provider = z.enum(PROVIDERS as unknown as [ProviderId, ...ProviderId[]]);
export type Provider = ProviderId;

export const PROVIDER_LABELS = Object.fromEntries(CATALOG.map((r) => [r.id, r.label])) as Record<Provider, string>;

export const Account = z.discriminatedUnion('provider', CATALOG.map((r) => r.account) as unknown as [CatalogEntry['account'], ...CatalogEntry['account'][]]);
export type Account = z.infer<CatalogEntry['account']>;
export type AccountOf<P extends Provider> = Extract<Account, { provider: P }>;

/** Each kit's setup block, once, under its key (aws, microsoft…). */
type SetupBlocks = { [R in CatalogEntry as R['setup']['key']]: z.ZodOptional<R['setup']['schema']> };
const setupBlocks = Object.fromEntries(CATALOG.map((r) => [r.setup.key, r.setup.schema.optional()])) as SetupBlocks;

export const Setup = SetupBase.extend({ provider: Provider, ...setupBlocks });
export type Setup = z.infer<typeof Setup>;

export const Invite = z.object({
  id: z.string(),
  setupId: z.string(),
  provider: Provider,
  inviter: ActorRef,
  invitee: Invitee,
  message: z.string().optional(),
  status: InviteStatus,
  createdAt: z.string(),
  expiresAt: z.string(),
  acceptedAt: z.string().optional(),
  completedAt: z.string().optional(),
  accountId: z.string().optional(),
  /**
   * The invite page's signed link (only when the invite pages are on). The link itself is never stored:
   * it is the HMAC of the invite id, its expiry and `nonce`, made again when it is sent. It works once:
   * `openedAt` is set by the first open, which starts the one browser session whose SHA-256 is `sessionHash`.
   */
  link: z.object({ nonce: z.string(), openedAt: z.string().optional(), sessionHash: z.string().optional() }).optional(),
});
export type Invite = z.infer<typeof Invite>;

/**
 * The transactional outbox: what to tell whom, written in the same store write as the change it
 * announces, so a process that cannot reach Slack (a stdio MCP server) still gets its news delivered
 * by one that can. `notification` is a ports/notifier Notification, checked again on delivery.
 */
export const OutboxItem = z.object({
  id: z.string(),
  createdAt: z.string(),
  recipient: Recipient,
  notification: z.looseObject({ kind: z.string() }),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int().default(0),
  /** A process that took the item to deliver it, until when (another may take it over after). */
  claim: z.object({ by: z.string(), until: z.string() }).optional(),
  nextAttemptAt: z.string().optional(),
  deliveredAt: z.string().optional(),
  lastError: z.string().optional(),
  /** Items with the same key are delivered one after another, in the order written (a webhook subscriber and account). */
  orderKey: z.string().optional(),
});
export type OutboxItem = z.infer<typeof OutboxItem>;

export const Viewer = z.object({
  id: z.string(),
  surface: z.string(),
  userId: z.string(),
  state: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  seenAt: z.string(),
});
export type Viewer = z.infer<typeof Viewer>;

export const SCHEMA_VERSION = 3;
export const Database = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  accounts: z.array(Account),
  setups: z.array(Setup),
  invites: z.array(Invite),
  audit: z.array(AuditEntry),
  outbox: z.array(OutboxItem).default([]),
  /** Whole estates linked through one account (AWS Organizations). */
  organizations: z.array(Organization).default([]),
  /** Who has a view open that a front end keeps current (Slack App Home), and its state. */
  viewers: z.array(Viewer).default([]),
  /** Webhook subscribers: who hears about accounts and organizations, at which URL. */
  webhooks: z.array(WebhookSubscriber).default([]),
});
export type Database = z.infer<typeof Database>;

export const emptyDatabase = (): Database => ({
  schemaVersion: SCHEMA_VERSION,
  accounts: [],
  setups: [],
  invites: [],
  audit: [],
  outbox: [],
  organizations: [],
  viewers: [],
  webhooks: [],
});
