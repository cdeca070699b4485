import { describe, expect, it } from 'vitest';
import { databaseWith } from '../../../bench/fixtures.js';
import { getAuditLog } from '../../../src/engine/operations/audit-log.js';
import { rejects } from '../../helpers/rejects.js';
import { listSetups } from '../../../src/engine/operations/list-setups.js';
import { renameAccount } from '../../../src/engine/operations/rename-account.js';
import { awsFamily } from '../../../src/engine/families/aws/index.js';
import { admin, memoryEngine } from '../../helpers/memory.js';

/** Every list pages the same way: limit, offset, and the total before them, so older records stay reachable. */
describe('paging the audit log and setups', () => {
  it('walks the whole audit log newest first, page by page, also for one account', async () => {
    const e = await memoryEngine();
    await e.store.mutate((d) => void d.accounts.push(...databaseWith(2).accounts));
    const [a, b] = (await e.store.read()).accounts;
    for (let i = 0; i < 7; i++) await e.engine.run(renameAccount, admin, { account: (i % 2 ? b : a)!.id, newName: `Name ${i}` });

    const first = await e.engine.run(getAuditLog, admin, { limit: 3 });
    expect(first.total).toBe(7);
    expect(first.entries.map((x) => x.details?.to)).toEqual(['Name 6', 'Name 5', 'Name 4']);
    const pages = [first];
    while (pages.at(-1)!.offset + 3 < 7) pages.push(await e.engine.run(getAuditLog, admin, { limit: 3, offset: pages.at(-1)!.offset + 3 }));
    expect(pages.flatMap((p) => p.entries.map((x) => x.details?.to))).toEqual(['Name 6', 'Name 5', 'Name 4', 'Name 3', 'Name 2', 'Name 1', 'Name 0']);

    const ofA = await e.engine.run(getAuditLog, admin, { account: a!.id, limit: 2, offset: 1 });
    expect(ofA.total).toBe(4);
    expect(ofA.entries.map((x) => x.details?.to)).toEqual(['Name 4', 'Name 2']);
    expect((await e.engine.run(getAuditLog, admin, { offset: 100 })).entries).toEqual([]);

    // An account that is not there: said so, not "no entries"; one that was is still found by its id.
    const unknown = await rejects(e.engine.run(getAuditLog, admin, { account: 'nope' }), 'NOT_FOUND');
    expect(unknown.message).toMatch(/No account is called "nope"[^]*a deleted account's entries are found by its id/);
    await e.store.mutate((d) => void (d.accounts = d.accounts.filter((x) => x.id !== a!.id)));
    expect((await e.engine.run(getAuditLog, admin, { account: a!.id })).total).toBe(4);
  });

  it('pages open setups, newest first', async () => {
    let t = Date.parse('2026-12-01T10:00:00Z');
    const e = await memoryEngine({ now: () => new Date((t += 1000)) });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(((await e.engine.run(awsFamily.start, admin, { kind: 'management' })) as { setupId: string }).setupId);
    const page = await e.engine.run(listSetups, admin, { limit: 2, offset: 2 });
    expect(page.total).toBe(5);
    expect(page.offset).toBe(2);
    expect(page.setups.map((s) => s.setupId)).toEqual([ids[2], ids[1]]);
  });
});
