import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloudlinkError } from '../../src/engine/errors.js';
import { SCHEMA_VERSION } from '../../src/engine/domain/records.js';
import { LowdbStore } from '../../src/store/lowdb-store.js';

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
const writer = (label: string, count: number) =>
  new Promise<void>((resolve, reject) => {
    const child = fork(new URL('../helpers/store-writer.ts', import.meta.url).pathname, [path, String(count), label], { execArgv: ['--import', 'tsx'], stdio: 'pipe' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${label} exited ${code}`))));
  });

describe('LowdbStore', () => {
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
