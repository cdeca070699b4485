import type { Logger } from '../log.js';
import type { AuditTarget, Actor, Database } from './domain/records.js';
import type { EngineEvents } from './events.js';
import type { FamilyTable } from './families/types.js';
import type { AwsGateway } from './ports/aws.js';
import type { CertificateIssuer } from './ports/certificates.js';
import type { MicrosoftGateway } from './ports/microsoft.js';
import type { Notifier } from './ports/notifier.js';
import type { Store } from './ports/store.js';
import type { Meter } from './ports/meter.js';
import type { SecretBox } from './secrets.js';
import type { Reader } from './views.js';
import type { AnyOperation } from './registry/operation.js';

export type EngineSettings = {
  /** How long a setup (and its External ID or certificate) stays usable. */
  setupTtlMs: number;
  inviteTtlMs: number;
  awsDefaultRegion: string;
  /** Where the operator publishes manifests/ (an S3/HTTPS URL the console can read), if anywhere. */
  templateBaseUrl?: string;
  /** The invite pages' public base URL (CLOUDLINK_PUBLIC_URL): invites carry a signed link only when set. */
  invitePagesUrl?: string;
  /** Whether invites may go by e-mail (SMTP is configured; the service sends them). */
  emailInvites?: boolean;
  /** How long to keep retrying a role that IAM may still be propagating. */
  awsPropagationTimeoutMs: number;
  membersCanLink: boolean;
  certificateLifetimeDays: number;
  certificateWarnDays: number;
  /** Organizations: how often a linked organization is resynced, and how many members are verified at once. */
  orgSyncMs: number;
  orgConcurrency: number;
  /** A member whose role has not appeared this long after it was first seen is "role missing", not "waiting". */
  memberRoleGraceMs: number;
  /** Vended credentials (get_aws_credentials, get_access_token); defaults when absent. */
  credentials?: CredentialSettings;
  /** Webhook subscribers; defaults when absent. */
  webhooks?: WebhookSettings;
};

export type CredentialSettings = {
  /** Members may vend too (the `credentials` permission is admin-only otherwise). */
  members: boolean;
  defaultDurationSeconds: number;
  maxDurationSeconds: number;
  /** The AWS role session name when the caller names none; `{actor}` is replaced by who asked. */
  sessionName: string;
};

export type WebhookSettings = {
  /** Plain http:// subscriber URLs are accepted (tests, a receiver on the same host); https:// otherwise. */
  allowHttp: boolean;
  /** The CloudEvents `source` of every event. */
  source: string;
};

/** The clouds the families talk to, through the engine's own ports. */
export type Gateways = { aws: AwsGateway; microsoft: MicrosoftGateway };

/** Everything the engine is built from; the composition root (src/compose.ts) provides it. */
export type EnginePorts = {
  store: Store;
  settings: EngineSettings;
  gateways: Gateways;
  certificates: CertificateIssuer;
  /** Seals private keys before they reach the store. */
  secrets: SecretBox;
  /** Delivers notifications on the channels this process can reach (Slack today); none in a stdio MCP server. */
  notifier: Notifier;
  log: Logger;
  now: () => Date;
  /** Operator metrics; none when absent. */
  meter?: Meter;
};

export type DeliveryResult = 'delivered' | 'queued' | 'failed';

export type EngineCore = EnginePorts & {
  families: FamilyTable;
  events: EngineEvents;
  /** Delivers these outbox items now if this process can reach their recipients. */
  deliver(itemIds: string[]): Promise<DeliveryResult[]>;
};

/** What an operation runs with: the core, who is calling, and an audit writer bound to both. */
export type OpContext = EngineCore & {
  actor: Actor;
  reader: Reader;
  /** The operation's name: audit entries are named after it. */
  operation: string;
  /** Appends an audit entry inside the mutation that makes the change, so neither exists alone. */
  audit(db: Database, target: AuditTarget, details?: Record<string, unknown>): void;
  /**
   * Runs another operation as the same actor, with its own input check and permission check; or as
   * `as`, once this operation has established who that is (an invite link proves its invitee).
   */
  runAs(def: AnyOperation, input: unknown, as?: Actor): Promise<unknown>;
  /** Long operations say how far they are (MCP progress notifications, a Slack message updated in place). */
  progress?: (done: number, total: number, message: string) => void;
  /** Set when the caller gave up (MCP cancellation): long operations stop between steps. */
  signal?: AbortSignal;
};

export type RunOptions = Pick<OpContext, 'progress' | 'signal'>;
