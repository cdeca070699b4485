import { afterEach, describe, expect, it } from 'vitest';
import type { Service } from '../../src/compose.js';
import { inviteColleague } from '../../src/engine/operations/invites.js';
import { silentLogger } from '../../src/log.js';
import { contrastOf, launchBrowser, seeText, seeVisible } from '../helpers/browser.js';
import { admin, deployStack, serviceHarness, type Harness } from '../helpers/engine.js';
import { smtpCatcher } from '../helpers/smtp.js';

/**
 * The invite pages and the console in a real browser: Debian's Chromium through Playwright, against the
 * whole service (`npm start`'s composition) with the wire-level AWS fake and a real SMTP server that
 * catches the e-mail whose link the browser follows.
 */

type Browser = Awaited<ReturnType<typeof launchBrowser>>;
let h: (Harness & { service: Service }) | undefined;
let smtp: Awaited<ReturnType<typeof smtpCatcher>> | undefined;
const browsers: Browser[] = [];
afterEach(async () => {
  for (const b of browsers.splice(0)) await b.close();
  await h?.close();
  await smtp?.close();
  h = smtp = undefined;
});

async function start(env: Record<string, string> = {}) {
  smtp = await smtpCatcher();
  let skew = 0;
  h = await serviceHarness({ env: { CLOUDLINK_INVITE_PORT: '0', ...smtp.env(), ...env }, log: silentLogger, now: () => new Date(Date.now() + skew) });
  const browser = await launchBrowser();
  browsers.push(browser);
  return { h, smtp, browser, advance: (ms: number) => void (skew += ms) };
}

/** An invite e-mailed to Cleo, caught by the SMTP server; its link as the e-mail carried it. */
async function emailedLink(t: Awaited<ReturnType<typeof start>>, message = 'Could you deploy this for me? <b>Thanks</b>') {
  const before = t.smtp.caught.length;
  await t.h.engine.run(inviteColleague, admin, { start: 'aws:management', invitee: { id: 'cleo@example.com', name: 'Cleo' }, message });
  const mail = (await t.smtp.waitFor(before + 1)).at(-1)!;
  expect(mail.to).toEqual(['cleo@example.com']);
  return t.smtp.linkIn(mail)!;
}

const setupOf = async (t: Awaited<ReturnType<typeof start>>) => (await t.h.store.read()).setups.at(-1)! as { aws: { roleName: string; externalId: string; stackName: string } };

describe('an invite, in a browser', () => {
  it('from the e-mail to connected: what and why, the console button, the role ARN by keyboard, a mistake explained, then done', async () => {
    const t = await start();
    const link = await emailedLink(t);
    const page = await t.browser.page();

    await page.goto(link);
    await seeText(page.locator('h1'), 'You are invited to connect an AWS management account to cloudlink', { exact: true });
    expect(await page.textContent('blockquote')).toBe('Could you deploy this for me? <b>Thanks</b>');
    const setup = await setupOf(t);
    expect(await page.content()).not.toContain(setup.aws.externalId);
    await t.browser.shot(page, '01-invite-landing');

    await page.getByRole('button', { name: 'Continue to the setup' }).click();
    await page.waitForURL(/\/invite\/[0-9a-f-]{36}$/);
    await seeText(page.locator('h1'), 'Connect an AWS management account to cloudlink', { exact: true });
    await seeText(page.getByRole('status'), 'Waiting for you to deploy the stack.');
    const consoleLink = page.getByRole('link', { name: /Open the AWS console/ });
    expect(await consoleLink.getAttribute('href')).toMatch(new RegExp(`#/stacks/quickcreate\\?templateURL=.*param_ExternalId=${setup.aws.externalId}`));
    expect(await consoleLink.getAttribute('target')).toBe('_blank');
    expect(await consoleLink.getAttribute('rel')).toBe('noopener noreferrer');
    await page.getByText('Details, to check the stack or deploy it by hand').click();
    await seeVisible(page.getByText(setup.aws.externalId));
    await t.browser.shot(page, '02-invite-page');

    // By keyboard only: to the name field, type, Tab to the role ARN, type a wrong one, Enter.
    await page.getByLabel('Account name').focus();
    await page.keyboard.type('Payer');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('roleArn');
    await page.keyboard.type('arn:aws:iam::111111111111:user/not-a-role');
    await page.keyboard.press('Enter');
    await page.waitForLoadState();
    await seeText(page.getByRole('alert'), 'That did not work');
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('form-error');
    expect(await page.locator('#roleArn').getAttribute('aria-invalid')).toBe('true');
    await seeVisible(page.locator('#roleArn-error'));
    await t.browser.shot(page, '03-invite-mistake');

    const roleArn = deployStack(t.h.aws, setup, '111111111111');
    await page.getByLabel('Role ARN').fill(roleArn);
    await page.getByRole('button', { name: 'Connect the account' }).click();
    await seeText(page.locator('h1'), 'Connected. Thank you!', { exact: true, timeoutMs: 20_000 });
    await seeText(page.getByRole('status'), 'Payer is connected.');
    expect(await page.content()).not.toContain(setup.aws.externalId);
    await t.browser.shot(page, '04-invite-connected');
    // The one refusal the browser saw is the mistake above (422), as intended.
    expect(t.browser.problems).toEqual(['Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)']);
    expect((await t.h.store.read()).accounts.map((a) => a.name)).toEqual(['Payer']);
  });

  it('"done" with the account id: the page follows the watcher by itself until connected', async () => {
    const t = await start();
    const page = await t.browser.page();
    await page.goto(await emailedLink(t, ''));
    await page.getByRole('button', { name: 'Continue to the setup' }).click();
    await page.getByLabel('AWS account id').fill('111111111111');
    await page.getByRole('button', { name: 'Done: watch for the stack' }).click();
    await seeText(page.getByRole('status'), 'cloudlink is watching AWS account 111111111111');
    await t.browser.shot(page, '05-invite-watching');

    deployStack(t.h.aws, await setupOf(t), '111111111111');
    await t.h.engine.jobs.watcher.tick();
    // No click, no reload by hand: the live status sees it and the page turns to connected.
    await seeText(page.locator('h1'), 'Connected. Thank you!', { exact: true, timeoutMs: 20_000 });
    await seeText(page.getByRole('status'), 'AWS 111111111111 is connected.');
    await t.browser.shot(page, '06-invite-connected-by-watcher');
    expect(t.browser.problems).toEqual([]);
  });

  it('refuses a reused, a tampered and an expired link, each with a page saying what to do', async () => {
    const t = await start({ CLOUDLINK_INVITE_TTL_HOURS: '1' });
    const used = await emailedLink(t);
    const page = await t.browser.page();
    await page.goto(used);
    await page.getByRole('button', { name: 'Continue to the setup' }).click();
    await page.waitForURL(/\/invite\//);

    // Someone else's browser (a forwarded e-mail): an empty profile of its own.
    const other = await launchBrowser();
    browsers.push(other);
    const elsewhere = await other.page();
    await elsewhere.goto(used);
    await seeText(elsewhere.locator('h1'), 'This invite link was already used', { exact: true });
    await seeText(elsewhere.getByRole('alert'), 'a link works once');
    await other.shot(elsewhere, '07-refused-reused');
    await elsewhere.goto(used.replace(/^(.*\/i\/)/, '$1').replace(/\/i\/.*/, `/invite/${used.split('/i/')[1]!.split('.')[0]}`));
    await seeText(elsewhere.locator('h1'), 'Open your invite link in this browser', { exact: true });

    const tampered = used.slice(0, -6) + (used.endsWith('abcdef') ? 'ABCDEF' : 'abcdef');
    await elsewhere.goto(tampered);
    await seeText(elsewhere.locator('h1'), 'This link is not valid', { exact: true });
    await seeText(elsewhere.getByRole('alert'), 'Open it again from the original message');
    await other.shot(elsewhere, '08-refused-tampered');

    const later = await emailedLink(t);
    t.advance(3_600_000 + 1000);
    await elsewhere.goto(later);
    await seeText(elsewhere.locator('h1'), 'This invite link has expired', { exact: true });
    await seeText(elsewhere.getByRole('alert'), 'Ask Ada Admin for a new invite');
    await other.shot(elsewhere, '09-refused-expired');
    expect([...t.browser.problems, ...other.problems].filter((p) => !/status of 4\d\d/.test(p))).toEqual([]);
  });

  it('reads on a phone, every field has its label, and the text has contrast', async () => {
    const t = await start();
    const page = await t.browser.page();
    await page.setViewportSize({ width: 375, height: 812 });
    await page.goto(await emailedLink(t));
    await page.getByRole('button', { name: 'Continue to the setup' }).click();
    await page.waitForURL(/\/invite\//);
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    const unlabelled = await page.evaluate(`[...document.querySelectorAll('input:not([type=hidden])')].filter((i) => !document.querySelector('label[for="' + i.id + '"]')).map((i) => i.outerHTML)`);
    expect(unlabelled).toEqual([]);
    for (const target of await page.$$eval('button, a.button, input:not([type=hidden])', (els) => els.map((e) => e.getBoundingClientRect().height))) expect(target).toBeGreaterThanOrEqual(44);
    for (const selector of ['p', 'label', '.hint', 'a.button', 'button[type=submit]', '.status strong', 'summary']) expect(await contrastOf(page, selector), selector).toBeGreaterThanOrEqual(4.5);
    await t.browser.shot(page, '10-invite-phone');
  });
});

describe('the console, in a browser', () => {
  it('shows the MCP token once, with its copy buttons working under the CSP, and not on the next visit', async () => {
    const t = await start();
    const page = await t.browser.page();
    await page.goto(`${t.h.service.ops!.url}/`);
    await seeText(page.locator('h1'), 'cloudlink is running', { exact: true });
    await seeVisible(page.getByRole('heading', { name: 'Your MCP token: copy it now' }));
    const token = (await page.locator('.secret pre').textContent())!;
    expect(token).toMatch(/^clk_[A-Za-z0-9_-]{43}$/);
    // The script ran (CSP allows it): the copy buttons it reveals are there.
    await seeVisible(page.getByRole('button', { name: 'Copy' }).first());
    await seeVisible(page.getByRole('heading', { name: /Slack: Missing/ }));
    await seeVisible(page.getByRole('heading', { name: /Invite pages: Running/ }));
    await t.browser.shot(page, '11-console-first-visit');
    await page.reload();
    expect(await page.content()).not.toContain(token);
    await seeVisible(page.getByRole('button', { name: 'Make a new token' }));
    await page.setViewportSize({ width: 375, height: 812 });
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await t.browser.shot(page, '12-console-phone');
    expect(t.browser.problems).toEqual([]);
  });
});
