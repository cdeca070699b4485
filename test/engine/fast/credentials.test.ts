import { describe, expect, it } from 'vitest';
import { VendCache } from '../../../src/engine/credentials/cache.js';
import { sessionNameFor } from '../../../src/engine/credentials/vend.js';
import { awsFamily } from '../../../src/engine/families/aws/index.js';
import { completeAwsSetup } from '../../../src/engine/families/aws-role/operations.js';
import { admin, deployRole, memoryEngine } from '../../helpers/memory.js';

describe('the vended-credential cache', () => {
  it('hands out the same credentials while more than half their life is left, never past it, one fetch for callers at once', async () => {
    let now = 0;
    const cache = new VendCache<{ expiration: string; n: number }>(() => now);
    let fetches = 0;
    const fetch = async () => ({ n: ++fetches, expiration: new Date(now + 3_600_000).toISOString() });
    const [a, b] = await Promise.all([cache.get('k', fetch), cache.get('k', fetch)]);
    expect([a.value.n, b.value.n, fetches]).toEqual([1, 1, 1]);
    now = 29 * 60_000;
    expect(await cache.get('k', fetch)).toMatchObject({ value: { n: 1 }, hit: true });
    // Past half its life: a caller's SDK would soon refresh it, so a fresh one is fetched.
    now = 31 * 60_000;
    expect(await cache.get('k', fetch)).toMatchObject({ value: { n: 2 }, hit: false });
    // Other keys are other sessions.
    expect((await cache.get('other', fetch)).value.n).toBe(3);
  });

  it('never caches what arrives with too little life, nor a failure', async () => {
    let now = 0;
    const cache = new VendCache<{ expiration: string }>(() => now);
    let fetches = 0;
    const short = async () => (fetches++, { expiration: new Date(now + 4 * 60_000).toISOString() });
    await cache.get('k', short);
    await cache.get('k', short);
    expect(fetches).toBe(2);
    await expect(cache.get('x', async () => Promise.reject(new Error('denied')))).rejects.toThrow('denied');
    expect(cache.size).toBe(0);
  });

  it('keeps at most its bound, least recently used first out', async () => {
    const cache = new VendCache<{ expiration: string }>(() => 0, 2);
    const f = async () => ({ expiration: new Date(3_600_000).toISOString() });
    await cache.get('a', f);
    await cache.get('b', f);
    await cache.get('a', f);
    await cache.get('c', f);
    expect((await cache.get('a', f)).hit).toBe(true);
    expect((await cache.get('b', f)).hit).toBe(false);
  });

  it('makes session names AWS accepts from any actor id', () => {
    expect(sessionNameFor('cloudlink-{actor}', 'U0123ABCD')).toBe('cloudlink-U0123ABCD');
    expect(sessionNameFor('cloudlink-{actor}', 'ops bot (Claude)/prod')).toBe('cloudlink-ops-bot--Claude--prod');
    expect(sessionNameFor('{actor}', 'x')).toBe('cloudlink-x');
    expect(sessionNameFor('cloudlink-{actor}', 'a'.repeat(100))).toHaveLength(64);
  });
});

describe('get_aws_credentials', () => {
  it('assumes the role again once the cached session is past half its life, and separates sessions by what was asked', async () => {
    let now = Date.now();
    const e = await memoryEngine({ now: () => new Date(now) });
    const setup = await e.engine.run(awsFamily.start, admin, { kind: 'management' });
    const roleArn = deployRole(e.aws, setup, '123456789012');
    await e.engine.run(completeAwsSetup, admin, { setupId: setup.setupId, name: 'Payer', roleArn });
    const vend = (input: Record<string, unknown> = {}) => e.engine.run(e.engine.find('get_aws_credentials')!, admin, { account: 'Payer', ...input });
    const first = await vend();
    expect((await vend()).AccessKeyId).toBe(first.AccessKeyId);
    expect(e.aws.assumed).toHaveLength(1);
    expect(e.aws.assumed[0]).toMatchObject({ roleArn, externalId: setup.aws!.externalId, sessionName: 'cloudlink-U_ADMIN', durationSeconds: 3600 });
    await vend({ sessionName: 'terraform' });
    await vend({ durationSeconds: 900 });
    expect(e.aws.assumed).toHaveLength(3);
    // 40 minutes on, the hour-long session is past half its life.
    now += 40 * 60_000;
    expect((await vend()).AccessKeyId).not.toBe(first.AccessKeyId);
    expect(e.aws.assumed).toHaveLength(4);
    const audit = (await e.store.read()).audit.filter((x) => x.operation === 'get_aws_credentials');
    expect(audit.map((x) => x.details.cached)).toEqual([false, true, false, false, false]);
  });
});
