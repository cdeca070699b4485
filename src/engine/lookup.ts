import { CloudlinkError } from './errors.js';
import type { Account, Database, Invite, Setup } from './schemas.js';

const fold = (s: string) => s.trim().toLocaleLowerCase('en-US');

/** An account by id, or by name (case-insensitive). */
export function findAccount(db: Readonly<Database>, ref: string): Account | undefined {
  const r = ref.trim();
  return db.accounts.find((a) => a.id === r) ?? db.accounts.find((a) => fold(a.name) === fold(r));
}

export function requireAccount(db: Readonly<Database>, ref: string): Account {
  const a = findAccount(db, ref);
  if (!a) {
    throw new CloudlinkError('NOT_FOUND', `No linked account is called "${ref.slice(0, 80)}". List accounts to see their exact names.`, { account: 'No such account.' });
  }
  return a;
}

export function nameOwner(db: Readonly<Database>, name: string, exceptId?: string): Account | undefined {
  return db.accounts.find((a) => a.id !== exceptId && fold(a.name) === fold(name));
}

export function requireNameFree(db: Readonly<Database>, name: string, exceptId?: string, field = 'name') {
  if (nameOwner(db, name, exceptId)) {
    throw new CloudlinkError('NAME_TAKEN', `An account called "${name}" already exists (names are case-insensitive). Choose another name.`, { [field]: 'This name is already taken.' });
  }
}

export function requireSetup(db: Readonly<Database>, setupId: string): Setup {
  const s = db.setups.find((x) => x.id === setupId.trim());
  if (!s) throw new CloudlinkError('NOT_FOUND', `No setup has the id "${setupId.slice(0, 80)}". Start a new setup.`, { setupId: 'No such setup.' });
  return s;
}

export function requireInvite(db: Readonly<Database>, inviteId: string): Invite {
  const i = db.invites.find((x) => x.id === inviteId.trim());
  if (!i) throw new CloudlinkError('NOT_FOUND', `No invite has the id "${inviteId.slice(0, 80)}". Ask for a new invite.`, { inviteId: 'No such invite.' });
  return i;
}

/** A linked AWS account names the management account it belongs to. */
export function linkedAccountsOf(db: Readonly<Database>, managementId: string): Account[] {
  return db.accounts.filter((a) => a.provider === 'aws' && a.aws.kind === 'linked' && a.aws.managementAccountId === managementId);
}

export function awsAccountLinked(db: Readonly<Database>, provider: 'aws' | 'eks', accountId: string): Account | undefined {
  return db.accounts.find((a) => (a.provider === 'aws' && provider === 'aws' && a.aws.accountId === accountId) || (a.provider === 'eks' && provider === 'eks' && a.eks.accountId === accountId));
}

export const managementAccounts = (db: Readonly<Database>) =>
  db.accounts.filter((a): a is Extract<Account, { provider: 'aws' }> => a.provider === 'aws' && a.aws.kind === 'management');
