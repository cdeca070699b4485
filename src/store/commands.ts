import { readFile, writeFile } from 'node:fs/promises';
import { storeFrom } from '../compose.js';
import { ConfigError, type Config } from '../config.js';
import { Database, type Database as Db } from '../engine/domain/records.js';
import { migrate as migrateFile } from './migrations.js';
import type { Logger } from '../log.js';

const COLLECTIONS = ['accounts', 'setups', 'invites', 'audit', 'outbox', 'organizations', 'viewers', 'webhooks'] as const;

/** `cloudlink migrate`: applies the database migrations (PostgreSQL; the lowdb file migrates itself on read). */
export async function migrateCommand(config: Config, log: Logger): Promise<string> {
  const store = await storeFrom(config, log);
  await store.init();
  await store.close?.();
  return config.CLOUDLINK_DATABASE_URL ? `Migrations applied to ${store.location}.` : `${store.location} is a lowdb file: it migrates itself when read; nothing to do.`;
}

/**
 * `cloudlink export [--file F]`: the whole store as one JSON document (the lowdb file's format), from
 * either store, keys sorted so that exports diff cleanly. Private keys stay sealed: importing them elsewhere needs the same CLOUDLINK_ENCRYPTION_KEY.
 */
export async function exportCommand(config: Config, log: Logger, args: string[]): Promise<string> {
  const file = flag(args, '--file');
  const store = await storeFrom(config, log);
  await store.init();
  const db = await store.read();
  await store.close?.();
  const text = JSON.stringify(canonical(db), null, 2);
  if (!file) return text;
  await writeFile(file, text + '\n', { mode: 0o600 });
  return `Exported ${db.accounts.length} accounts, ${db.setups.length} setups, ${db.invites.length} invites, ${db.audit.length} audit entries and ${db.organizations.length} organizations from ${store.location} to ${file}. Private keys are in it sealed: keep it as you keep the encryption key.`;
}

/** `cloudlink import --file F [--replace]`: loads an export (or a lowdb file) into the configured store. */
export async function importCommand(config: Config, log: Logger, args: string[]): Promise<string> {
  const file = flag(args, '--file');
  if (!file) throw new ConfigError('Usage: cloudlink import --file <export.json> [--replace]');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError(`${file} is not a cloudlink export (${(e as Error).message}).`);
  }
  const parsed = Database.safeParse(migrateFile(raw, file).data);
  if (!parsed.success) throw new ConfigError(`${file} does not match cloudlink's schema (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}). Nothing was imported.`);
  const incoming: Db = parsed.data;
  const store = await storeFrom(config, log);
  await store.init();
  try {
    const current = await store.read();
    const filled = COLLECTIONS.filter((c) => current[c].length);
    if (filled.length && !args.includes('--replace')) {
      throw new ConfigError(`${store.location} is not empty (${filled.map((c) => `${current[c].length} ${c}`).join(', ')}). Nothing was imported; pass --replace to replace it with ${file}.`);
    }
    await store.mutate((db) => {
      for (const c of COLLECTIONS) (db as Record<string, unknown>)[c] = incoming[c];
    });
    return `Imported ${incoming.accounts.length} accounts, ${incoming.setups.length} setups, ${incoming.invites.length} invites, ${incoming.audit.length} audit entries and ${incoming.organizations.length} organizations into ${store.location}.`;
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

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  const eq = args.find((a) => a.startsWith(`${name}=`));
  return eq ? eq.slice(name.length + 1) : i >= 0 ? args[i + 1] : undefined;
}
