import { describe, expect, it } from 'vitest';
import { databaseWith } from '../../../bench/fixtures.js';
import { listAccounts } from '../../../src/engine/operations/accounts.js';
import { admin, member, memoryEngine } from '../../helpers/memory.js';

describe('list_accounts search', () => {
  it('matches names, summaries (AWS account id) and ids case-insensitively, over the cached sorted views', async () => {
    const e = await memoryEngine();
    const db = databaseWith(300);
    db.accounts[7]!.name = 'Prod EU';
    db.accounts[42]!.name = 'pre-PRODUCTION';
    await e.store.mutate((d) => void d.accounts.push(...db.accounts));

    const everything = await e.engine.run(listAccounts, admin, { limit: 10_000 });
    const again = await e.engine.run(listAccounts, admin, { limit: 10_000, search: '  ' });
    // No search (or only spaces): the shared array of the snapshot.
    expect(again.accounts).toBe(everything.accounts);

    const prod = await e.engine.run(listAccounts, member, { search: 'PROD' });
    expect(prod.accounts.map((a) => a.name)).toEqual(['pre-PRODUCTION', 'Prod EU']);
    expect(prod.total).toBe(2);
    // The summary carries the AWS account id; the id is searchable too.
    expect((await e.engine.run(listAccounts, admin, { search: '100000000123' })).accounts.map((a) => a.name)).toEqual(['Account 123']);
    const id = everything.accounts[5]!.id;
    expect((await e.engine.run(listAccounts, admin, { search: id.toUpperCase() })).accounts.map((a) => a.id)).toEqual([id]);
    // With the other filters and paging.
    const errors = await e.engine.run(listAccounts, admin, { search: 'account 1', status: 'error', limit: 2, offset: 1 });
    expect(errors.total).toBe(2); // Account 100 and 150 are in error and contain "account 1"
    expect(errors.accounts.map((a) => a.name)).toEqual(['Account 150']);
    // Paged past the end: said so, with what to do (not "2 accounts:" and nothing).
    expect(listAccounts.summarize(await e.engine.run(listAccounts, admin, { search: 'account 1', status: 'error', offset: 1000 }))).toBe('2 accounts match, none from offset 1000: use an offset below 2.');
    // A filter that matches nothing is not "nothing linked yet".
    const none = await e.engine.run(listAccounts, admin, { search: 'no such account' });
    expect(none).toMatchObject({ total: 0, linked: 300 });
    expect(listAccounts.summarize(none)).toBe('None of the 300 linked accounts match that provider, status or search. Try without a filter, or another search.');
    expect(listAccounts.summarize(await e.engine.run(listAccounts, admin, { provider: 'azure' }))).toMatch(/^None of the 300 linked accounts match/);
    expect(listAccounts.summarize(await (await memoryEngine()).engine.run(listAccounts, admin, {}))).toMatch(/^No accounts are linked yet\./);
    // A fraction where a count goes.
    await expect(e.engine.run(listAccounts, admin, { limit: 1.5 })).rejects.toMatchObject({ code: 'INVALID_INPUT', fields: { limit: 'must be a whole number' } });
    // The cached views are untouched by a search.
    expect((await e.engine.run(listAccounts, admin, { limit: 10_000 })).accounts).toBe(everything.accounts);
    expect(everything.accounts).toHaveLength(300);
  });
});
