import { describe, expect, it } from 'vitest';
import { Database, emptyDatabase } from '../../../src/engine/domain/records.js';
import { listAzureSubscriptions, selectAzureSubscriptions } from '../../../src/engine/families/azure/operations.js';
import { mergeSubscriptions, nextTree } from '../../../src/engine/families/azure/subscriptions.js';
import { retryAfterMs } from '../../../src/providers/microsoft/sdk-gateway.js';
import { SecretBox } from '../../../src/engine/secrets.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { admin, memoryEngine } from '../../helpers/memory.js';

const TENANT = '00000000-0000-0000-0000-0000000000aa';
const CLIENT = '00000000-0000-0000-0000-0000000000bb';
const sub = (n: number, state = 'Enabled') => ({ subscriptionId: `00000000-0000-0000-0000-00000000000${n}`, displayName: `Sub ${n}`, state });

/** An Azure account as stores from before management groups kept it: `selected` only, no groups. */
function oldStore(sealed: { iv: string; tag: string; data: string; keyId: string }) {
  const at = '2026-01-01T00:00:00.000Z';
  return Database.parse({
    ...emptyDatabase(),
    accounts: [
      {
        id: 'acc-1',
        name: 'Old Azure',
        status: 'connected',
        createdBy: { id: 'U_ADMIN', via: 'slack' },
        createdAt: at,
        updatedAt: at,
        provider: 'azure',
        azure: {
          tenantId: TENANT,
          clientId: CLIENT,
          certificate: { pem: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n', thumbprint: 'ABCDEF0123', notBefore: at, notAfter: '2028-01-01T00:00:00.000Z', encryptedKey: sealed },
          subscriptions: [
            { ...sub(1), selected: true },
            { ...sub(2), selected: false },
            { ...sub(3), selected: true, missingSince: at },
          ],
        },
      },
    ],
  });
}

describe('Azure selection rules', () => {
  it('loads an account stored before management groups, and its first resync keeps what was chosen', async () => {
    // Sealed under the key the engine is given, as the service would have.
    const sealed = new SecretBox(Buffer.alloc(32, 3)).seal('-----BEGIN PRIVATE KEY-----\nthumbprint:ABCDEF0123\n-----END PRIVATE KEY-----\n');
    const e = await memoryEngine({ store: new MemoryStore(oldStore(sealed)), env: { CLOUDLINK_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64') } });
    const before = await e.engine.run(listAzureSubscriptions, admin, { account: 'Old Azure' });
    expect(before.subscriptions.map((s) => [s.displayName, s.selected, s.missing, s.throughGroup ?? false])).toEqual([
      ['Sub 1', true, false, false],
      ['Sub 2', false, false, false],
      ['Sub 3', true, true, false],
    ]);
    expect(before.managementGroup).toBeUndefined();
    expect(before.groups).toEqual([]);

    e.ms.apps.push({
      tenantId: TENANT,
      clientId: CLIENT,
      uploaded: new Set(['ABCDEF0123']),
      roles: [],
      subscriptions: [sub(1), sub(2), sub(4)],
      managementGroups: { root: { id: TENANT, displayName: 'Tenant Root Group' }, groups: [{ id: 'mg-a', displayName: 'A', parentId: TENANT }], parents: { [sub(1).subscriptionId]: 'mg-a', [sub(2).subscriptionId]: 'mg-a', [sub(4).subscriptionId]: 'mg-a' } },
    });
    const after = await e.engine.run(listAzureSubscriptions, admin, { account: 'Old Azure', refresh: true });
    expect(after.changes).toMatchObject({ added: [sub(4).subscriptionId], missing: [], moved: [], selected: [], deselected: [] });
    expect(after.subscriptions.map((s) => [s.displayName, s.selected, s.group?.displayName])).toEqual([
      ['Sub 1', true, 'A'],
      ['Sub 2', false, 'A'],
      ['Sub 3', true, undefined],
      ['Sub 4', false, 'A'],
    ]);
    // Choosing A whole: Sub 2 and Sub 4 join through it; Sub 1 stays chosen by hand.
    const chosen = await e.engine.run(selectAzureSubscriptions, admin, { account: 'Old Azure', groups: ['A'] });
    expect(chosen.added.sort()).toEqual([sub(2).subscriptionId, sub(4).subscriptionId]);
    const listed = await e.engine.run(listAzureSubscriptions, admin, { account: 'Old Azure', group: 'mg-a' });
    expect(listed.subscriptions.map((s) => [s.displayName, s.throughGroup ?? false])).toEqual([
      ['Sub 1', false],
      ['Sub 2', true],
      ['Sub 4', true],
    ]);
  });

  it('merges a resync: moves recorded, the hand-picked kept, vanished flagged, a returning one unflagged', () => {
    const now = new Date('2026-02-01T00:00:00Z');
    const tree = nextTree(undefined, { root: { id: 'root', displayName: 'Root' }, groups: [{ id: 'a', displayName: 'A', parentId: 'root' }, { id: 'b', displayName: 'B', parentId: 'root' }], subscriptions: [], calls: 1, throttled: 0 }, undefined, now);
    const previous = [
      { ...sub(1), selected: true, pinned: false, groupId: 'a' },
      { ...sub(2), selected: true, pinned: true, groupId: 'a' },
      { ...sub(3), selected: false, pinned: false, groupId: 'b' },
      { ...sub(5), selected: true, pinned: true, groupId: 'b', missingSince: '2026-01-15T00:00:00Z' },
    ];
    const discovery = { root: tree.root!, groups: tree.groups, subscriptions: [sub(1), sub(2), sub(3), sub(5)].map((s, i) => ({ ...s, parentId: ['b', 'b', 'a', 'b'][i]! })), calls: 1, throttled: 0 };
    const { subscriptions, changes } = mergeSubscriptions(previous, [sub(1), sub(2), sub(3), sub(5)], now, false, { discovery, tree, followed: ['a'] });
    expect(changes.moved.map((m) => [m.subscriptionId.slice(-1), m.from, m.to])).toEqual([
      ['1', 'a', 'b'],
      ['2', 'a', 'b'],
      ['3', 'b', 'a'],
    ]);
    expect(changes).toMatchObject({ back: [sub(5).subscriptionId], deselected: [sub(1).subscriptionId], selected: [sub(3).subscriptionId], missing: [] });
    expect(subscriptions.map((s) => [s.displayName, s.selected, s.groupId, s.movedFrom ?? null, s.missingSince ?? null])).toEqual([
      ['Sub 1', false, 'b', 'a', null],
      ['Sub 2', true, 'b', 'a', null],
      ['Sub 3', true, 'a', 'b', null],
      ['Sub 5', true, 'b', null, null],
    ]);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });
});
