import { existsSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { throwawayCluster } from '../helpers/postgres.js';

/**
 * What a fresh machine with PostgreSQL installed but no server running gets: a cluster of its own,
 * from `initdb` and `pg_ctl`, that the store migrates and uses, removed afterwards.
 */
describe('the tests’ throwaway PostgreSQL cluster', () => {
  it('starts from the machine’s binaries, serves the store, and leaves nothing behind', async () => {
    const cluster = throwawayCluster();
    try {
      const store = new PostgresStore(cluster.url);
      await store.init();
      await store.mutate((d) => void d.viewers.push({ id: 'v1', surface: 'slack-home', userId: 'U1', state: {}, seenAt: new Date().toISOString() }));
      expect((await store.read()).viewers).toHaveLength(1);
      expect(await store.health()).toEqual({ ok: true, detail: 'PostgreSQL reachable, migrations applied' });
      await store.close();
    } finally {
      cluster.stop();
    }
    const probe = new pg.Client({ connectionString: cluster.url, connectionTimeoutMillis: 1000 });
    await expect(probe.connect()).rejects.toThrow();
    expect(existsSync(cluster.dir)).toBe(false);
  }, 60_000);
});
