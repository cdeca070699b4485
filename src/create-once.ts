import { randomBytes } from 'node:crypto';
import { link, open, unlink } from 'node:fs/promises';

/** What a file system without hard links (vfat, exFAT, some network and FUSE mounts) answers to link(). */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/** Creates `path` (it must not exist), writes `body` and flushes it before closing. */
async function writeWhole(path: string, body: string): Promise<void> {
  const handle = await open(path, 'wx', 0o600);
  try {
    await handle.writeFile(body);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Creates a secret file (owner-only) whole, once: written to a temporary file and flushed, then linked
 * into place. A crash or a kill mid-write leaves no empty or partial file, and the link fails with
 * EEXIST if the file exists, so of two instances starting together the first wins and the other can
 * read its file. Where there are no hard links, an exclusive create does the same. Any failure is
 * thrown as it came (EEXIST included); no temporary file is left behind.
 */
export async function createOnce(path: string, body: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeWhole(tmp, body);
    await link(tmp, path).catch((e: NodeJS.ErrnoException) => (NO_LINKS.has(e.code ?? '') ? writeWhole(path, body) : Promise.reject(e)));
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}
