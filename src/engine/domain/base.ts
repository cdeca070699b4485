import { z } from 'zod';
import { invisibleCharacter, invisibleMessage, mixedScriptMessage, mixedScriptWord, normalizeName } from '../names.js';

/**
 * The domain's building blocks: everything a record is made of, except what each provider family adds
 * (families/<id>/schema.ts). Types are z.infer of these, never written twice.
 */

export const AccountStatus = z.enum(['pending', 'connected', 'error']);
export type AccountStatus = z.infer<typeof AccountStatus>;

export const FrontEnd = z.enum(['slack', 'mcp', 'cli', 'web', 'api', 'system']);
export type FrontEnd = z.infer<typeof FrontEnd>;

export const Role = z.enum(['admin', 'member']);
export type Role = z.infer<typeof Role>;

/** Where a person can be reached: a Slack user, an e-mail address, or nowhere cloudlink can write to. */
export const Channel = z.enum(['slack', 'email', 'none']);
export type Channel = z.infer<typeof Channel>;

/** A person to tell something, on the channel they can be reached on; or a webhook subscriber (`webhook`, its id). */
export const Recipient = z.object({ channel: z.enum([...Channel.exclude(['none']).options, 'webhook']), id: z.string(), name: z.string().optional() });
export type Recipient = z.infer<typeof Recipient>;

export const Actor = z.object({
  id: z.string().min(1).max(200),
  name: z.string().max(200).optional(),
  via: FrontEnd,
  role: Role,
  /** Where to tell them about what they started, when their front end has no inbox (an MCP client). */
  reach: Recipient.optional(),
});
export type Actor = z.infer<typeof Actor>;

/** Who did something, as stored (the role is not kept: it may change later). */
export const ActorRef = Actor.pick({ id: true, name: true, via: true, reach: true });
export type ActorRef = z.infer<typeof ActorRef>;

const NAME_CHARS = /^[\p{L}\p{N} ._\-()'&/:@+#]+$/u;
// Checks run in order: control and invisible characters are refused as typed (so the message names
// the character typed: NFKC turns U+3164 into U+1160, both invisible), then the name is normalised to
// NFKC with white space folded, and the length, character and script rules apply to that. Look-alikes
// of existing names are refused where names are compared (lookup.ts). (overwrite keeps the JSON Schema a string.)
export const AccountName = z
  .string({ error: (issue) => (issue.input === undefined ? 'a name is required' : `a name must be text (a string), not ${Array.isArray(issue.input) ? 'a list' : issue.input === null ? 'null' : `a ${typeof issue.input}`}`) })
  .refine((s) => !/\p{Cc}/u.test(s), 'the name cannot contain control characters (tabs, line breaks…)')
  .superRefine((s, ctx) => {
    const ch = invisibleCharacter(s);
    if (ch) ctx.addIssue({ code: 'custom', message: invisibleMessage(ch) });
  })
  .overwrite(normalizeName)
  .min(1, 'the name cannot be empty')
  .max(64, 'the name must be at most 64 characters')
  .regex(NAME_CHARS, "the name may use letters, digits, spaces and - _ . ( ) ' & / : @ + # only")
  .superRefine((s, ctx) => {
    const mixed = mixedScriptWord(s);
    if (mixed) ctx.addIssue({ code: 'custom', message: mixedScriptMessage(mixed) });
  });

/** A reference to an account typed by a person or a model: its name (case-insensitive) or its id. */
export const AccountRef = z.string().min(1).max(200).describe('Name (case-insensitive) or id of the account.');
export const SetupId = z.string().min(1).max(100).describe('The setup id returned when the setup started.');

export const AwsAccountId = z.string().regex(/^\d{12}$/, 'an AWS account id is exactly 12 digits');
export const Guid = z
  .string()
  .trim()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a GUID like 00000000-0000-0000-0000-000000000000')
  .transform((s) => s.toLowerCase());
// Every partition's names: us-east-1, us-gov-west-1, cn-northwest-1, us-isob-east-1, eusc-de-east-1.
export const AwsRegion = z.string().regex(/^[a-z]{2,4}(-[a-z]+)+-\d+$/, 'must be an AWS region such as us-east-1');

export const LastError = z.object({ code: z.string(), message: z.string(), at: z.string() });

export const StoredCertificate = z.object({
  /** Public certificate, PEM. Safe to show. */
  pem: z.string(),
  thumbprint: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  /** The private key, AES-256-GCM encrypted with the configured key. Never leaves the engine. */
  encryptedKey: z.object({ iv: z.string(), tag: z.string(), data: z.string(), keyId: z.string() }),
});
export type StoredCertificate = z.infer<typeof StoredCertificate>;

/** What every account has, whatever its provider. */
export const AccountBase = z.object({
  id: z.string(),
  name: z.string(),
  status: AccountStatus,
  lastError: LastError.optional(),
  createdBy: ActorRef,
  createdAt: z.string(),
  updatedAt: z.string(),
  lastCheckedAt: z.string().optional(),
  setupId: z.string().optional(),
});

export const SetupStatus = z.enum(['open', 'completed', 'expired']);

/** What every setup has; its family adds one keyed block (aws, microsoft…). */
export const SetupBase = z.object({
  id: z.string(),
  status: SetupStatus,
  name: z.string().optional(),
  createdBy: ActorRef,
  createdAt: z.string(),
  expiresAt: z.string(),
  completedAccountId: z.string().optional(),
  /** The background watcher's last try at finishing it by itself, and the problem it saw, if any. */
  lastWatchAt: z.string().optional(),
  lastWatchError: z.string().optional(),
});

export const InviteStatus = z.enum(['pending', 'accepted', 'completed', 'revoked', 'expired']);
export const Invitee = z.object({ id: z.string(), name: z.string().optional(), channel: Channel.optional() });
export type Invitee = z.infer<typeof Invitee>;

export const AuditTarget = z.object({ type: z.enum(['account', 'setup', 'invite', 'webhook']), id: z.string(), name: z.string().optional() });
export type AuditTarget = z.infer<typeof AuditTarget>;

export const AuditEntry = z.object({
  id: z.string(),
  at: z.string(),
  actor: ActorRef,
  operation: z.string(),
  target: AuditTarget,
  outcome: z.enum(['ok', 'refused']).default('ok'),
  details: z.record(z.string(), z.unknown()).default({}),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
