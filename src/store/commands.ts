import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { storeFrom } from '../compose.js';
import { lowdbFile, requireExistingStore } from '../cli/store-exists.js';
import { ConfigError, type Config } from '../config.js';
import { SecretBox } from '../engine/secrets.js';
import { findEncryptionKey, keyFileOf } from '../key-file.js';
import { checkImportKey, sealedValues } from './sealed-values.js';
import { Database, type Database as Db } from '../engine/domain/records.js';
import { migrate as migrateFile, notADatabase } from './migrations.js';
import type { Logger } from '../log.js';
import type { PostgresStore } from './postgres/postgres-store.js';

const COLLECTIONS = ['accounts', 'setups', 'invites', 'audit', 'outbox', 'organizations', 'viewers', 'webhooks'] as const;

export const MIGRATE_USAGE = `Usage: cloudlink migrate
  Applies the PostgreSQL migrations (CLOUDLINK_DATABASE_URL) without starting the service, and says which it applied.
  The lowdb file (CLOUDLINK_STORE_PATH) migrates itself when read: there is nothing to do for it.`;
export const EXPORT_USAGE = `Usage: cloudlink export [--file <path>]
  The whole store (lowdb or PostgreSQL) as JSON on stdout, or written to <path> (owner-only). Private keys stay sealed.
  AWS config profiles instead: cloudlink export aws-config --help`;
export const IMPORT_USAGE = `Usage: cloudlink import --file <export.json> [--replace]
  Loads an export (or a lowdb file) into the configured store; --replace when that store is not empty.
  Its sealed values must open with the store's key (CLOUDLINK_ENCRYPTION_KEY, or the key file beside it): a backup sealed with another key is refused.`;

/**
 * The flags of a store command: only those it knows (`--name value` or `--name=value`; `takesValue`
 * false for a switch), anything else refused with its usage. `help` when --help or -h was asked for.
 */
function storeFlags(args: string[], known: Record<string, boolean>, usage: string): { help: boolean; values: Record<string, string | true> } {
  const values: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--help' || arg === '-h') return { help: true, values };
    const m = /^--([a-z][a-z-]*)(?:=(.*))?$/s.exec(arg);
    if (!m) throw new ConfigError(`Unexpected argument "${arg}".\n\n${usage}`);
    const name = m[1]!;
    if (!(name in known)) throw new ConfigError(`Unknown option --${name}.\n\n${usage}`);
    if (!known[name]) {
      if (m[2] !== undefined) throw new ConfigError(`--${name} takes no value.\n\n${usage}`);
      values[name] = true;
      continue;
    }
    const value = m[2] ?? args[++i];
    if (value === undefined || value === '' || (m[2] === undefined && value.startsWith('--'))) throw new ConfigError(`--${name} needs a value.\n\n${usage}`);
    values[name] = value;
  }
  return { help: false, values };
}

/** A file that could not be read or written, said as what to do about it. */
function fileProblem(e: unknown, file: string, doing: 'read' | 'write'): ConfigError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return new ConfigError(
      doing === 'read'
        ? `${file} was not found (looked for ${resolve(file)}). Check the path, or make an export first with \`cloudlink export --file <path>\`. Nothing was imported.`
        : `Cannot write ${file}: its folder ${dirname(resolve(file))} does not exist. Create it, or give another --file.`,
    );
  }
  if (code === 'EISDIR') return new ConfigError(`${file} is a folder: give the ${doing === 'read' ? 'export file to import' : 'file to write'} (--file <path>).`);
  if (code === 'EACCES' || code === 'EPERM') return new ConfigError(`cloudlink may not ${doing} ${file} (permission denied). Check its permissions, or give another --file.`);
  return new ConfigError(`Cannot ${doing} ${file} (${code ?? (e as Error).message}).`);
}

/** `cloudlink migrate`: applies the database migrations (PostgreSQL; the lowdb file migrates itself on read) and says which. */
export async function migrateCommand(config: Config, log: Logger, args: string[] = []): Promise<string> {
  if (storeFlags(args, {}, MIGRATE_USAGE).help) return MIGRATE_USAGE;
  // A migration must not create the store it was pointed at, perhaps by mistake: there is nothing to migrate.
  const file = lowdbFile(config);
  if (file !== undefined && !existsSync(file)) {
    return `${file} is a lowdb file: it migrates itself when read; nothing to do (there is none there yet: cloudlink creates it, in the current format, at its first write).`;
  }
  const store = await storeFrom(config, log);
  if (!config.CLOUDLINK_DATABASE_URL) {
    await store.init();
    await store.close?.();
    return `${store.location} is a lowdb file: it migrates itself when read; nothing to do. (Set CLOUDLINK_DATABASE_URL to migrate a PostgreSQL database.)`;
  }
  try {
    const { applied, total } = await (store as PostgresStore).migrate();
    return applied.length
      ? `Applied ${applied.length} migration${applied.length === 1 ? '' : 's'} to ${store.location}: ${applied.join(', ')}. It is up to date (${total} applied in all).`
      : `${store.location} is already up to date: all ${total} migrations were applied before. Nothing to do.`;
  } finally {
    await store.close?.();
  }
}

/**
 * `cloudlink export [--file F]`: the whole store as one JSON document (the lowdb file's format), from
 * either store, keys sorted so that exports diff cleanly. Private keys stay sealed: importing them elsewhere needs the same CLOUDLINK_ENCRYPTION_KEY.
 */
export async function exportCommand(config: Config, log: Logger, args: string[]): Promise<string> {
  const { help, values } = storeFlags(args, { file: true }, EXPORT_USAGE);
  if (help) return EXPORT_USAGE;
  const file = values.file as string | undefined;
  // A backup of a store that is not there would be an empty one (and create it): refused.
  requireExistingStore(config);
  const store = await storeFrom(config, log);
  let db: Db;
  try {
    await store.init();
    db = await store.read();
  } finally {
    await store.close?.();
  }
  const text = JSON.stringify(canonical(db), null, 2);
  if (!file) return text;
  await writeFile(file, text + '\n', { mode: 0o600 }).catch((e: unknown) => {
    throw fileProblem(e, file, 'write');
  });
  return `Exported ${db.accounts.length} accounts, ${db.setups.length} setups, ${db.invites.length} invites, ${db.audit.length} audit entries and ${db.organizations.length} organizations from ${store.location} to ${file}. Private keys are in it sealed: keep it as you keep the encryption key.`;
}

/** `cloudlink import --file F [--replace]`: loads an export (or a lowdb file) into the configured store. */
export async function importCommand(config: Config, log: Logger, args: string[]): Promise<string> {
  const { help, values } = storeFlags(args, { file: true, replace: false }, IMPORT_USAGE);
  if (help) return IMPORT_USAGE;
  const file = values.file as string | undefined;
  if (!file) throw new ConfigError(`import needs the export to load: --file <export.json>.\n\n${IMPORT_USAGE}`);
  const text = await readFile(file, 'utf8').catch((e: unknown) => {
    throw fileProblem(e, file, 'read');
  });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${file} is not a cloudlink export: it is not valid JSON (${(e as Error).message}). Nothing was imported; give a file written by \`cloudlink export --file <path>\`.`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${file} is not a cloudlink export: it holds no JSON object. Nothing was imported; give a file written by \`cloudlink export --file <path>\`.`);
  const why = notADatabase(raw as Record<string, unknown>);
  if (why) throw new ConfigError(`${file} is not a cloudlink export: ${why}. Nothing was imported; give a file written by \`cloudlink export --file <path>\`.`);
  const parsed = Database.safeParse(migrateFile(raw as Record<string, unknown>, file).data);
  if (!parsed.success) throw new ConfigError(`${file} does not match cloudlink's schema (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}). Nothing was imported.`);
  const incoming: Db = parsed.data;
  const store = await storeFrom(config, log);
  try {
    // Sealed values the target's key cannot open are refused before anything is opened or written
    // (not even an empty store file). The key is looked up, never created: a store with no key yet
    // gets one at its first start, and that new key would open none of them.
    const sealed = sealedValues(incoming);
    const keyFile = config.CLOUDLINK_DATABASE_URL ? undefined : keyFileOf(lowdbFile(config)!);
    const key = sealed.length ? await findEncryptionKey(config.CLOUDLINK_ENCRYPTION_KEY, keyFile) : undefined;
    const note = checkImportKey(sealed, file, store.location, key && { keyId: new SecretBox(key.key).keyId, source: key.source }, keyFile);
    await store.init();
    const current = await store.read();
    const filled = COLLECTIONS.filter((c) => current[c].length);
    if (filled.length && values.replace !== true) {
      throw new ConfigError(`${store.location} is not empty (${filled.map((c) => `${current[c].length} ${c}`).join(', ')}). Nothing was imported; pass --replace to replace it with ${file}.`);
    }
    await store.mutate((db) => {
      for (const c of COLLECTIONS) (db as Record<string, unknown>)[c] = incoming[c];
    });
    return `Imported ${incoming.accounts.length} accounts, ${incoming.setups.length} setups, ${incoming.invites.length} invites, ${incoming.audit.length} audit entries and ${incoming.organizations.length} organizations into ${store.location}.${note ? ` ${note}` : ''}`;
  } finally {
    await store.close?.();
  }
}

/**
 * Keys sorted at every level: PostgreSQL's jsonb keeps keys in its own order, so without this the
 * same store exported from lowdb and from PostgreSQL would differ, and two exports could not be diffed.
 */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}
