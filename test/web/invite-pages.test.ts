import { afterEach, describe, expect, it } from 'vitest';
import type { Service } from '../../src/compose.js';
import { inviteColleague, revokeInvite } from '../../src/engine/operations/invites.js';
import { createLogger } from '../../src/log.js';
import { CSP } from '../../src/web/headers.js';
import { admin, deployStack, serviceHarness, type Harness } from '../helpers/engine.js';
import { smtpCatcher } from '../helpers/smtp.js';

let h: (Harness & { service: Service }) | undefined;
let smtp: Awaited<ReturnType<typeof smtpCatcher>> | undefined;
afterEach(async () => {
  await h?.close();
  await smtp?.close();
  h = smtp = undefined;
});

/** The service as `npm start` runs it with the invite pages and e-mail on; its log lines kept; a clock we can move. */
async function start(extra: Record<string, string> = {}) {
  smtp = await smtpCatcher();
  const lines: string[] = [];
  let skew = 0;
  h = await serviceHarness({ env: { CLOUDLINK_INVITE_PORT: '0', ...smtp.env(), ...extra }, log: createLogger({ level: 'debug', write: (l) => lines.push(l) }), now: () => new Date(Date.now() + skew) });
  return { h, smtp, lines, pages: h.service.invitePages!, advance: (ms: number) => void (skew += ms) };
}

/** An e-mail invite, and the link its e-mail carried. */
async function invite(t: Awaited<ReturnType<typeof start>>, message = 'Could you deploy <b>this</b>?') {
  const before = t.smtp.caught.length;
  const out = await t.h.engine.run(inviteColleague, admin, { start: 'aws:management', invitee: { id: 'cleo@example.com', name: 'Cleo' }, message });
  const mails = await t.smtp.waitFor(before + 1);
  return { inviteId: out.invite.inviteId, link: t.smtp.linkIn(mails.at(-1)!)! };
}

const get = (url: string, cookie?: string) => fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
const post = (url: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString() });

/** "Continue": the one use of the link; the browser's cookie comes back. */
async function open(link: string, origin: string) {
  const res = await post(link, {}, { origin });
  expect(res.status).toBe(303);
  return { location: res.headers.get('location')!, setCookie: res.headers.get('set-cookie')!, cookie: res.headers.get('set-cookie')!.split(';')[0]! };
}

describe('the invite pages over HTTP', () => {
  it('show who asks what before the link is used, with nothing the link guards, under a strict CSP', async () => {
    const t = await start();
    const { link } = await invite(t);
    expect(link.startsWith(`${t.pages.publicUrl}/i/`)).toBe(true);
    const res = await get(link);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(CSP);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const body = await res.text();
    expect(body).toContain('<strong>Ada Admin</strong> asked you to do it.');
    expect(body).toContain('Could you deploy &lt;b&gt;this&lt;/b&gt;?');
    expect(body).not.toContain('<b>this</b>');
    const setup = (await t.h.store.read()).setups[0]!;
    expect(body).not.toContain(setup.aws!.externalId);
    expect(body).not.toMatch(/quickcreate|<script(?! src)/);
    // Looking did not use it up.
    expect((await get(link)).status).toBe(200);
  });

  it('open once: the browser gets an HttpOnly session, the link is spent, another browser is told so', async () => {
    const t = await start();
    const { inviteId, link } = await invite(t);
    expect((await post(link, {}, { origin: 'https://evil.example' })).status).toBe(403);
    const opened = await open(link, new URL(t.pages.publicUrl).origin);
    expect(opened.location).toBe(`/invite/${inviteId}`);
    expect(opened.setCookie).toMatch(new RegExp(`^cl_invite_${inviteId.replace(/-/g, '')}=[A-Za-z0-9_-]{43}; Path=/; Max-Age=\\d+; HttpOnly; SameSite=Lax$`));

    const again = await get(link);
    expect(again.status).toBe(410);
    expect(await again.text()).toMatch(/This invite link was already used[\s\S]*a link works once/);
    expect((await post(link, {})).status).toBe(410);
    // The browser that opened it goes back to its page.
    const back = await get(link, opened.cookie);
    expect([back.status, back.headers.get('location')]).toEqual([303, `/invite/${inviteId}`]);

    const page = await get(`${t.pages.url}/invite/${inviteId}`, opened.cookie);
    expect(page.status).toBe(200);
    const html = await page.text();
    const setup = (await t.h.store.read()).setups[0]!;
    expect(html).toContain(setup.aws!.externalId);
    expect(html).toMatch(/href="https:\/\/console\.aws\.amazon\.com\/cloudformation\/home\?region=us-east-1#\/stacks\/quickcreate\?templateURL=[^"]*&amp;stackName=/);
    expect(html).toContain('<script src="/assets/invite.js" defer></script>');
    expect(html).toMatch(/<div id="status" class="status" role="status" aria-live="polite" data-state="waiting"/);
    expect(html).toMatch(/<label for="roleArn">Role ARN<\/label>/);

    const elsewhere = await get(`${t.pages.url}/invite/${inviteId}`);
    expect(elsewhere.status).toBe(403);
    expect(await elsewhere.text()).toContain('Open your invite link in this browser');
    expect((await get(`${t.pages.url}/invite/${inviteId}/status`)).status).toBe(403);
    // Neither the link's signature nor the session ever reaches the log.
    const logged = t.lines.join('\n');
    expect(logged).not.toContain(link.split('.').at(-1)!);
    expect(logged).not.toContain(opened.cookie.split('=')[1]!);
  });

  it('finish with the role ARN: mistakes beside their field, then connected, live status in JSON', async () => {
    const t = await start();
    const { inviteId, link } = await invite(t);
    const { cookie } = await open(link, new URL(t.pages.publicUrl).origin);
    const pageUrl = `${t.pages.url}/invite/${inviteId}`;
    const csrf = /name="csrf" value="([^"]+)"/.exec(await (await get(pageUrl, cookie)).text())![1]!;
    expect(await (await get(`${pageUrl}/status`, cookie)).json()).toMatchObject({ state: 'waiting' });

    expect((await post(pageUrl, { action: 'connect', roleArn: 'x' }, { cookie })).status).toBe(403);
    expect((await post(pageUrl, { csrf, action: 'connect', roleArn: 'x' }, { cookie, origin: 'https://evil.example' })).status).toBe(403);
    const wrong = await post(pageUrl, { csrf, action: 'connect', name: 'Payer', roleArn: 'arn:aws:iam::12345:user/<me>' }, { cookie });
    expect(wrong.status).toBe(422);
    const wrongHtml = await wrong.text();
    expect(wrongHtml).toMatch(/<div class="alert" role="alert" tabindex="-1" id="form-error">/);
    expect(wrongHtml).toMatch(/<p class="field-error" id="roleArn-error">[^<]+<\/p>/);
    expect(wrongHtml).toContain('aria-describedby="roleArn-hint roleArn-error" aria-invalid="true"');
    expect(wrongHtml).toContain('value="arn:aws:iam::12345:user/&lt;me&gt;"');

    const setup = (await t.h.store.read()).setups[0]!;
    const roleArn = deployStack(t.h.aws, setup as { aws: { roleName: string; externalId: string; stackName: string } }, '111111111111');
    const done = await post(pageUrl, { csrf, action: 'connect', name: 'Payer', roleArn }, { cookie });
    expect([done.status, done.headers.get('location')]).toEqual([303, `/invite/${inviteId}`]);
    const connected = await (await get(pageUrl, cookie)).text();
    expect(connected).toContain('<h1>Connected. Thank you!</h1>');
    expect(connected).toContain('data-state="connected"');
    expect(connected).not.toContain(setup.aws!.externalId);
    expect(await (await get(`${pageUrl}/status`, cookie)).json()).toMatchObject({ state: 'connected', headline: 'Payer is connected.' });
    expect((await t.h.store.read()).accounts.map((a) => a.name)).toEqual(['Payer']);
  });

  it('or "done" with the account id: the watcher finishes it and the status says so', async () => {
    const t = await start();
    const { inviteId, link } = await invite(t);
    const { cookie } = await open(link, new URL(t.pages.publicUrl).origin);
    const pageUrl = `${t.pages.url}/invite/${inviteId}`;
    const csrf = /name="csrf" value="([^"]+)"/.exec(await (await get(pageUrl, cookie)).text())![1]!;
    const bad = await post(pageUrl, { csrf, action: 'watch', accountId: '1234' }, { cookie });
    expect(bad.status).toBe(422);
    const badHtml = await bad.text();
    expect(badHtml).toMatch(/id="accountId-error">an AWS account id is exactly 12 digits/);
    // The note at the top points at the field, in the page's words, not with the form's field names.
    expect(badHtml).toContain('Some of what you typed needs a fix: see the note beside each field below');
    expect(badHtml).not.toMatch(/Invalid input|accountId:/);
    expect((await post(pageUrl, { csrf, action: 'watch', accountId: '111111111111' }, { cookie })).status).toBe(303);
    expect(await (await get(`${pageUrl}/status`, cookie)).json()).toMatchObject({ state: 'watching' });
    deployStack(t.h.aws, (await t.h.store.read()).setups[0]! as { aws: { roleName: string; externalId: string; stackName: string } }, '111111111111');
    await t.h.engine.jobs.watcher.tick();
    expect(await (await get(`${pageUrl}/status`, cookie)).json()).toMatchObject({ state: 'connected', account: { name: 'AWS 111111111111' } });
    await t.h.engine.jobs.outbox.deliver();
    const mails = await t.smtp.waitFor(2);
    expect(mails[1]!.mail.subject).toBe('AWS 111111111111 is connected to cloudlink');
  });

  it('refuse altered, expired and revoked links, each with a page that says what to do', async () => {
    const t = await start({ CLOUDLINK_INVITE_TTL_HOURS: '1' });
    const a = await invite(t);
    const b = await invite(t);
    const tampered = a.link.slice(0, -3) + (a.link.endsWith('AAA') ? 'BBB' : 'AAA');
    for (const url of [tampered, a.link.replace(/\.\d{10}\./, '.1999999999.'), `${t.pages.url}/i/..%2F..%2Fetc`, `${t.pages.url}/i/${'x'.repeat(400)}`]) {
      const res = await get(url);
      expect(res.status, url).toBe(400);
      const body = await res.text();
      expect(body).toContain('<h1>This link is not valid</h1>');
      expect(body).not.toMatch(/Ada|Cleo/);
    }
    await t.h.engine.run(revokeInvite, admin, { inviteId: b.inviteId });
    const revoked = await get(b.link);
    expect(revoked.status).toBe(410);
    expect(await revoked.text()).toMatch(/<h1>This invite was revoked<\/h1>[\s\S]*Ada Admin revoked this invite/);
    t.advance(3_600_000 + 1000);
    const expired = await get(a.link);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toMatch(/<h1>This invite link has expired<\/h1>[\s\S]*Ask Ada Admin for a new invite/);
  });

  it('serve their own stylesheet and script, a health check, and a plain 404', async () => {
    const t = await start();
    const css = await get(`${t.pages.url}/assets/site.css`);
    expect([css.status, css.headers.get('content-type')]).toEqual([200, 'text/css; charset=utf-8']);
    const js = await get(`${t.pages.url}/assets/invite.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toContain("fetch(box.dataset.poll");
    expect((await get(`${t.pages.url}/healthz`)).status).toBe(200);
    const missing = await get(`${t.pages.url}/wp-admin`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toBe(CSP);
    // A body too large for the form: refused with a page, never a stack trace.
    const { inviteId, link } = await invite(t);
    const { cookie } = await open(link, new URL(t.pages.publicUrl).origin);
    const huge = await post(`${t.pages.url}/invite/${inviteId}`, { csrf: 'x', action: 'connect', roleArn: 'a'.repeat(20_000) }, { cookie });
    expect(huge.status).toBe(413);
    const body = await huge.text();
    expect(body).toContain('cloudlink could not read what this page sent');
    expect(body).not.toMatch(/\bat .*\.(js|ts):\d+/);
  });

  it('say where they are in the start-up summary, and point links at CLOUDLINK_PUBLIC_URL under its path', async () => {
    const t = await start({ CLOUDLINK_PUBLIC_URL: 'https://cloudlink.example.com/team-a/' });
    expect(t.pages.publicUrl).toBe('https://cloudlink.example.com/team-a');
    expect(t.h.service.lines.find((l) => l.startsWith('invites'))).toMatch(/^invites {4}https:\/\/cloudlink\.example\.com\/team-a\/i\/… \(invite pages, listening on http:\/\/127\.0\.0\.1:\d+\); e-mail through 127\.0\.0\.1:\d+$/);
    const { inviteId, link } = await invite(t);
    expect(link.startsWith('https://cloudlink.example.com/team-a/i/')).toBe(true);
    // What the proxy forwards: the same path, on the listener.
    const local = link.replace('https://cloudlink.example.com', t.pages.url);
    expect((await get(local)).status).toBe(200);
    const opened = await post(local, {}, { origin: 'https://cloudlink.example.com' });
    expect(opened.headers.get('location')).toBe(`/team-a/invite/${inviteId}`);
    expect(opened.headers.get('set-cookie')).toMatch(/; Path=\/team-a; Max-Age=\d+; HttpOnly; SameSite=Lax; Secure$/);
  });
});
