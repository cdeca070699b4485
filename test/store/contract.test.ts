import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { databaseWith } from '../../bench/fixtures.js';
import type { Account, Database } from '../../src/engine/domain/records.js';
import type { Store } from '../../src/engine/ports/store.js';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { testDatabase } from '../helpers/postgres.js';

/**
 * One contract, every store: what the engine relies on (a mutation is all or nothing, snapshots never
 * change, two instances on the same data never lose an update), checked the same way for each.
 */
type Kind = { name: string; shared: boolean; open(): Promise<{ make(): Promise<Store>; close(): Promise<void> }> };

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const KINDS: Kind[] = [
  {
    name: 'memory',
    shared: false,
    async open() {
      const store = new MemoryStore();
      return { make: async () => store, close: async () => undefined };
    },
  },
  {
    name: 'lowdb',
    shared: true,
    async open() {
      const dir = await mkdtemp(join(tmpdir(), 'cloudlink-contract-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      return {
        make: async () => {
          const s = new LowdbStore(join(dir, 'cloudlink.json'));
          await s.init();
          return s;
        },
        close: async () => undefined,
      };
    },
  },
  {
    name: 'postgres',
    shared: true,
    async open() {
      const db = await testDatabase();
      const made: PostgresStore[] = [];
      cleanups.push(() => db.drop());
      return {
        make: async () => {
          const s = new PostgresStore(db.url, { poolSize: 4 });
          await s.init();
          made.push(s);
          return s;
        },
        close: async () => {
          for (const s of made) await s.close();
        },
      };
    },
  },
];

const account = (name: string, extra: Partial<Account> = {}): Account =>
  ({
    id: randomUUID(),
    name,
    provider: 'azure',
    status: 'connected',
    createdBy: { id: 'U1', via: 'slack' },
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
    azure: { tenantId: 't', clientId: 'c', certificate: { pem: 'PEM', thumbprint: 'AB', notBefore: 'x', notAfter: 'y', encryptedKey: { iv: 'iv', tag: 'tag', data: 'sealed-bytes', keyId: 'k1' } }, subscriptions: [] },
    ...extra,
  }) as Account;

describe.each(KINDS)('the $name store', (kind) => {
  it('starts empty, keeps what a mutation wrote, and answers with what it returned', async () => {
    const s = await kind.open();
    const store = await s.make();
    expect((await store.read()).accounts).toEqual([]);
    const a = account('Contoso');
    expect(await store.mutate((db) => (db.accounts.push(a), 'done'))).toBe('done');
    expect((await store.read()).accounts).toEqual([a]);
    // Sealed keys are stored as they are: sealed.
    expect((await store.read()).accounts[0]).toMatchObject({ azure: { certificate: { encryptedKey: { data: 'sealed-bytes' } } } });
    await s.close();
  });

  it('stores nothing of a mutation that throws', async () => {
    const s = await kind.open();
    const store = await s.make();
    await store.mutate((db) => void db.accounts.push(account('Keep')));
    await expect(
      store.mutate((db) => {
        db.accounts[0]!.name = 'Changed';
        db.accounts.push(account('Half'));
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect((await store.read()).accounts.map((a) => a.name)).toEqual(['Keep']);
    await s.close();
  });

  it('never changes a snapshot once read', async () => {
    const s = await kind.open();
    const store = await s.make();
    await store.mutate((db) => void db.accounts.push(account('One')));
    const before = await store.read();
    const copy = JSON.stringify(before);
    await store.mutate((db) => {
      db.accounts[0]!.name = 'Renamed';
      db.accounts.push(account('Two'));
    });
    expect(JSON.stringify(before)).toBe(copy);
    expect((await store.read()).accounts.map((a) => a.name)).toEqual(['Renamed', 'Two']);
    await s.close();
  });

  it('deletes, and a filter that removes several records at once', async () => {
    const s = await kind.open();
    const store = await s.make();
    await store.mutate((db) => void db.accounts.push(account('A'), account('B'), account('C')));
    await store.mutate((db) => void (db.accounts = db.accounts.filter((a) => a.name === 'B')));
    expect((await store.read()).accounts.map((a) => a.name)).toEqual(['B']);
    await s.close();
  });

  it('holds thousands of records and writes only what changed', async () => {
    const s = await kind.open();
    const store = await s.make();
    const many = databaseWith(2000);
    await store.mutate((db) => void db.accounts.push(...many.accounts));
    await store.mutate((db) => void (db.accounts[1234]!.name = 'Moved'));
    const db = await store.read();
    expect(db.accounts).toHaveLength(2000);
    expect(db.accounts[1234]!.name).toBe('Moved');
    await s.close();
  });

  it.runIf(kind.shared)('two instances on the same data: each sees the other, and no update is lost', async () => {
    const s = await kind.open();
    const [one, two] = [await s.make(), await s.make()];
    const a = account('Shared');
    await one.mutate((db) => void db.accounts.push(a));
    expect((await two.read()).accounts.map((x) => x.id)).toContain(a.id);
    // 100 changes from each, interleaved: counters in the record's subscriptions list, and new records.
    const bump = (store: Store, tag: string, i: number) =>
      store.mutate((db: Database) => {
        const x = db.accounts.find((y) => y.id === a.id)!;
        if ('azure' in x) x.azure.subscriptions.push({ subscriptionId: `${tag}-${i}`, displayName: tag, state: 'Enabled', selected: false });
        db.audit.push({ id: randomUUID(), at: new Date().toISOString(), actor: { id: tag, via: 'system' }, operation: 'test', target: { type: 'account', id: a.id }, outcome: 'ok', details: {} });
      });
    await Promise.all(Array.from({ length: 100 }, (_, i) => [bump(one, 'one', i), bump(two, 'two', i)]).flat());
    for (const store of [one, two]) {
      const db = await store.read();
      const x = db.accounts.find((y) => y.id === a.id)!;
      expect('azure' in x && x.azure.subscriptions).toHaveLength(200);
      expect(db.audit).toHaveLength(200);
    }
    // A delete in one is seen by the other.
    await two.mutate((db) => void (db.accounts = db.accounts.filter((x) => x.id !== a.id)));
    expect((await one.read()).accounts.map((x) => x.id)).not.toContain(a.id);
    await s.close();
  });
});
