import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError } from './config.js';

/**
 * The encryption key: from CLOUDLINK_ENCRYPTION_KEY (32 bytes, base64) or, so `npm start` works on a
 * fresh machine, a key file beside the store, created once with owner-only permissions.
 */
export async function loadEncryptionKey(configured: string | undefined, keyFile: string): Promise<{ key: Buffer; source: string }> {
  if (configured) {
    const key = Buffer.from(configured, 'base64');
    if (key.length !== 32) throw new ConfigError('CLOUDLINK_ENCRYPTION_KEY must be 32 random bytes, base64-encoded (e.g. `openssl rand -base64 32`).');
    return { key, source: 'CLOUDLINK_ENCRYPTION_KEY' };
  }
  try {
    const key = Buffer.from((await readFile(keyFile, 'utf8')).trim(), 'base64');
    if (key.length !== 32) throw new ConfigError(`The key file ${keyFile} does not hold a 32-byte base64 key. Restore it, or set CLOUDLINK_ENCRYPTION_KEY.`);
    return { key, source: keyFile };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const key = randomBytes(32);
  await mkdir(dirname(keyFile), { recursive: true, mode: 0o700 });
  await writeFile(keyFile, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return { key, source: `${keyFile} (generated)` };
}
