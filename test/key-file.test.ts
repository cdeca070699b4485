import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config.js';
import { loadEncryptionKey } from '../src/key-file.js';

describe('the encryption key file', () => {
  it('is created once, owner-only, and read back the same on the next start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cl-key-'));
    const file = join(dir, 'data', 'cloudlink.key');
    const first = await loadEncryptionKey(undefined, file);
    expect(first.source).toBe(`${file} (generated)`);
    expect(first.key).toHaveLength(32);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const again = await loadEncryptionKey(undefined, file);
    expect(again.key.equals(first.key)).toBe(true);
    expect(again.source).toBe(file);
    expect(await readdir(join(dir, 'data'))).toEqual(['cloudlink.key']);
  });

  it('gives instances starting together one key: the first written wins, nothing half-written is left', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cl-key-'));
    const file = join(dir, 'cloudlink.key');
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadEncryptionKey(undefined, file)));
    const onDisk = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
    for (const k of keys) expect(k.key.equals(onDisk)).toBe(true);
    expect(keys.filter((k) => k.source.endsWith('(generated)'))).toHaveLength(1);
    expect(await readdir(dir)).toEqual(['cloudlink.key']);
  });

  it('refuses a damaged key file instead of replacing it (the sealed keys need the old one)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cl-key-'));
    const file = join(dir, 'cloudlink.key');
    await writeFile(file, '');
    await expect(loadEncryptionKey(undefined, file)).rejects.toThrow(ConfigError);
    await expect(loadEncryptionKey(undefined, file)).rejects.toThrow(/does not hold a 32-byte base64 key\. Restore it/);
    expect(await readFile(file, 'utf8')).toBe('');
  });

  it('takes CLOUDLINK_ENCRYPTION_KEY when set, and says what a wrong one should be', async () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect((await loadEncryptionKey(key, '/nonexistent/never-written')).source).toBe('CLOUDLINK_ENCRYPTION_KEY');
    await expect(loadEncryptionKey('c2hvcnQ=', '/nonexistent/never-written')).rejects.toThrow(/32 random bytes, base64-encoded/);
  });
});
