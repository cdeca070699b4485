import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

/** The lock every instance takes to migrate: two instances starting together migrate once. */
export const MIGRATION_LOCK = 0x636c6d67; // "clmg"

/** migrations/postgres/ sits at the package root: the nearest folder above this file that has it. */
export function migrationsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'migrations', 'postgres');
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error('cloudlink cannot find its migrations/postgres/ folder next to the installed package.');
    dir = up;
  }
}

export async function pendingMigrations(client: pg.ClientBase): Promise<string[]> {
  await client.query('CREATE TABLE IF NOT EXISTS cloudlink_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
  const done = new Set((await client.query<{ name: string }>('SELECT name FROM cloudlink_migrations')).rows.map((r) => r.name));
  return (await readdir(migrationsDir())).filter((f) => f.endsWith('.sql') && !done.has(f)).sort();
}

/**
 * Applies what is not applied yet, each file in its own transaction, under a session advisory lock:
 * a second instance starting at the same moment waits, then finds nothing left to do.
 */
export async function migrate(client: pg.ClientBase): Promise<string[]> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    const pending = await pendingMigrations(client);
    for (const name of pending) {
      const sql = await readFile(join(migrationsDir(), name), 'utf8');
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('INSERT INTO cloudlink_migrations (name) VALUES ($1)', [name]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    }
    return pending;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
  }
}
