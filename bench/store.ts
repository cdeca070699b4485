import { stat } from 'node:fs/promises';
import { LowdbStore } from '../src/store/lowdb-store.js';
import { writeStore } from './fixtures.js';
import { median, percentile } from './stats.js';

/** A rename's latency through the store (lock, re-read, write, fsync, rename) and the file's size. */
export async function storeRename(dir: string, n: number, runs = 20) {
  const path = `${dir}/store-${n}.json`;
  await writeStore(path, n);
  const store = new LowdbStore(path);
  await store.init();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await store.mutate((db) => {
      db.accounts[0]!.name = `Renamed ${i}`;
    });
    times.push(performance.now() - t0);
  }
  return { median: median(times), p99: percentile(times, 99), bytes: (await stat(path)).size };
}
