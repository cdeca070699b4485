import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databaseWith } from '../../bench/fixtures.js';
import { slackHarness, text, type SlackHarness } from '../helpers/slack.js';

/** `/cloud list` and App Home at 5,000 accounts: search and paging within Slack's limits, each view paging through everything itself. */

type Block = { type: string; block_id?: string; text?: { text: string }; elements?: { text?: string; action_id?: string; value?: string }[] };

let s: SlackHarness;
beforeEach(async () => {
  s = await slackHarness();
  // 5,000 AWS accounts; 500 are "prod-eu …", and 50 of those in error are "Prod-broken …" (the search is case-insensitive).
  const db = databaseWith(5000);
  db.accounts.forEach((a, i) => {
    if (i % 100 === 0) a.name = `Prod-broken ${i}`;
    else if (i % 10 === 3) a.name = `prod-eu ${i}`;
  });
  await s.h.store.mutate((d) => void d.accounts.push(...db.accounts));
});
afterEach(async () => {
  await s.close();
});

const sectionsOf = (blocks: Block[]) => blocks.filter((b) => b.type === 'section').map((b) => b.text!.text);
const noteOf = (blocks: Block[]) => blocks.filter((b) => b.type === 'context').map((b) => b.elements![0]!.text!).find((t) => t.startsWith('Showing'))!;
const buttonsOf = (blocks: Block[], blockId: string) => blocks.find((b) => b.block_id === blockId)?.elements ?? [];
/** The account lines of a /cloud list message (an error line carries its message on the next line). */
const listLines = (blocks: Block[]) => sectionsOf(blocks).flatMap((t) => t.split('\n')).filter((l) => /^:(large_green_circle|red_circle): \*/.test(l));

function withinMessageLimits(blocks: Block[]) {
  expect(blocks.length).toBeLessThanOrEqual(50);
  for (const t of sectionsOf(blocks)) expect(t.length).toBeLessThanOrEqual(3000);
}

describe('/cloud list [search words]', () => {
  it('shows only matching accounts, problems first, and pages with Next in place', async () => {
    await s.command('U_MEMBER', 'list prod');
    const first = s.slack.responses.at(-1)!.body;
    expect(first.response_type).toBe('ephemeral');
    withinMessageLimits(first.blocks);
    expect(noteOf(first.blocks)).toBe('Showing 1–40 of 550 accounts (matching "prod").');
    const lines = listLines(first.blocks);
    expect(lines).toHaveLength(40);
    for (const l of lines) expect(l).toMatch(/^:red_circle: \*Prod-broken \d+\*/);
    expect(sectionsOf(first.blocks)[0]).toMatch(/^\*:warning: Configuration errors\* \(50\)/);
    expect(buttonsOf(first.blocks, 'list_pages').map((b) => b.action_id)).toEqual(['list_page:next']);

    // Next: the same message is replaced (response_url, replace_original) by the next range.
    const next = buttonsOf(first.blocks, 'list_pages')[0]!;
    const before = s.slack.responses.length;
    await s.action('U_MEMBER', { type: 'button', action_id: next.action_id, value: next.value });
    expect(s.slack.responses).toHaveLength(before + 1);
    const second = s.slack.responses.at(-1)!;
    expect(second.path).toMatch(/^\/response\/a\d+$/);
    expect(second.body.replace_original).toBe(true);
    withinMessageLimits(second.body.blocks);
    expect(noteOf(second.body.blocks)).toBe('Showing 41–80 of 550 accounts (matching "prod").');
    const lines2 = listLines(second.body.blocks);
    expect(lines2).toHaveLength(40);
    expect(lines2.slice(0, 10).every((l) => /Prod-broken/.test(l))).toBe(true);
    expect(lines2.slice(10).every((l) => /^:large_green_circle: \*prod-eu \d+\*/.test(l))).toBe(true);
    // The error group goes on from page 1, the AWS group starts here; neither sends you to another view.
    const texts = sectionsOf(second.body.blocks).join('\n');
    expect(texts).toMatch(/Configuration errors\* \(50, continued\)/);
    expect(texts).toMatch(/\*AWS\* \(500\)/);
    expect(JSON.stringify(second.body.blocks)).not.toMatch(/App Home/);
    expect(buttonsOf(second.body.blocks, 'list_pages').map((b) => b.action_id)).toEqual(['list_page:prev', 'list_page:next']);

    // Previous goes back to the first range.
    const prev = buttonsOf(second.body.blocks, 'list_pages')[0]!;
    await s.action('U_MEMBER', { type: 'button', action_id: prev.action_id, value: prev.value });
    expect(noteOf(s.slack.responses.at(-1)!.body.blocks)).toBe('Showing 1–40 of 550 accounts (matching "prod").');
  });

  it('pages through every account to the last one, and finds one by its AWS account id', async () => {
    await s.command('U_ADMIN', 'list');
    let page = s.slack.responses.at(-1)!.body;
    const seen = new Set<string>();
    for (let i = 0; ; i++) {
      withinMessageLimits(page.blocks);
      for (const l of listLines(page.blocks)) seen.add(/\*([^*]+)\*/.exec(l)![1]!);
      const next = buttonsOf(page.blocks, 'list_pages').find((b) => b.action_id === 'list_page:next');
      if (!next) break;
      expect(i).toBeLessThan(200);
      await s.action('U_ADMIN', { type: 'button', action_id: next.action_id, value: next.value });
      page = s.slack.responses.at(-1)!.body;
    }
    expect(noteOf(page.blocks)).toBe('Showing 4,961–5,000 of 5,000 accounts.');
    expect(seen.size).toBe(5000);

    await s.command('U_ADMIN', 'list 100000004321');
    const one = s.slack.responses.at(-1)!.body;
    expect(noteOf(one.blocks)).toBe('Showing 1–1 of 1 account (matching "100000004321").');
    expect(listLines(one.blocks)[0]).toMatch(/\*Account 4321\*  AWS 100000004321/);
    expect(buttonsOf(one.blocks, 'list_pages')).toEqual([]);

    await s.command('U_ADMIN', 'list <nothing & such>');
    const none = s.slack.responses.at(-1)!.body;
    expect(sectionsOf(none.blocks)[0]).toContain('No account matches "&lt;nothing &amp; such&gt;"');
  });
});

describe('App Home search and paging', () => {
  const home = (user = 'U_ADMIN') => s.slack.of('views.publish').filter((c) => c.args.user_id === user).at(-1)!.args.view as { type: string; blocks: Block[] };
  const names = (blocks: Block[]) => blocks.filter((b) => b.block_id?.startsWith('account:')).map((b) => /\*([^*]+)\*/.exec(b.text!.text)![1]!);

  it('pages at 5,000 accounts within 100 blocks, searches, and keeps each person their own search and page', async () => {
    await s.event({ type: 'app_home_opened', user: 'U_ADMIN', channel: 'D1', tab: 'home' });
    let view = home();
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(noteOf(view.blocks)).toBe('Showing 1–50 of 5,000 accounts.');
    expect(names(view.blocks)).toHaveLength(50);
    expect(JSON.stringify(view)).not.toMatch(/\/cloud list/);
    expect(buttonsOf(view.blocks, 'home_actions').map((b) => b.action_id)).toContain('home_search');

    const next = buttonsOf(view.blocks, 'home_pages').find((b) => b.action_id === 'home_page:next')!;
    await s.action('U_ADMIN', { type: 'button', action_id: next.action_id, value: next.value });
    view = home();
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(noteOf(view.blocks)).toBe('Showing 51–100 of 5,000 accounts.');
    expect(buttonsOf(view.blocks, 'home_pages').map((b) => b.action_id)).toEqual(['home_page:prev', 'home_page:next']);

    // Search: a small modal; submitting it shows the first page of what matches.
    await s.action('U_ADMIN', { type: 'button', action_id: 'home_search' });
    const form = s.slack.of('views.open').at(-1)!.args.view;
    expect(form.callback_id).toBe('home_search_submit');
    const submitted = await s.submit('U_ADMIN', 'home_search_submit', { search: text('PROD') });
    expect(submitted.status).toBe(200);
    view = home();
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(noteOf(view.blocks)).toBe('Showing 1–50 of 550 accounts (matching "PROD").');
    for (const n of names(view.blocks)) expect(n).toMatch(/prod/i);
    const searchNext = buttonsOf(view.blocks, 'home_pages').find((b) => b.action_id === 'home_page:next')!;
    await s.action('U_ADMIN', { type: 'button', action_id: searchNext.action_id, value: searchNext.value });
    expect(noteOf(home().blocks)).toBe('Showing 51–100 of 550 accounts (matching "PROD").');

    // Someone else's home is their own: every account, from the start.
    await s.event({ type: 'app_home_opened', user: 'U_MEMBER', channel: 'D2', tab: 'home' });
    expect(noteOf(home('U_MEMBER').blocks)).toBe('Showing 1–50 of 5,000 accounts.');
    // A refresh (or any change) republishes each home with its own search and page.
    await s.action('U_ADMIN', { type: 'button', action_id: 'home_refresh' });
    expect(noteOf(home().blocks)).toBe('Showing 51–100 of 550 accounts (matching "PROD").');
    // The search modal opens with the current search filled in.
    await s.action('U_ADMIN', { type: 'button', action_id: 'home_search' });
    expect(JSON.stringify(s.slack.of('views.open').at(-1)!.args.view)).toContain('"initial_value":"PROD"');

    await s.action('U_ADMIN', { type: 'button', action_id: 'home_search_clear' });
    view = home();
    expect(noteOf(view.blocks)).toBe('Showing 1–50 of 5,000 accounts.');
    expect(buttonsOf(view.blocks, 'home_actions').map((b) => b.action_id)).not.toContain('home_search_clear');

    // A search that matches nothing says so, with the way back.
    await s.submit('U_ADMIN', 'home_search_submit', { search: text('<zz&>') });
    view = home();
    expect(JSON.stringify(view.blocks)).toContain('No account matches \\"&lt;zz&amp;&gt;\\"');
    expect(buttonsOf(view.blocks, 'home_actions').map((b) => b.action_id)).toContain('home_search_clear');
  });
});
