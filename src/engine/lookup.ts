import { CloudlinkError } from './errors.js';
import { accountById, accountsLookingLike, accountsNamed } from './domain/account-index.js';
import type { Account, Database, Invite, Setup } from './domain/records.js';

/** An account by id, or by name (case-insensitive); indexed, so it costs the same at 50,000 accounts. */
export function findAccount(db: Readonly<Database>, ref: string): Account | undefined {
  const r = ref.trim();
  return accountById(db, r) ?? accountsNamed(db, r)[0];
}

export function requireAccount(db: Readonly<Database>, ref: string): Account {
  const a = findAccount(db, ref);
  if (!a) {
    throw new CloudlinkError('NOT_FOUND', `No linked account is called "${ref.slice(0, 80)}". List accounts to see their exact names.`, { account: 'No such account.' });
  }
  return a;
}

export function nameOwner(db: Readonly<Database>, name: string, exceptId?: string): Account | undefined {
  return accountsNamed(db, name).find((a) => a.id !== exceptId);
}

/** An account whose name looks like `name` (the same TR39 confusable skeleton, names.ts), other than `exceptId`. */
export function lookalikeOwner(db: Readonly<Database>, name: string, exceptId?: string): Account | undefined {
  return accountsLookingLike(db, name).find((a) => a.id !== exceptId);
}

/**
 * A new name must be nobody else's, in any case, and must not look like anybody else's: "Рауег"
 * (Cyrillic) or "Tearn" beside "Payer" or "Team" would make the typed-name delete guard protect nothing.
 */
export function requireNameFree(db: Readonly<Database>, name: string, exceptId?: string, field = 'name') {
  if (nameOwner(db, name, exceptId)) {
    throw new CloudlinkError('NAME_TAKEN', `An account called "${name}" already exists (names are case-insensitive). Choose another name.`, { [field]: 'This name is already taken.' });
  }
  const like = lookalikeOwner(db, name, exceptId);
  if (like) {
    throw new CloudlinkError(
      'NAME_TAKEN',
      `"${name}" looks like the existing account "${like.name}"; choose a name that cannot be mistaken for it.`,
      { [field]: `This looks like the existing account "${like.name}"; choose a name that cannot be mistaken for it.` },
      { looksLike: { id: like.id, name: like.name } },
    );
  }
}

/** A name nobody has and that looks like nobody's: the given one, or it with " (2)", " (3)"… */
export function freeName(db: Readonly<Database>, base: string): string {
  let name = base;
  for (let n = 2; nameOwner(db, name) || lookalikeOwner(db, name); n++) name = `${base} (${n})`;
  return name;
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
