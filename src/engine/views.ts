import { z } from 'zod';
import { CATALOG, type CatalogEntry } from './families/catalog.js';
import { can } from './permissions.js';
import { ActorRef, AccountStatus, Channel, LastError, Provider, type Account, type Actor, type Database, type Invite, type Setup } from './domain/records.js';
import type { EngineSettings } from './context.js';
import type { FamilyTable } from './families/types.js';
import { accountById } from './domain/account-index.js';

/**
 * What leaves the engine. Views never carry a private key (sealed or not) or anything else from a
 * record that the reader has no right to: everything in them is safe to print in a channel or return
 * to an assistant. Results, events and notifications carry views, never records.
 */

type ViewBlocks = { [R in CatalogEntry as R['view']['key']]: z.ZodOptional<R['view']['schema']> };
const viewBlocks = Object.fromEntries(CATALOG.map((r) => [r.view.key, r.view.schema.optional()])) as ViewBlocks;
type SetupViewBlocks = { [R in CatalogEntry as R['setup']['key']]: z.ZodOptional<R['setup']['view']> };
const setupViewBlocks = Object.fromEntries(CATALOG.map((r) => [r.setup.key, r.setup.view.optional()])) as SetupViewBlocks;

/** `subscriptions`: Azure subscriptions to choose; `certificate`: a certificate that can be renewed. */
export const Capability = z.enum(['subscriptions', 'certificate']);
export type Capability = z.infer<typeof Capability>;

export const AccountView = z.object({
  id: z.string(),
  name: z.string(),
  provider: Provider,
  status: AccountStatus,
  lastError: LastError.optional(),
  createdBy: ActorRef,
  createdAt: z.string(),
  lastCheckedAt: z.string().optional(),
  summary: z.string().describe('One line saying where the account is (AWS account id, tenant…), for lists.'),
  capabilities: z.array(Capability).describe('What more can be done with this account beyond check, rename and delete.'),
  ...viewBlocks,
});
export type AccountView = z.infer<typeof AccountView>;

export const SetupView = z.object({
  setupId: z.string(),
  provider: Provider,
  status: z.enum(['open', 'completed', 'expired']),
  name: z.string().optional(),
  what: z.string().describe('What is being linked, in words ("an AWS management account").'),
  expiresAt: z.string(),
  accountId: z.string().optional().describe('Internal id of the account this setup created, once completed.'),
  lastWatchError: z.string().optional().describe('What the watcher last saw when it tried to finish the setup by itself.'),
  ...setupViewBlocks,
});
export type SetupView = z.infer<typeof SetupView>;

export const InviteView = z.object({
  inviteId: z.string(),
  setupId: z.string(),
  provider: Provider,
  inviter: ActorRef,
  invitee: z.object({ id: z.string(), name: z.string().optional(), channel: Channel.optional() }),
  message: z.string().optional(),
  status: z.enum(['pending', 'accepted', 'completed', 'revoked', 'expired']),
  createdAt: z.string(),
  expiresAt: z.string(),
  accountId: z.string().optional(),
});
export type InviteView = z.infer<typeof InviteView>;

/**
 * Who is reading, as far as views care. `linker`: may link accounts, so may see External IDs (they
 * need them to redeploy a stack). A setup's starter and its accepted invitee see its own External ID.
 */
export type Reader = { id: string; linker: boolean };
export const readerOf = (actor: Actor, settings: EngineSettings): Reader => ({ id: actor.id, linker: can(actor, 'link', settings) });
/** Events and notifications are read by people the engine did not ask: they see nothing restricted. */
export const PUBLIC_READER: Reader = { id: '', linker: false };

export type ViewContext = { families: FamilyTable; now: () => Date };

/** An account's name by id (indexed: a linked account names its management account in every view). */
export const accountNameOf = (db: Readonly<Database>, id: string): string | undefined => accountById(db, id)?.name;

export function accountView(vc: ViewContext, a: Account, db: Readonly<Database>, reader: Reader): AccountView {
  const d = vc.families.of(a.provider).describe(a, db, reader);
  return {
    id: a.id,
    name: a.name,
    provider: a.provider,
    status: a.status,
    ...(a.lastError ? { lastError: a.lastError } : {}),
    createdBy: a.createdBy,
    createdAt: a.createdAt,
    ...(a.lastCheckedAt ? { lastCheckedAt: a.lastCheckedAt } : {}),
    summary: d.summary,
    capabilities: d.capabilities,
    [d.block.key]: d.block.value,
  } as AccountView;
}

export const setupStatusAt = (s: Setup, now: Date): SetupView['status'] => (s.status === 'open' && Date.parse(s.expiresAt) <= now.getTime() ? 'expired' : s.status);

/** A setup's own External ID (or other setup secret-ish detail) is for its starter, its invitee and linkers. */
export function seesSetupDetails(reader: Reader, s: Setup, db: Readonly<Database>): boolean {
  if (reader.linker || reader.id === s.createdBy.id) return true;
  return db.invites.some((i) => i.setupId === s.id && i.invitee.id === reader.id && (i.status === 'accepted' || i.status === 'completed'));
}

export function setupView(vc: ViewContext, s: Setup, db: Readonly<Database>, reader: Reader): SetupView {
  const status = setupStatusAt(s, vc.now());
  const block = vc.families.of(s.provider).describeSetup(s, status, seesSetupDetails(reader, s, db));
  return {
    setupId: s.id,
    provider: s.provider,
    status,
    ...(s.name ? { name: s.name } : {}),
    what: block.what,
    expiresAt: s.expiresAt,
    ...(s.completedAccountId ? { accountId: s.completedAccountId } : {}),
    ...(s.lastWatchError ? { lastWatchError: s.lastWatchError } : {}),
    [block.key]: block.value,
  } as SetupView;
}

export function inviteView(i: Invite, now: Date): InviteView {
  const expired = (i.status === 'pending' || i.status === 'accepted') && Date.parse(i.expiresAt) <= now.getTime();
  return {
    inviteId: i.id,
    setupId: i.setupId,
    provider: i.provider,
    inviter: i.inviter,
    invitee: i.invitee,
    ...(i.message ? { message: i.message } : {}),
    status: expired ? 'expired' : i.status,
    createdAt: i.createdAt,
    expiresAt: i.expiresAt,
    ...(i.accountId ? { accountId: i.accountId } : {}),
  };
}
