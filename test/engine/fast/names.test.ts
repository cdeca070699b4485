import { describe, expect, it } from 'vitest';
import { AccountName } from '../../../src/engine/domain/records.js';
import { CloudlinkError } from '../../../src/engine/errors.js';
import { completeMicrosoftSetup } from '../../../src/engine/families/app-certificate/operations.js';
import { awsFamily } from '../../../src/engine/families/aws/index.js';
import { completeAwsSetup, watchSetup } from '../../../src/engine/families/aws-role/operations.js';
import { azureFamily } from '../../../src/engine/families/azure/index.js';
import { freeName, requireNameFree } from '../../../src/engine/lookup.js';
import { looksAlike, mixedScriptWord, skeleton } from '../../../src/engine/names.js';
import { listAccounts } from '../../../src/engine/operations/accounts.js';
import { renameAccount } from '../../../src/engine/operations/rename-account.js';
import type { Account, Database } from '../../../src/engine/domain/records.js';
import { admin, deployRole, memoryEngine } from '../../helpers/memory.js';

/** The issue's seven "Payer"s: one real, six that showed as "Payer" too. */
const LOOKALIKES = {
  cyrillicA: 'P\u0430yer',
  greekRho: '\u03A1ayer',
  fullwidth: '\uFF30\uFF41\uFF59\uFF45\uFF52',
  hangulFiller: 'Payer\u3164',
  choseongFiller: 'Payer\u115F',
  halfwidthFiller: 'Payer\uFFA0',
};

const issues = (name: string) => {
  const r = AccountName.safeParse(name);
  return r.success ? [] : r.error.issues.map((i) => i.message);
};

async function refusal(p: Promise<unknown>) {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(CloudlinkError);
  return e as CloudlinkError;
}

describe('account name rules', () => {
  it('normalises to NFKC before the other checks: fullwidth is ASCII, decomposed accents are composed', () => {
    expect(AccountName.parse(LOOKALIKES.fullwidth)).toBe('Payer');
    expect(AccountName.parse('\uFF21\uFF43\uFF43\uFF4F\uFF55\uFF4E\uFF54\u3000\uFF11')).toBe('Account 1');
    expect(AccountName.parse('Zu\u0308rich')).toBe('Z\u00FCrich');
    expect(AccountName.parse('\uFF76\uFF80\uFF76\uFF85')).toBe('\u30AB\u30BF\u30AB\u30CA');
  });

  it.each([
    ['U+3164', LOOKALIKES.hangulFiller],
    ['U+115F', LOOKALIKES.choseongFiller],
    ['U+FFA0', LOOKALIKES.halfwidthFiller],
    ['U+1160', 'Payer\u1160'],
    ['U+200B', 'Pay\u200Ber'],
    ['U+200D', 'Pay\u200Der'],
    ['U+200E', 'Payer\u200E'],
    ['U+2060', 'Pay\u2060er'],
    ['U+FEFF', '\uFEFFPayer'],
    ['U+00AD', 'Pay\u00ADer'],
    ['U+034F', 'Pay\u034Fer'],
    ['U+FE0F', 'Payer\uFE0F'],
    ['U+E0041', 'Payer\u{E0041}'],
  ])('refuses the invisible %s, naming it and saying what to do', (label, name) => {
    const [first] = issues(name);
    expect(first).toContain(`invisible character (${label})`);
    expect(first).toMatch(/delete it/);
  });

  it.each([
    [LOOKALIKES.cyrillicA, /mixes Latin and Cyrillic characters \(U\+0430 "\u0430" is Cyrillic\)/],
    [LOOKALIKES.greekRho, /mixes Latin and Greek characters \(U\+03A1 "\u03A1" is Greek\)/],
    ['Prod P\u0430yer', /the word "P\u0430yer" mixes Latin and Cyrillic/],
    ['abc\u0663', /mixes Latin and Arabic/],
  ])('refuses %j: one word mixes scripts', (name, message) => {
    expect(issues(name)).toEqual([expect.stringMatching(message)]);
  });

  it.each(['Payer', 'Produktion Z\u00FCrich (EU)', 'Tokyo \u6771\u4EAC', '\u041C\u043E\u0441\u043A\u0432\u0430-Z\u00FCrich', '\u6771\u4EAC\u30BF\u30EF\u30FC', '\u5927\u97D3\u6C11\u570B \uD55C\uAD6D', '\u0395\u03BB\u03BB\u03AC\u03B4\u03B1 2', 'R&D Sandbox 2', 'AWS 123456789012', '\u0420\u0430\u0443\u0435\u0433'])(
    'accepts %j: one script per word, digits and punctuation count as none',
    (name) => {
      expect(issues(name)).toEqual([]);
    },
  );

  it('computes the TR39 skeleton: confusable characters share one', () => {
    expect(skeleton('\u0420\u0430\u0443\u0435\u0433')).toBe('Payer');
    expect(skeleton(LOOKALIKES.greekRho)).toBe(skeleton('Payer'));
    expect(skeleton('Team')).toBe(skeleton('Tearn'));
    expect(skeleton('Payer\u3164')).toBe('Payer');
    expect(looksAlike('Billing', 'BiIling')).toBe(true);
    expect(looksAlike('TEAM', 'tearn')).toBe(true);
    expect(looksAlike('Payer', 'Payer (2)')).toBe(false);
    expect(looksAlike('Prod', 'Dev')).toBe(false);
    expect(mixedScriptWord('\u30AB\u30BF\u30AB\u30CA\u6F22\u5B57')).toBeUndefined();
  });
});

describe('a new name may not look like an existing one', () => {
  const account = (id: string, name: string) => ({ id, name }) as Account;
  const db = (...names: string[]) => ({ accounts: names.map((n, i) => account(`a${i}`, n)) }) as unknown as Database;

  it('refuses a look-alike with NAME_TAKEN, naming the account it looks like, on the given field', () => {
    const e = (() => {
      try {
        requireNameFree(db('Payer'), '\u0420\u0430\u0443\u0435\u0433', undefined, 'newName');
      } catch (x) {
        return x as CloudlinkError;
      }
    })();
    expect(e).toMatchObject({ code: 'NAME_TAKEN', details: { looksLike: { id: 'a0', name: 'Payer' } } });
    expect(e!.message).toBe('"\u0420\u0430\u0443\u0435\u0433" looks like the existing account "Payer"; choose a name that cannot be mistaken for it.');
    expect(e!.fields.newName).toMatch(/looks like the existing account "Payer"/);
  });

  it('sees look-alikes of names stored before these rules (fullwidth, invisible characters)', () => {
    expect(() => requireNameFree(db(LOOKALIKES.fullwidth), 'Payer')).toThrow(/looks like the existing account/);
    expect(() => requireNameFree(db(LOOKALIKES.hangulFiller), 'Payer')).toThrow(/looks like the existing account/);
  });

  it('lets an account keep a look-alike of its own name, and a default name steps past look-alikes', () => {
    expect(() => requireNameFree(db('Team'), 'Tearn', 'a0')).not.toThrow();
    expect(freeName(db('Team'), 'Tearn')).toBe('Tearn (2)');
  });
});

describe('look-alike names through the engine', () => {
  async function withPayer() {
    const m = await memoryEngine();
    const s = await m.engine.run(awsFamily.start, admin, { kind: 'management' });
    await m.engine.run(completeAwsSetup, admin, { setupId: s.setupId, name: 'Payer', roleArn: deployRole(m.aws, s, '111111111111') });
    return m;
  }

  it('rename_account refuses each of the issue\'s look-alikes and leaves the name as it was', async () => {
    const { engine, aws } = await withPayer();
    const s = await engine.run(awsFamily.start, admin, { kind: 'management' });
    await engine.run(completeAwsSetup, admin, { setupId: s.setupId, name: 'Billing', roleArn: deployRole(aws, s, '222222222222') });
    for (const [kind, name] of Object.entries(LOOKALIKES)) {
      const e = await refusal(engine.run(renameAccount, admin, { account: 'Billing', newName: name }));
      // Fullwidth is "Payer" once normalised; the others are refused for what they contain.
      expect([kind, e.code]).toEqual([kind, kind === 'fullwidth' ? 'NAME_TAKEN' : 'INVALID_INPUT']);
      expect(e.fields.newName).toBeDefined();
    }
    const cyrillic = await refusal(engine.run(renameAccount, admin, { account: 'Billing', newName: '\u0420\u0430\u0443\u0435\u0433' }));
    expect(cyrillic).toMatchObject({ code: 'NAME_TAKEN', fields: { newName: expect.stringMatching(/looks like the existing account "Payer"/) } });
    expect((await engine.run(listAccounts, admin, {})).accounts.map((a) => a.name).sort()).toEqual(['Billing', 'Payer']);
  });

  it('an account may be renamed to a look-alike of its own name', async () => {
    const { engine, aws } = await withPayer();
    const s = await engine.run(awsFamily.start, admin, { kind: 'management' });
    await engine.run(completeAwsSetup, admin, { setupId: s.setupId, name: 'Team', roleArn: deployRole(aws, s, '222222222222') });
    await expect(engine.run(renameAccount, admin, { account: 'Team', newName: 'Tearn' })).resolves.toMatchObject({ changed: true, account: { name: 'Tearn' } });
  });

  it('setups refuse a look-alike name when they start and when they complete, before any cloud call', async () => {
    const { engine, aws } = await withPayer();
    const started = await refusal(engine.run(awsFamily.start, admin, { kind: 'management', name: '\u0420\u0430\u0443\u0435\u0433' }));
    expect(started).toMatchObject({ code: 'NAME_TAKEN', fields: { name: expect.stringMatching(/"Payer"/) } });
    const s = await engine.run(awsFamily.start, admin, { kind: 'management' });
    const calls = aws.calls.length;
    const completed = await refusal(engine.precheck(completeAwsSetup, admin, { setupId: s.setupId, name: '\u0420\u0430\u0443\u0435\u0433', roleArn: deployRole(aws, s, '222222222222') }));
    expect(completed.code).toBe('NAME_TAKEN');
    expect(aws.calls.length).toBe(calls);
    expect((await refusal(engine.run(watchSetup, admin, { setupId: s.setupId, accountId: '222222222222', name: '\u0420\u0430\u0443\u0435\u0433' }))).code).toBe('NAME_TAKEN');
    const az = await refusal(engine.run(azureFamily.start, admin, { tenantId: '00000000-0000-0000-0000-000000000001', clientId: '00000000-0000-0000-0000-000000000002', name: '\u0420\u0430\u0443\u0435\u0433' }));
    expect(az.code).toBe('NAME_TAKEN');
  });

  it('a Microsoft completion refuses a name that became a look-alike after the setup started', async () => {
    const { engine } = await withPayer();
    const started = await engine.run(azureFamily.start, admin, { tenantId: '00000000-0000-0000-0000-000000000001', clientId: '00000000-0000-0000-0000-000000000002', name: 'Tearn' });
    await engine.run(renameAccount, admin, { account: 'Payer', newName: 'Team' });
    const e = await refusal(engine.run(completeMicrosoftSetup, admin, { setupId: started.setupId }));
    expect(e).toMatchObject({ code: 'NAME_TAKEN', message: expect.stringMatching(/"Tearn" looks like the existing account "Team"/) });
  });

  it('the watcher links a setup whose name became a look-alike under the next free name', async () => {
    const { engine, aws } = await withPayer();
    const s = await engine.run(awsFamily.start, admin, { kind: 'management', name: 'Tearn' });
    await engine.run(watchSetup, admin, { setupId: s.setupId, accountId: '222222222222' });
    await engine.run(renameAccount, admin, { account: 'Payer', newName: 'Team' });
    deployRole(aws, s, '222222222222');
    expect(await engine.jobs.watcher.tick()).toEqual([s.setupId]);
    expect((await engine.run(listAccounts, admin, {})).accounts.map((a) => a.name).sort()).toEqual(['Team', 'Tearn (2)']);
  });
});
