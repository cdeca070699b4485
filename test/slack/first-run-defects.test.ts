import { afterEach, describe, expect, it } from 'vitest';
import { databaseWith } from '../../bench/fixtures.js';
import { awsFamily } from '../../src/engine/families/aws/index.js';
import { completeAwsSetup } from '../../src/engine/families/aws-role/operations.js';
import { admin, deployStack } from '../helpers/engine.js';
import { slackHarness, text, type SlackHarness } from '../helpers/slack.js';

/** What a new user met in Slack (issue 12), each through signed requests against the local Web API. */

let s: SlackHarness;
afterEach(async () => {
  await s?.close();
});

const lastView = (method: string) => s.slack.of(method).at(-1)!.args.view;
const allText = (x: unknown) => JSON.stringify(x);

async function link(name: string, accountId = '111111111111') {
  const setup = await s.h.engine.run(awsFamily.start, admin, { kind: 'management' });
  await s.h.engine.run(completeAwsSetup, admin, { setupId: setup.setupId, name, roleArn: deployStack(s.h.aws, setup, accountId) });
}

describe('the AWS link modal', () => {
  it('puts an ARN in another account than the account id given beside its fields at once', async () => {
    s = await slackHarness();
    const setup = await s.h.engine.run(awsFamily.start, admin, { kind: 'management' });
    const r = await s.submit('U_ADMIN', 'aws_setup_submit', { name: text('Payer'), role_arn: text(`arn:aws:iam::777788889999:role/${setup.aws!.roleName}`), account_id: text('888899990000') }, JSON.stringify({ setupId: setup.setupId }));
    expect(r.json).toMatchObject({ response_action: 'errors', errors: { account_id: expect.stringMatching(/777788889999/) } });
    expect(s.h.aws.callsOf('AssumeRole')).toEqual([]);
  });
});

describe('slash command text', () => {
  it('finds names with &, < and > as the person typed them, and echoes user text escaped once', async () => {
    s = await slackHarness();
    await link('R&D Sandbox');
    await s.command('U_ADMIN', 'rename R&D Sandbox');
    const modal = lastView('views.open');
    expect(modal.callback_id).toBe('rename_submit');
    expect(allText(modal.blocks)).toContain('*R&amp;D Sandbox*');
    await s.command('U_ADMIN', 'status R&D <Lab>');
    const reply = s.slack.responses.at(-1)!.body.text as string;
    expect(reply).toContain('No linked account is called "R&amp;D &lt;Lab&gt;"');
    expect(reply).not.toContain('&amp;amp;');
  });
});

describe('/cloud list at 5,000 accounts', () => {
  it('says which accounts it shows and shows exactly those, never cutting a line, and pages on instead of sending you elsewhere', async () => {
    s = await slackHarness();
    await s.h.store.mutate((db) => void db.accounts.push(...databaseWith(5000).accounts));
    await s.command('U_ADMIN', 'list');
    const blocks = s.slack.responses.at(-1)!.body.blocks as { type: string; text?: { text: string }; elements?: { text: string; action_id?: string }[] }[];
    expect(blocks.length).toBeLessThanOrEqual(50);
    const sections = blocks.filter((b) => b.type === 'section').map((b) => b.text!.text);
    for (const t of sections) expect(t.length).toBeLessThanOrEqual(3000);
    const shownLines = sections.flatMap((t) => t.split('\n')).filter((l) => /^:(large_green_circle|red_circle): \*Account \d+\*/.test(l));
    const note = blocks.find((b) => b.type === 'context')!.elements![0]!.text;
    const [, from, to, of] = /Showing (\d+)–(\d+) of ([\d,]+) accounts\./.exec(note)!;
    expect([Number(from), Number(to)]).toEqual([1, 40]);
    expect(shownLines).toHaveLength(40);
    expect(of).toBe('5,000');
    // Problems first: the 100 accounts in error lead.
    expect(shownLines.every((l) => l.startsWith(':red_circle:'))).toBe(true);
    for (const l of shownLines) expect(l).toMatch(/AWS 1\d{11} · (management|linked)/);
    expect(JSON.stringify(blocks)).not.toMatch(/App Home/);
    expect(blocks.at(-1)!.elements!.map((e) => e.action_id)).toEqual(['list_page:next']);
  });
});

describe('forms are refused before they are filled in', () => {
  it('tells a member at once that they may not rename, change subscriptions or invite', async () => {
    s = await slackHarness({ env: { CLOUDLINK_MEMBERS_CAN_LINK: 'false' } });
    await link('Payer');
    for (const [cmd, what] of [
      ['rename Payer', /only cloudlink admins may rename/],
      ['subscriptions Payer', /only cloudlink admins may change Azure subscriptions/],
      ['invite <@UCLEO123|cleo>', /only cloudlink admins may invite/],
    ] as const) {
      await s.command('U_MEMBER', cmd);
      const view = lastView('views.open');
      expect(view.callback_id, cmd).toBeUndefined();
      expect(allText(view), cmd).toMatch(what);
    }
    await s.action('U_MEMBER', { type: 'overflow', action_id: 'account_overflow', selected_option: { value: `rename:${(await s.h.store.read()).accounts[0]!.id}` } });
    expect(allText(lastView('views.open'))).toMatch(/only cloudlink admins may rename/);
  });
});

describe('slow work after the acknowledgement', () => {
  it('acknowledges the Azure setup form before it generates the certificate or calls Slack, then updates the modal', async () => {
    s = await slackHarness({ processBeforeResponse: false });
    s.slack.latencyMs = 400;
    const r = await s.submit('U_ADMIN', 'link_form_submit', { name: text('Contoso'), tenantId: text('00000000-0000-0000-0000-0000000000a1'), clientId: text('00000000-0000-0000-0000-0000000000b2') }, JSON.stringify({ provider: 'azure' }), 'V_AZURE');
    // The answer came back while nothing had been asked of Slack yet: no certificate upload, no DM, no update.
    expect(r.json).toMatchObject({ response_action: 'update' });
    expect(allText(r.json.view)).toMatch(/Generating the certificate/);
    expect(s.slack.of('conversations.open')).toEqual([]);
    expect(s.slack.of('files.getUploadURLExternal')).toEqual([]);
    const updated = (await s.slack.waitFor('views.update', 1, 10_000)).at(-1)!.args;
    expect(updated.view_id).toBe('V_AZURE');
    expect(updated.view.callback_id).toBe('microsoft_complete_submit');
    expect(s.slack.of('files.completeUploadExternal')).toHaveLength(1);
  });
});
