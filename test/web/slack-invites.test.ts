import { afterEach, describe, expect, it } from 'vitest';
import { slackHarness, text, type SlackHarness } from '../helpers/slack.js';
import { deployStack } from '../helpers/engine.js';
import { smtpCatcher } from '../helpers/smtp.js';

let s: SlackHarness | undefined;
let smtp: Awaited<ReturnType<typeof smtpCatcher>> | undefined;
afterEach(async () => {
  await s?.close();
  await smtp?.close();
  s = smtp = undefined;
});

async function start() {
  smtp = await smtpCatcher();
  s = await slackHarness({ env: { CLOUDLINK_INVITE_PORT: '0', ...smtp.env() } });
  return { s, smtp, pages: s.h.service.invitePages! };
}

const lastView = (method: string) => s!.slack.of(method).at(-1)!.args.view;
const blockIds = (view: { blocks: { block_id?: string }[] }) => view.blocks.map((b) => b.block_id).filter(Boolean);
const values = (v: { user?: string; email?: string; asLink?: boolean }) => ({
  invitee: { value: { type: 'users_select', selected_user: v.user ?? null } },
  ...(v.email !== undefined ? { email: text(v.email) } : { email: text(undefined) }),
  as_link: { value: { type: 'checkboxes', selected_options: v.asLink ? [{ value: 'link' }] : [] } },
  kind: { value: { type: 'static_select', selected_option: { value: 'aws:management' } } },
  message: text(undefined),
});

describe('Slack invites with the invite pages on', () => {
  it('the modal offers an e-mail address or a link to pass on, and says what is missing', async () => {
    const { s } = await start();
    await s.command('U_ADMIN', 'invite');
    const modal = lastView('views.open');
    expect(blockIds(modal)).toEqual(['invitee', 'email', 'as_link', 'kind', 'message']);
    const none = await s.submit('U_ADMIN', 'invite_submit', values({}));
    expect(none.json).toEqual({ response_action: 'errors', errors: { invitee: 'Choose a colleague in Slack, or give the e-mail address of one outside Slack.' } });
    const both = await s.submit('U_ADMIN', 'invite_submit', values({ user: 'UCLEO123', email: 'cleo@example.com' }));
    expect(both.json.errors).toEqual({ email: 'Choose one: a colleague in Slack, or an e-mail address.' });
    const bad = await s.submit('U_ADMIN', 'invite_submit', values({ email: 'cleo at example' }));
    expect(bad.json.errors.email).toMatch(/Not an e-mail address/);
  });

  it('e-mails a colleague outside Slack, or hands the inviter the link, and the link opens the page', async () => {
    const { s, smtp, pages } = await start();
    await s.submit('U_ADMIN', 'invite_submit', values({ email: 'cleo@example.com' }));
    expect(JSON.stringify(lastView('views.update').blocks)).toContain('cleo@example.com has the instructions by e-mail');
    const [mail] = await smtp.waitFor(1);
    expect(mail!.to).toEqual(['cleo@example.com']);
    expect((await fetch(smtp.linkIn(mail!)!)).status).toBe(200);

    await s.submit('U_ADMIN', 'invite_submit', values({ email: 'dana@example.com', asLink: true }));
    const ready = lastView('views.update');
    expect(ready.title.text).toBe('Invite ready');
    const link = /```(\S+)```/.exec(JSON.stringify(ready.blocks))![1]!;
    expect(link.startsWith(`${pages.publicUrl}/i/`)).toBe(true);
    expect((await fetch(link)).status).toBe(200);
    expect(smtp.caught).toHaveLength(1);
  });

  it("puts the same page in the Slack DM; a colleague who finishes there is @-mentioned to the inviter", async () => {
    const { s, pages } = await start();
    await s.submit('U_ADMIN', 'invite_submit', values({ user: 'UCLEO123' }));
    const dm = (await s.slack.waitFor('chat.postMessage')).find((c) => c.args.channel === 'UCLEO123')!.args;
    const buttons = dm.blocks.flatMap((b: { elements?: { type: string; action_id?: string; url?: string }[] }) => (b.elements ?? []).filter((e) => e.type === 'button'));
    const page = buttons.find((e: { action_id?: string }) => e.action_id === 'open_invite_page').url as string;
    expect(page.startsWith(`${pages.publicUrl}/i/`)).toBe(true);
    expect(buttons.map((e: { action_id?: string }) => e.action_id)).toEqual(['open_console', 'open_invite_page', 'invite_done']);
    // Slack's click on a URL button is acknowledged.
    expect((await s.action('UCLEO123', { type: 'button', action_id: 'open_invite_page', value: '' })).status).toBe(200);

    const opened = await fetch(page, { method: 'POST', redirect: 'manual' });
    const cookie = opened.headers.get('set-cookie')!.split(';')[0]!;
    const pageUrl = `${pages.url}${opened.headers.get('location')}`;
    const csrf = /name="csrf" value="([^"]+)"/.exec(await (await fetch(pageUrl, { headers: { cookie } })).text())![1]!;
    const setup = (await s.h.store.read()).setups[0]! as { aws: { roleName: string; externalId: string; stackName: string } };
    const roleArn = deployStack(s.h.aws, setup, '111111111111');
    const before = s.slack.of('chat.postMessage').length;
    const done = await fetch(pageUrl, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf, action: 'connect', name: 'Payer', roleArn }).toString() });
    expect(done.status).toBe(303);
    await s.h.engine.jobs.outbox.deliver();
    const told = s.slack.of('chat.postMessage').slice(before);
    expect(told.map((c) => c.args.channel)).toEqual(['U_ADMIN']);
    expect(told[0]!.args.text).toMatch(/Payer \(AWS\) is connected: <@UCLEO123> finished the setup you handed them/);
  });
});
