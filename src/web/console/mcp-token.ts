import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { Config } from '../../config.js';
import { ConfigError } from '../../config.js';
import { createOnce } from '../../create-once.js';
import { fsReason } from '../../fs-reason.js';

/** How an MCP HTTP bearer token acts (the shape CLOUDLINK_MCP_TOKENS entries take). */
export type TokenGrant = Config['CLOUDLINK_MCP_TOKENS'][number];

const Stored = z.object({ token: z.string().min(32), createdAt: z.string(), shownAt: z.string().optional() });

const newToken = () => `clk_${randomBytes(32).toString('base64url')}`;

/** What to do about a file-system failure (its reason in words is the store's own: fsReason). */
const PERMISSION = 'Let the user cloudlink runs as write to that folder, or set CLOUDLINK_STORE_PATH to a file in a folder it may write';
const FIX: Record<string, string> = {
  EROFS: 'Set CLOUDLINK_STORE_PATH to a file on a writable disk (the token is kept beside the store)',
  ENOSPC: 'Free some space on that disk, or set CLOUDLINK_STORE_PATH to a file on another one',
  EDQUOT: 'Free some space in that quota, or set CLOUDLINK_STORE_PATH to a file on another disk',
  ENOENT: 'Create the folder, or set CLOUDLINK_STORE_PATH to a file in a folder on a writable disk',
  ENOTDIR: 'Set CLOUDLINK_STORE_PATH to a file in a folder on a writable disk',
  EACCES: PERMISSION,
  EPERM: PERMISSION,
};
/** Where the path, not the disk, is the trouble. */
const PATH_REASONS: Record<string, string> = { ENOENT: 'its folder does not exist and cannot be created', ENOTDIR: 'a part of its path is a file, not a folder' };

/** The token file could not be written: which file, why in words, and what to do. */
export function tokenWriteProblem(path: string, e: unknown): ConfigError {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  const why = PATH_REASONS[code] ?? fsReason(e);
  const fix = FIX[code] ?? 'Check the disk and the folder\'s permissions';
  return new ConfigError(
    `cloudlink cannot write the console's MCP token file ${path} (in ${dirname(path)}): ${why}. ${fix}, and start again; or turn the console off (CLOUDLINK_CONSOLE=false), which needs no token file.`,
  );
}

/**
 * The MCP token the console hands out: made on the first run and kept like the store's key file (owner
 * only, beside the store), so it survives restarts. The console shows it once: `shownAt` records that
 * it was, and only a new token (which replaces it at once) is shown again.
 */
export class McpTokenFile {
  private shown: boolean;

  private constructor(
    private readonly path: string,
    private state: z.infer<typeof Stored>,
    /** The live grant MCP HTTP checks: a new token takes effect without a restart. */
    readonly grant: TokenGrant,
  ) {
    this.shown = Boolean(state.shownAt);
  }

  static async open(path: string, opts: { actor: string; slackUser?: string }, now = new Date()): Promise<McpTokenFile> {
    let state: z.infer<typeof Stored> | undefined;
    try {
      const parsed = Stored.safeParse(JSON.parse(await readFile(path, 'utf8')));
      if (!parsed.success) throw new ConfigError(`The MCP token file ${path} is damaged. Delete it and restart: cloudlink makes a new token (the old one stops working).`);
      state = parsed.data;
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      // A file where its folder should be: it cannot be read, nor made there.
      if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') throw tokenWriteProblem(path, e);
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigError(`cloudlink cannot read its MCP token file ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Fix its permissions, or delete it to get a new token.`);
    }
    const file = new McpTokenFile(path, state ?? { token: newToken(), createdAt: now.toISOString() }, { token: '', actor: opts.actor, role: 'admin', ...(opts.slackUser ? { slackUser: opts.slackUser } : {}) });
    file.grant.token = file.state.token;
    if (!state) {
      try {
        await file.save(true);
      } catch (e) {
        // Another instance on this host made it a moment ago: use theirs.
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') return McpTokenFile.open(path, opts, now);
        throw e;
      }
    }
    return file;
  }

  get createdAt() {
    return this.state.createdAt;
  }

  get shownAt() {
    return this.state.shownAt;
  }

  /** The token, the first time it is asked for; afterwards nothing. */
  async takeOnce(now = new Date()): Promise<string | undefined> {
    if (this.shown) return undefined;
    this.shown = true;
    const next = { ...this.state, shownAt: now.toISOString() };
    try {
      await this.save(false, next);
    } catch (e) {
      // Not recorded as shown, so not shown: the next visit tries again.
      this.shown = false;
      throw e;
    }
    this.state = next;
    return next.token;
  }

  /** A new token, shown once more; the old one stops working now. */
  async replace(now = new Date()) {
    const next = { token: newToken(), createdAt: now.toISOString() };
    // Saved first: if it cannot be, the old token keeps working.
    await this.save(false, next);
    this.state = next;
    this.grant.token = next.token;
    this.shown = false;
  }

  /** Writes the file; a failure of the disk or the folder is said in words (an instance that won the race is the caller's: EEXIST). */
  private async save(first: boolean, state = this.state) {
    try {
      await this.write(first, state);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw e;
      throw tokenWriteProblem(this.path, e);
    }
  }

  private async write(first: boolean, state: z.infer<typeof Stored>) {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const body = JSON.stringify(state) + '\n';
    // Never a half-written file in place: the token must survive a crash mid-write, and another instance
    // starting on this host at the same moment must read a whole file or none.
    // Created once, whole: the first instance's token wins (EEXIST for the other).
    if (first) return createOnce(this.path, body);
    const tmp = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, body, { mode: 0o600 });
      await rename(tmp, this.path);
    } finally {
      // Gone after the rename; after a write that failed half-way (a full disk), not left behind.
      await unlink(tmp).catch(() => undefined);
    }
  }
}
