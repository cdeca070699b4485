import type { z } from 'zod';
import type { EngineCore, OpContext } from '../context.js';
import type { CloudlinkError } from '../errors.js';
import type { Account, Database, Provider, Setup } from '../domain/records.js';
import type { AnyOperation } from '../registry/operation.js';
import type { Capability, Reader, SetupView } from '../views.js';
import type { InviteOption, LinkForm } from './link-form.js';

export type { InviteOption, LinkForm };

/** How a family's setups are handed out and finished: front ends render by kit, never by provider. */
export type Kit = 'cloudformation-role' | 'app-certificate';

/** What a re-verification learnt, applied to the stored account inside the write that records the check. */
export type AccountPatch = (a: Account) => void;

/**
 * One provider behind one interface. The engine asks the family of a record what to do with it; no
 * operation outside families/ branches on a provider id.
 */
export interface ProviderFamily {
  id: Provider;
  label: string;
  kit: Kit;
  /** The operation that starts a setup of this provider (start_aws_setup…). */
  start: AnyOperation;
  /** The operation that finishes it (shared by the families of one kit: complete_aws_setup…). */
  complete: AnyOperation;
  /** Further operations only this family has (Azure subscriptions…). */
  operations: AnyOperation[];
  linkForm(ctx: OpContext): Promise<LinkForm>;
  inviteOptions(db: Readonly<Database>): InviteOption[];
  /** Everything needed to finish a setup: shown when it starts, to an invitee, after a failed try. */
  handout(ctx: OpContext, setup: Setup, db: Readonly<Database>): Promise<z.infer<z.ZodObject>>;
  /** Re-verifies a linked account for real; throws a CloudlinkError saying what broke. */
  verify(core: EngineCore, account: Account): Promise<AccountPatch | undefined>;
  /** Says what a failed health check probably means, in the words of someone who owns the account. */
  healthWording?(e: CloudlinkError): CloudlinkError;
  describe(account: Account, db: Readonly<Database>, reader: Reader): { summary: string; capabilities: Capability[]; block: { key: string; value: unknown } };
  describeSetup(setup: Setup, status: SetupView['status'], full: boolean): { key: string; value: unknown; what: string };
  /** After a delete: how to remove the access on the cloud side. */
  revokeInstructions(account: Account): string[];
  /** Refuses a delete that would break something (a management account with linked ones). */
  assertDeletable?(db: Readonly<Database>, account: Account): void;
  /** When the account's credential expires, if it has one that does (a certificate). */
  credentialExpiry?(account: Account): string | undefined;
  /** How to renew that credential (or how to finish a renewal under way), in a sentence. */
  credentialRenewal?(account: Account): string;
  /** The background watcher's try at finishing an open setup by itself; `false` when not ready yet. */
  finishWatched?(core: EngineCore, setup: Setup): Promise<boolean>;
  /** The family's own background work, called every watcher interval; it decides what is due. */
  periodic?(core: EngineCore): Promise<void>;
}

export type FamilyTable = {
  of(provider: Provider): ProviderFamily;
  all(): readonly ProviderFamily[];
};
