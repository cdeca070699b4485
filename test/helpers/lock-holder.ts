import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';

/**
 * Starts another process that takes the store's lock and keeps it (test/helpers/store-holder.ts);
 * resolves once it holds the lock. `kill()` ends it with SIGKILL, as the OOM killer or `kill -9` would:
 * no exit handler runs, so its lock folder stays behind.
 */
export async function holdLock(path: string) {
  const marker = `${path}.holding`;
  await rm(marker, { force: true });
  const child = fork(new URL('./store-holder.ts', import.meta.url).pathname, [path, marker], { execArgv: ['--import', 'tsx'], stdio: 'pipe' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 20_000;
  while (!existsSync(marker)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('the lock holder never took the lock');
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await rm(marker, { force: true });
  return {
    pid: child.pid!,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** A holder killed while holding the lock: what it leaves behind. */
export async function deadHolder(path: string) {
  const holder = await holdLock(path);
  await holder.kill();
  return holder.pid;
}
