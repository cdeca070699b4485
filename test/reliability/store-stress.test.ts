import { execFileSync, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudlinkError } from '../../src/engine/errors.js';
import { awsFamily } from '../../src/engine/families/aws/index.js';
import { completeAwsSetup } from '../../src/engine/families/aws-role/operations.js';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import { admin, deployStack } from '../helpers/engine.js';
import { stdioClient } from '../helpers/mcp.js';
import { slackHarness, text, type SlackHarness } from '../helpers/slack.js';

describe('200 concurrent mutations from both front ends', () => {
  // The whole service with Slack; the MCP server is another process on the same store file.
  let slack: SlackHarness;
  beforeAll(async () => {
    slack = await slackHarness();
  });
  afterAll(async () => {
    await slack.close();
  });

  it('loses no update: MCP (another process) and Slack rename at once', async () => {
    const h = slack.h;
    const ids: string[] = [];
    for (const [name, acct] of [['Alpha', '111111111111'], ['Beta', '222222222222']] as const) {
      const s = await h.engine.run(awsFamily.start, admin, { kind: 'management' });
      ids.push((await h.engine.run(completeAwsSetup, admin, { setupId: s.setupId, name, roleArn: deployStack(h.aws, s, acct) })).account.id);
    }
    const mcp = await stdioClient(h.env);
    try {
      const viaMcp = Array.from({ length: 100 }, (_, i) => mcp.client.callTool({ name: 'rename_account', arguments: { account: ids[0]!, newName: `Alpha ${i}` } }));
      const viaSlack = Array.from({ length: 100 }, (_, i) => slack.submit('U_ADMIN', 'rename_submit', { new_name: text(`Beta ${i}`) }, JSON.stringify({ accountId: ids[1] })));
      const [m, s] = await Promise.all([Promise.all(viaMcp), Promise.all(viaSlack)]);
      expect(m.filter((r) => r.isError)).toEqual([]);
      expect(s.every((r) => r.status === 200 && !r.json)).toBe(true);
    } finally {
      await mcp.close();
    }
    const db = JSON.parse(await readFile(h.storePath, 'utf8'));
    const renames = db.audit.filter((e: { operation: string }) => e.operation === 'rename_account');
    expect(renames.filter((e: { actor: { via: string } }) => e.actor.via === 'mcp')).toHaveLength(100);
    expect(renames.filter((e: { actor: { via: string } }) => e.actor.via === 'slack')).toHaveLength(100);
    expect(db.accounts).toHaveLength(2);
  });
});

describe('crashes and disks', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cloudlink-crash-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a writer killed with SIGKILL mid-write leaves a readable store holding every acknowledged write', async () => {
    const path = join(dir, 'killed.json');
    for (let round = 0; round < 3; round++) {
      let acknowledged = 0;
      const child = fork(new URL('../helpers/store-writer.ts', import.meta.url).pathname, [path, '100000', `round${round}`], { execArgv: ['--import', 'tsx'], stdio: 'pipe' });
      child.on('message', (m: { wrote?: number }) => {
        if (m.wrote) acknowledged = m.wrote;
      });
      await new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (acknowledged >= 20 + round * 15) {
            clearInterval(check);
            child.kill('SIGKILL');
            resolve();
          }
        }, 2);
      });
      await new Promise((r) => child.once('exit', r));
      const db = await new LowdbStore(path).read();
      const mine = db.audit.filter((e) => e.actor.id === `round${round}`).length;
      expect(mine).toBeGreaterThanOrEqual(acknowledged);
      expect(mine).toBeLessThanOrEqual(acknowledged + 1);
    }
    // The next process takes over the lock left behind (stale after 5 s) or finds it free, and writes.
    const next = new LowdbStore(path);
    await next.init();
    await next.mutate((db) => db.audit.push({ id: randomUUID(), at: new Date().toISOString(), actor: { id: 'after', via: 'system' }, operation: 'x', target: { type: 'account', id: 'x' }, outcome: 'ok', details: {} }));
  }, 60_000);

  // A small tmpfs makes a real full and read-only disk; where mounting is not allowed, an impossible
  // path is the failure that can still be produced.
  it('a full or read-only disk gives a clear error and keeps the data', async () => {
    const mnt = join(dir, 'tiny');
    let mounted = false;
    try {
      execFileSync('mkdir', ['-p', mnt]);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', mnt], { stdio: 'ignore' });
      mounted = true;
    } catch {
      mounted = false;
    }
    if (!mounted) {
      await writeFile(join(dir, 'a-file'), 'x');
      const e = await new LowdbStore(join(dir, 'a-file', 'db.json')).init().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(CloudlinkError);
      expect((e as CloudlinkError).code).toBe('STORE_WRITE_FAILED');
      return;
    }
    try {
      const path = join(mnt, 'cloudlink.json');
      const store = new LowdbStore(path);
      await store.init();
      const big = (id: string) => ({ id: randomUUID(), at: new Date().toISOString(), actor: { id, via: 'system' as const }, operation: 'x', target: { type: 'account' as const, id }, outcome: 'ok' as const, details: { pad: 'y'.repeat(100_000) } });
      await store.mutate((db) => db.audit.push(big('kept')));
      const before = await readFile(path, 'utf8');
      // Fill the disk, leaving less than one more copy of the store.
      try {
        await writeFile(join(mnt, 'filler'), Buffer.alloc(512 * 1024));
      } catch {
        /* filled up to the brim: that is the point */
      }
      const full = await store.mutate((db) => db.audit.push(big('lost'))).catch((x: unknown) => x);
      expect(full).toMatchObject({ code: 'STORE_WRITE_FAILED' });
      expect((full as Error).message).toMatch(/disk is full.*Nothing was changed/);
      expect(await readFile(path, 'utf8')).toBe(before);
      await rm(join(mnt, 'filler'), { force: true });

      execFileSync('mount', ['-o', 'remount,ro', mnt]);
      const ro = await store.mutate((db) => db.audit.push(big('lost'))).catch((x: unknown) => x);
      expect(ro).toBeInstanceOf(CloudlinkError);
      expect((ro as Error).message).toMatch(/read-only|could not (lock|save)/);
      expect(await readFile(path, 'utf8')).toBe(before);
    } finally {
      execFileSync('umount', ['-l', mnt], { stdio: 'ignore' });
    }
  });
});
