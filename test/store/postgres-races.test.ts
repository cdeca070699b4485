import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { databaseWith } from '../../bench/fixtures.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { testDatabase } from '../helpers/postgres.js';

/**
 * Races between one instance's write and its reads, made to happen on purpose: between the commit of
 * A's write and A taking it as its snapshot, B commits and a read on A catches up with both.
 */
let db: Awaited<ReturnType<typeof testDatabase>>;
let a: PostgresStore;
let b: PostgresStore;
beforeEach(async () => {
  db = await testDatabase();
  a = new PostgresStore(db.url);
  b = new PostgresStore(db.url);
  await a.init();
  await a.mutate((d) => void d.accounts.push(...databaseWith(10).accounts));
  await b.init();
});
afterEach(async () => {
  await Promise.all([a.close(), b.close()]);
  await db.drop();
});

/** Runs `between` once, right after A's next commit is answered and before A's mutate resolves. */
function afterNextCommit(store: PostgresStore, between: () => Promise<void>) {
  const connect = store.pool.connect.bind(store.pool) as () => Promise<pg.PoolClient>;
  let armed = true;
  (store.pool as unknown as { connect: () => Promise<pg.PoolClient> }).connect = async () => {
    const client = await connect();
    const query = client.query.bind(client) as (...a: unknown[]) => Promise<unknown>;
    (client as unknown as { query: (...a: unknown[]) => Promise<unknown> }).query = async (...args: unknown[]) => {
      const out = await query(...args);
      if (armed && typeof args[0] === 'string' && args[0].includes('COMMIT') && args[0].includes('pg_notify')) {
        armed = false;
        await between();
      }
      return out;
    };
    return client;
  };
}

describe('PostgreSQL store: a read that catches up while a write is being adopted', () => {
  it('keeps what the read brought in, and the write too', async () => {
    const [first, second] = (await a.read()).accounts;
    afterNextCommit(a, async () => {
      await b.mutate((d) => void (d.accounts.find((x) => x.id === second!.id)!.name = 'Renamed by B'));
      await a.read();
    });
    await a.mutate((d) => void (d.accounts.find((x) => x.id === first!.id)!.name = 'Renamed by A'));
    const seen = await a.read();
    expect(seen.accounts.find((x) => x.id === first!.id)!.name).toBe('Renamed by A');
    expect(seen.accounts.find((x) => x.id === second!.id)!.name).toBe('Renamed by B');
    expect(seen.accounts).toHaveLength(10);
    // And A's next write of B's record starts from B's version, so it is not refused or lost.
    await a.mutate((d) => void (d.accounts.find((x) => x.id === second!.id)!.name = 'Then by A'));
    expect((await b.read()).accounts.find((x) => x.id === second!.id)!.name).toBe('Then by A');
  });

  it('keeps a delete and an insert made by the other instance in that window', async () => {
    const [first, second] = (await a.read()).accounts;
    const extra = databaseWith(11).accounts[10]!;
    afterNextCommit(a, async () => {
      await b.mutate((d) => {
        d.accounts = d.accounts.filter((x) => x.id !== second!.id);
        d.accounts.push({ ...extra, id: 'acc-from-b', name: 'From B' });
      });
      await a.read();
    });
    await a.mutate((d) => void (d.accounts.find((x) => x.id === first!.id)!.name = 'Renamed by A'));
    const seen = await a.read();
    expect(seen.accounts.map((x) => x.id)).not.toContain(second!.id);
    expect(seen.accounts.find((x) => x.id === 'acc-from-b')?.name).toBe('From B');
    expect(seen.accounts.find((x) => x.id === first!.id)!.name).toBe('Renamed by A');
    expect(seen.accounts).toHaveLength(10);
  });
});
