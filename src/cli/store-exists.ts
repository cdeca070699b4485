import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, type Config } from '../config.js';

/** The lowdb store's file by absolute path (relative paths are the current folder's); none on PostgreSQL. */
export const lowdbFile = (config: Config, cwd = process.cwd()): string | undefined => (config.CLOUDLINK_DATABASE_URL ? undefined : resolve(cwd, config.CLOUDLINK_STORE_PATH));

/**
 * A command that only reads (or hands out what is linked) must not create a store: run outside the
 * install folder, the relative default (./data/cloudlink.json) would name a new, empty one there, with a
 * new key beside it, and the command would then say there is no such account. On the lowdb store it
 * refuses a file that does not exist, before anything is opened or written; PostgreSQL is the database
 * the URL names, and commands that write (and serve, mcp) still create the file.
 */
export function requireExistingStore(config: Config, cwd = process.cwd()): void {
  const path = lowdbFile(config, cwd);
  if (path === undefined || existsSync(path)) return;
  throw new ConfigError(
    `No cloudlink store at ${path} (CLOUDLINK_STORE_PATH${isAbsolute(config.CLOUDLINK_STORE_PATH) ? '' : `, relative to ${cwd}`}). Run it from the folder where cloudlink runs, or set CLOUDLINK_STORE_PATH (or CLOUDLINK_DATABASE_URL / CLOUDLINK_API_URL).`,
  );
}
