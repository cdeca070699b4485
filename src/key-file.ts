import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError } from './config.js';
import { createOnce } from './create-once.js';

/**
 * The encryption key: from CLOUDLINK_ENCRYPTION_KEY (32 bytes, base64) or, so `npm start` works on a
 * fresh machine, a key file beside the store, created once with owner-only permissions.
 */
export async function loadEncryptionKey(configured: string | undefined, keyFile: string): Promise<{ key: Buffer; source: string }> {
  const existing = await findEncryptionKey(configured, keyFile);
  if (existing) return existing;
  const key = randomBytes(32);
  await mkdir(dirname(keyFile), { recursive: true, mode: 0o700 });
  // Created whole, once: no empty key file after a crash (it would lock the store's sealed keys away),
  // and of two instances starting together the first key wins and the other reads it.
  try {
    await createOnce(keyFile, key.toString('base64') + '\n');
  } catch (e) {
    return theirs(keyFile, e);
  }
  return { key, source: `${keyFile} (generated)` };
}

/**
 * The key this process would use, without creating one: CLOUDLINK_ENCRYPTION_KEY when set, else the
 * key file when there is one (`keyFile` undefined: a store without one, PostgreSQL or in memory), else
 * none. What checks a store's sealed values before a key file may be created (compose, import) uses it.
 */
export async function findEncryptionKey(configured: string | undefined, keyFile: string | undefined): Promise<{ key: Buffer; source: string } | undefined> {
  if (configured) {
    const key = Buffer.from(configured, 'base64');
    if (key.length !== 32) throw new ConfigError('CLOUDLINK_ENCRYPTION_KEY must be 32 random bytes, base64-encoded (e.g. `openssl rand -base64 32`).');
    return { key, source: 'CLOUDLINK_ENCRYPTION_KEY' };
  }
  const existing = keyFile === undefined ? undefined : await readKeyFile(keyFile);
  return existing ? { key: existing, source: keyFile! } : undefined;
}

/** The key file of a lowdb store: beside it, its name with `.key` for `.json` (`/srv/cloudlink.json` → `/srv/cloudlink.key`). */
export const keyFileOf = (storeFile: string): string => `${storeFile.replace(/\.json$/, '')}.key`;

/** Another instance created the key file first (EEXIST): its key is the one; anything else is thrown. */
async function theirs(keyFile: string, e: unknown): Promise<{ key: Buffer; source: string }> {
  const won = (e as NodeJS.ErrnoException).code === 'EEXIST' ? await readKeyFile(keyFile) : undefined;
  if (!won) throw e;
  return { key: won, source: keyFile };
}

async function readKeyFile(keyFile: string): Promise<Buffer | undefined> {
  let text: string;
  try {
    text = await readFile(keyFile, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new ConfigError(`The key file ${keyFile} does not hold a 32-byte base64 key. Restore it from your backup, or set CLOUDLINK_ENCRYPTION_KEY to the key this store was sealed with.`);
  return key;
}
