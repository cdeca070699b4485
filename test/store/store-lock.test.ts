import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { StoreLock } from '../../src/store/store-lock.js';
import { deadHolder } from '../helpers/lock-holder.js';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudlink-lock-'));
  file = join(dir, 'cloudlink.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Internals = { inspect(): Promise<{ state: string }>; takeOver(): Promise<boolean> };

describe('StoreLock', () => {
  it('records who holds it inside the lock folder, and removes the record with the folder', async () => {
    const lock = new StoreLock(file, 60_000);
    const seen = await lock.run(async () => JSON.parse(await readFile(join(`${file}.lock`, 'owner'), 'utf8')));
    expect(seen).toMatchObject({ v: 1, pid: process.pid, host: expect.any(String), nonce: expect.any(String) });
    if (existsSync('/proc/self/stat')) expect(seen.start).toMatch(/^\d+$/);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('a waiter that judged a lock dead leaves alone the live lock another waiter took over meanwhile', async () => {
    await deadHolder(file);
    const first = new StoreLock(file, 60_000);
    const second = new StoreLock(file, 60_000);
    const late = second as unknown as Internals;
    // Both see the dead holder's lock; the first takes it over, the second acts on what it saw.
    expect((await late.inspect()).state).toBe('dead');
    await first.run(async () => {
      const mine = await readFile(join(`${file}.lock`, 'owner'), 'utf8');
      expect(JSON.parse(mine).pid).toBe(process.pid);
      expect(await late.takeOver()).toBe(false);
      expect(await readFile(join(`${file}.lock`, 'owner'), 'utf8')).toBe(mine);
    });
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});

describe('CLOUDLINK_STORE_STALE_LOCK_SECONDS', () => {
  it('defaults to 5 s and is validated', () => {
    expect(loadConfig({}).CLOUDLINK_STORE_STALE_LOCK_SECONDS).toBe(5);
    expect(loadConfig({ CLOUDLINK_STORE_STALE_LOCK_SECONDS: '60' }).CLOUDLINK_STORE_STALE_LOCK_SECONDS).toBe(60);
    expect(() => loadConfig({ CLOUDLINK_STORE_STALE_LOCK_SECONDS: '1' })).toThrow(/CLOUDLINK_STORE_STALE_LOCK_SECONDS/);
    expect(() => loadConfig({ CLOUDLINK_STORE_STALE_LOCK_SECONDS: 'soon' })).toThrow(/CLOUDLINK_STORE_STALE_LOCK_SECONDS/);
  });
});
