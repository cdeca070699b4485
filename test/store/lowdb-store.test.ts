import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloudlinkError } from '../../src/engine/errors.js';
import { SCHEMA_VERSION } from '../../src/engine/domain/records.js';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import { deadHolder, holdLock } from '../helpers/lock-holder.js';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudlink-store-'));
  path = join(dir, 'nested', 'cloudlink.json');
});
afterEach(async () => {
  await chmod(dir, 0o700).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

const entry = (id: string) => ({ id: randomUUID(), at: new Date().toISOString(), actor: { id: 'test', via: 'system' as const }, operation: 'test.write', target: { type: 'account' as const, id }, outcome: 'ok' as const, details: {} });
const writer = (label: string, count: number, staleMs?: number) =>
  new Promise<void>((resolve, reject) => {
    const child = fork(new URL('../helpers/store-writer.ts', import.meta.url).pathname, [path, String(count), label, ...(staleMs ? [String(staleMs)] : [])], { execArgv: ['--import', 'tsx'], stdio: 'pipe' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${label} exited ${code}`))));
  });

describe('LowdbStore', () => {
  it('says in words why its folder cannot be made, and what to do', async () => {
    await writeFile(join(dir, 'plain-file'), 'not a folder');
    const store = new LowdbStore(join(dir, 'plain-file', 'sub', 'cloudlink.json'));
    const e = await store.init().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CloudlinkError);
    expect((e as CloudlinkError).message).toMatch(/cannot create the folder for its store .* \(a part of the path is a file, not a folder\)\. Choose another CLOUDLINK_STORE_PATH\./);
  });

  it('reads a file another process changed once for all the reads that arrive together: one snapshot', async () => {
    const reader = new LowdbStore(path);
    const writer = new LowdbStore(path);
    await reader.init();
    await writer.init();
    const before = await reader.read();
    await writer.mutate((db) => db.audit.push(entry('changed')));
    const all = await Promise.all(Array.from({ length: 10 }, () => reader.read()));
    expect(all[0]).not.toBe(before);
    expect(all[0]!.audit.map((x) => x.target.id)).toEqual(['changed']);
    for (const db of all) expect(db).toBe(all[0]);
    // And the next read, with nothing changed, is that snapshot too.
    expect(await reader.read()).toBe(all[0]);
  });

  it('creates its folder and an empty, versioned file with owner-only permissions', async () => {
    const store = new LowdbStore(path);
    await store.init();
    const raw = JSON.parse(await readFile(path, 'utf8'));
    expect(raw).toMatchObject({ schemaVersion: SCHEMA_VERSION, accounts: [], audit: [] });
    await store.mutate((db) => db.audit.push(entry('x')));
    const { stat } = await import('node:fs/promises');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('leaves nothing behind when a mutation throws', async () => {
    const store = new LowdbStore(path);
    await store.init();
    await store.mutate((db) => db.audit.push(entry('kept')));
    await expect(
      store.mutate((db) => {
        db.audit.push(entry('half'));
        throw new Error('rule broken halfway');
      }),
    ).rejects.toThrow('rule broken halfway');
    const db = await new LowdbStore(path).read();
    expect(db.audit.map((e) => e.target.id)).toEqual(['kept']);
  });

  it('answers a corrupt file with a clear error and never overwrites it', async () => {
    const store = new LowdbStore(path);
    await store.init();
    const garbage = '{"schemaVersion": 2, "accounts": [ {"id": "trunc';
    await writeFile(path, garbage);
    const fresh = new LowdbStore(path);
    const e = await fresh.init().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CloudlinkError);
    expect((e as CloudlinkError).code).toBe('STORE_CORRUPT');
    expect((e as CloudlinkError).message).toMatch(/not valid JSON.*left it untouched/);
    await expect(fresh.mutate((db) => db.audit.push(entry('x')))).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
    expect(await readFile(path, 'utf8')).toBe(garbage);
  });

  it('refuses a file that is JSON but not a cloudlink database, untouched', async () => {
    const store = new LowdbStore(path);
    await store.init();
    await writeFile(path, JSON.stringify({ schemaVersion: 2, accounts: 'nope', setups: [], invites: [], audit: [] }));
    await expect(new LowdbStore(path).read()).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
    await writeFile(path, JSON.stringify({ schemaVersion: 99 }));
    await expect(new LowdbStore(path).read()).rejects.toThrow(/newer cloudlink/);
  });

  it('survives a crash between writing the temp file and the rename', async () => {
    const store = new LowdbStore(path);
    await store.init();
    await store.mutate((db) => db.audit.push(entry('committed')));
    const before = await readFile(path, 'utf8');
    // What a writer killed after writing its temp file (and before renaming it) leaves behind.
    const tmp = join(dir, 'nested', `.cloudlink.json.4242.deadbeef.tmp`);
    await writeFile(tmp, before.slice(0, before.length / 2));
    const { utimes } = await import('node:fs/promises');
    await utimes(tmp, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    const reopened = new LowdbStore(path);
    await reopened.init();
    expect((await reopened.read()).audit.map((e) => e.target.id)).toEqual(['committed']);
    expect((await readdir(join(dir, 'nested'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await reopened.mutate((db) => db.audit.push(entry('after')));
    expect((await new LowdbStore(path).read()).audit).toHaveLength(2);
  });

  it('migrates a version 1 file', async () => {
    await new LowdbStore(path).init();
    await writeFile(
      path,
      JSON.stringify({
        accounts: [{ id: 'a1', name: 'Old', provider: 'aws', status: 'connected', createdBy: { id: 'u', via: 'slack' }, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', aws: { kind: 'management', accountId: '111111111111', roleArn: 'arn:aws:iam::111111111111:role/r', partition: 'aws', externalID: 'cl-old', templateVersion: '0.9' } }],
        setups: [],
      }),
    );
    const db = await new LowdbStore(path).read();
    expect(db.schemaVersion).toBe(SCHEMA_VERSION);
    expect(db.accounts[0]).toMatchObject({ name: 'Old', aws: { externalId: 'cl-old' } });
    expect(db.invites).toEqual([]);
  });

  it('writes an older file back in the current version on its first change', async () => {
    await new LowdbStore(path).init();
    for (const old of [{ accounts: [], setups: [] }, { schemaVersion: 2, accounts: [], setups: [], invites: [], audit: [] }]) {
      await writeFile(path, JSON.stringify(old));
      const store = new LowdbStore(path);
      // Each collection the older version lacked is pushed onto: the draft must hold the migrated data.
      let draftCollections: boolean[] = [];
      await store.mutate((db) => {
        draftCollections = [db.invites, db.outbox, db.organizations, db.viewers, db.webhooks].map(Array.isArray);
        db.audit.push(entry('first'));
      });
      expect(draftCollections).toEqual([true, true, true, true, true]);
      const written = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
      expect(written.schemaVersion).toBe(SCHEMA_VERSION);
      for (const c of ['accounts', 'setups', 'invites', 'audit', 'outbox', 'organizations', 'viewers', 'webhooks']) expect(Array.isArray(written[c]), c).toBe(true);
      expect((written.audit as { target: { id: string } }[]).map((e) => e.target.id)).toEqual(['first']);
    }
  });

  it('refuses a JSON file that is not a cloudlink database (a package.json named by mistake), and never writes over it', async () => {
    await new LowdbStore(path).init();
    for (const other of ['{"name":"my-app","version":"1.0.0"}', '{"accounts":"zzz"}', '{"schemaVersion":"three","accounts":[]}']) {
      await writeFile(path, other);
      const store = new LowdbStore(path);
      await expect(store.read()).rejects.toThrow(/does not hold a cloudlink database \(.+\)\. Nothing was read from it or written to it/);
      await expect(store.mutate((db) => db.audit.push(entry('x')))).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
      expect(await readFile(path, 'utf8')).toBe(other);
    }
  });

  it('loses no update when two processes and this one write at once', async () => {
    const store = new LowdbStore(path);
    await store.init();
    const local = Promise.all(Array.from({ length: 40 }, (_, i) => store.mutate((db) => db.audit.push(entry(`local-${i}`)))));
    await Promise.all([writer('a', 40), writer('b', 40), local]);
    const db = await new LowdbStore(path).read();
    expect(db.audit).toHaveLength(120);
    expect(new Set(db.audit.map((e) => e.target.id)).size).toBe(120);
  });

  it('says clearly when the disk refuses the write, and keeps the data', async () => {
    if (process.getuid?.() === 0) {
      // root ignores file permissions; use a path under a regular file, which no user can create.
      const blocker = join(dir, 'file');
      await writeFile(blocker, 'x');
      const e = await new LowdbStore(join(blocker, 'db.json')).init().catch((x: unknown) => x);
      expect(e).toMatchObject({ code: 'STORE_WRITE_FAILED' });
      expect((e as Error).message).toMatch(/Choose another CLOUDLINK_STORE_PATH|could not/);
      return;
    }
    const store = new LowdbStore(path);
    await store.init();
    await store.mutate((db) => db.audit.push(entry('kept')));
    await chmod(join(dir, 'nested'), 0o500);
    await expect(store.mutate((db) => db.audit.push(entry('lost')))).rejects.toMatchObject({ code: 'STORE_WRITE_FAILED' });
    expect((await new LowdbStore(path).read()).audit).toHaveLength(1);
  });
});

/** Slack wants an answer within 3 s: the outcome of `work` if it comes by then, else 'still waiting'. */
async function withinSlackWindow<T>(work: Promise<T>): Promise<T | 'still waiting'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'still waiting'>((r) => (timer = setTimeout(() => r('still waiting'), 3_000)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
    await work.catch(() => undefined); // never leave it running past the test
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('LowdbStore: a lock holder that dies', () => {
  // A minute's stale bound: only recognising the dead holder can explain a quick takeover.
  const MINUTE = 60_000;
  const lockDir = () => `${path}.lock`;
  const ids = async () => (await new LowdbStore(path).read()).audit.map((e) => e.target.id);
  const writeAfter = (store: LowdbStore) =>
    store.mutate((db) => {
      db.audit.push(entry('after'));
      return 'written' as const;
    });

  it('takes over at once the lock of a holder killed with SIGKILL, long before it is stale', async () => {
    const store = new LowdbStore(path, { staleMs: MINUTE });
    await store.init();
    await store.mutate((db) => db.audit.push(entry('before')));
    await deadHolder(path);
    // What kill -9 leaves: the lock folder, which would stay fresh-looking for a minute.
    expect(existsSync(lockDir())).toBe(true);
    expect(await withinSlackWindow(writeAfter(store))).toBe('written');
    // The dead holder's half-done mutation never landed; everything committed is there.
    expect(await ids()).toEqual(['before', 'after']);
    expect(existsSync(lockDir())).toBe(false);
  });

  it('waits for a live holder, and goes on as soon as it is killed', async () => {
    const store = new LowdbStore(path, { staleMs: MINUTE });
    await store.init();
    const holder = await holdLock(path);
    const write = writeAfter(store);
    expect(await Promise.race([write, sleep(1_000).then(() => 'still waiting')])).toBe('still waiting');
    expect(JSON.parse(await readFile(join(lockDir(), 'owner'), 'utf8'))).toMatchObject({ pid: holder.pid });
    await holder.kill();
    expect(await withinSlackWindow(write)).toBe('written');
    expect(await ids()).toEqual(['after']);
  });

  it.runIf(existsSync('/proc/self/stat'))('recognises a dead holder whose pid now names another process', async () => {
    const store = new LowdbStore(path, { staleMs: MINUTE });
    await store.init();
    await deadHolder(path);
    const ownerFile = join(lockDir(), 'owner');
    const owner = JSON.parse(await readFile(ownerFile, 'utf8'));
    // The pid is alive (it is this process now) but did not start when the holder did: pid reuse.
    await writeFile(ownerFile, JSON.stringify({ ...owner, pid: process.pid }));
    expect(await withinSlackWindow(writeAfter(store))).toBe('written');
    expect(await ids()).toEqual(['after']);
  });

  it.each(['no owner record yet', 'an owner on another host'])('takes over a lock with %s only once it is stale', async (kind) => {
    const store = new LowdbStore(path, { staleMs: 2_000 });
    await store.init();
    if (kind === 'no owner record yet') {
      // What a holder between mkdir and writing its record looks like (or one killed right there).
      await mkdir(lockDir());
    } else {
      await deadHolder(path);
      const ownerFile = join(lockDir(), 'owner');
      await writeFile(ownerFile, JSON.stringify({ ...JSON.parse(await readFile(ownerFile, 'utf8')), host: 'another-host.example' }));
    }
    const refreshedAt = (await stat(lockDir())).mtimeMs;
    expect(await writeAfter(store)).toBe('written');
    expect(Date.now() - refreshedAt).toBeGreaterThanOrEqual(1_900);
    expect(await ids()).toEqual(['after']);
  });

  it('lets exactly one of many racing waiters take over a dead lock: no lost update', async () => {
    const store = new LowdbStore(path, { staleMs: MINUTE });
    await store.init();
    const holder = await holdLock(path);
    // Two other processes and six stores in this one, all queued behind the holder when it dies.
    const children = [writer('a', 20, MINUTE), writer('b', 20, MINUTE)];
    const stores = Array.from({ length: 6 }, () => new LowdbStore(path, { staleMs: MINUTE }));
    const local = stores.flatMap((s, i) => Array.from({ length: 5 }, (_, j) => s.mutate((db) => db.audit.push(entry(`local-${i}-${j}`)))));
    await sleep(1_000);
    await holder.kill();
    await Promise.all([...children, ...local]);
    const all = await ids();
    expect(all).toHaveLength(70);
    expect(new Set(all).size).toBe(70);
    expect(existsSync(lockDir())).toBe(false);
  });
});
