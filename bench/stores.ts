import { composeEngine } from '../src/compose.js';
import { loadConfig } from '../src/config.js';
import type { Actor } from '../src/engine/domain/records.js';
import { getAccount, listAccounts } from '../src/engine/operations/accounts.js';
import { renameAccount } from '../src/engine/operations/rename-account.js';
import type { Store } from '../src/engine/ports/store.js';
import { silentLogger } from '../src/log.js';
import { LowdbStore } from '../src/store/lowdb-store.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { testDatabase } from '../test/helpers/postgres.js';
import { databaseWith } from './fixtures.js';
import { median, percentile } from './stats.js';

const admin: Actor = { id: 'U_BENCH', via: 'slack', role: 'admin' };
const config = loadConfig({ CLOUDLINK_ENCRYPTION_KEY: Buffer.alloc(32, 2).toString('base64') });

async function time(runs: number, f: (i: number) => Promise<unknown>) {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f(i);
    xs.push(performance.now() - t0);
  }
  return { median: median(xs), p99: percentile(xs, 99) };
}

/** Rename, get and list (a page of 100) through the engine, on one store holding `n` accounts. */
async function onStore(store: Store, n: number) {
  await store.init();
  await store.mutate((db) => void db.accounts.push(...databaseWith(n).accounts));
  const { engine } = await composeEngine(config, { store, log: silentLogger });
  const target = (await store.read()).accounts[1]!.id;
  // The first call builds what later ones reuse (indexes, views): not what a running service pays per request.
  await engine.run(renameAccount, admin, { account: target, newName: 'Warm up' });
  const rename = await time(30, (i) => engine.run(renameAccount, admin, { account: target, newName: i % 2 ? 'Account one' : 'Account uno' }));
  const get = await time(30, (i) => engine.run(getAccount, admin, { account: `Account ${(i * 37) % n}` }));
  const list = await time(30, () => engine.run(listAccounts, admin, { limit: 100 }));
  return { rename, get, list };
}

export async function storeComparison(dir: string, sizes: number[]) {
  const rows: { store: string; n: number; rename: { median: number; p99: number }; get: { median: number; p99: number }; list: { median: number; p99: number } }[] = [];
  for (const n of sizes) {
    rows.push({ store: 'lowdb', n, ...(await onStore(new LowdbStore(`${dir}/compare-${n}.json`), n)) });
    const db = await testDatabase();
    const pg = new PostgresStore(db.url);
    try {
      rows.push({ store: 'PostgreSQL', n, ...(await onStore(pg, n)) });
    } finally {
      await pg.close();
      await db.drop();
    }
  }
  return rows;
}

/** Two instances (two stores, two engines) on one database, renaming different accounts at once. */
export async function twoInstanceThroughput(n = 10_000, renames = 400) {
  const db = await testDatabase();
  const seed = new PostgresStore(db.url);
  await seed.init();
  await seed.mutate((d) => void d.accounts.push(...databaseWith(n).accounts));
  const ids = (await seed.read()).accounts.slice(0, renames).map((a) => a.id);
  await seed.close();
  const stores = [new PostgresStore(db.url), new PostgresStore(db.url)];
  try {
    const engines = await Promise.all(stores.map(async (s) => (await composeEngine(config, { store: s, log: silentLogger })).engine));
    // 8 callers per instance, as concurrent requests would be.
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        while (next < ids.length) {
          const i = next++;
          await engines[w % 2]!.run(renameAccount, admin, { account: ids[i]!, newName: `Renamed ${i}` });
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    return { perSecond: renames / seconds, renames, n };
  } finally {
    for (const s of stores) await s.close();
    await db.drop();
  }
}
