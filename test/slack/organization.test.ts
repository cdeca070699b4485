import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { awsFamily } from '../../src/engine/families/aws/index.js';
import { linkOrganization, resyncOrganization } from '../../src/engine/families/aws/organization/operations.js';
import { completeAwsSetup } from '../../src/engine/families/aws-role/operations.js';
import { listAccounts } from '../../src/engine/operations/accounts.js';
import { admin, deployRole } from '../helpers/memory.js';
import { MGMT, rollOut as rollOutRoles, sampleOrganization } from '../helpers/organization.js';
import { slackHarness, text, type SlackHarness } from '../helpers/slack.js';

/** `/cloud org`, linking and resyncing a whole organization from Slack, and unlinking it; against the in-process AWS. */


type Block = { type: string; block_id?: string; text?: { text: string }; elements?: { text?: { text: string } | string; action_id?: string; value?: string; url?: string }[] };

let s: SlackHarness;
beforeEach(async () => {
  s = await slackHarness({ memoryAws: true });
});
afterEach(async () => {
  await s.h.engine.jobs.outbox.idle();
  await s.close();
});

const organization = () => sampleOrganization(s.memoryAws);
const rollOut = (externalId: string, ids: string[]) => rollOutRoles(s.memoryAws, externalId, ids);

async function linkManagement(name = 'Payer', accountId = MGMT, own = true) {
  const setup = await s.h.engine.run(awsFamily.start, admin, { kind: 'management' });
  const roleArn = deployRole(s.memoryAws, setup, accountId, own ? { organization: { state: 'member', id: 'o-abc', managementAccountId: accountId } } : {});
  const { account } = await s.h.engine.run(completeAwsSetup, admin, { setupId: setup.setupId, name, roleArn });
  return account;
}

/** A linked organization: two members linked, one whose StackSet instance failed, one suspended. */
async function linkedOrganization() {
  const mgmt = await linkManagement();
  organization();
  const { organization: o } = await s.h.engine.run(linkOrganization, admin, { managementAccount: 'Payer' });
  rollOut(o.externalId!, ['100000000001', '100000000002']);
  s.memoryAws.instances = [
    { accountId: '100000000001', status: 'CURRENT', detailedStatus: 'SUCCEEDED' },
    { accountId: '100000000002', status: 'CURRENT', detailedStatus: 'SUCCEEDED' },
    { accountId: '100000000003', status: 'INOPERABLE', detailedStatus: 'FAILED', reason: 'Role CloudlinkMember already exists' },
  ];
  await s.h.engine.run(resyncOrganization, admin, { organization: 'Payer' });
  return mgmt;
}

const lastView = (method: string) => s.slack.of(method).at(-1)!.args.view as { callback_id?: string; private_metadata?: string; blocks: Block[] };
const all = (x: unknown) => JSON.stringify(x);
const texts = (blocks: Block[]) => blocks.map((b) => b.text?.text ?? (b.type === 'context' ? (b.elements ?? []).map((e) => e.text).join(' ') : '')).join('\n');
const button = (blocks: Block[], actionId: string) => blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === actionId);
const buttonIds = (blocks: Block[]) => blocks.flatMap((b) => (b.type === 'actions' ? (b.elements ?? []).map((e) => e.action_id) : []));
/** The progress messages this test's actions posted (the engine's own "organization changed" DMs are separate). */
const progressPosts = (what: RegExp) => s.slack.of('chat.postMessage').filter((c) => what.test(c.args.text ?? ''));

describe('/cloud org', () => {
  it('shows a linked organization: counts by state, its OUs trouble first, the accounts in trouble with reason and fix, and the buttons by role', async () => {
    await linkedOrganization();
    await s.command('U_ADMIN', 'org');
    expect(s.slack.of('views.open').at(-1)!.args.view.title.text).toBe('AWS organization');
    const view = lastView('views.update');
    expect(view.callback_id).toBe('org_view');
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    for (const b of view.blocks) if (b.text) expect(b.text.text.length).toBeLessThanOrEqual(3000);
    const t = texts(view.blocks);
    expect(t).toMatch(/\*Payer\* manages organization o-abc\n\*4 member accounts:\* 1 role missing · 1 suspended or closing · 2 linked/);
    // The OU with the account in trouble comes first.
    expect(t).toMatch(/\*By OU\* \(3 with member accounts\)\n• \*Sandbox\* `ou-ab12-33333333`: 1 account, 1 role missing\n• \*Prod\* `ou-ab12-22222222`: 2 accounts, 1 suspended or closing · 1 linked/);
    expect(t).toMatch(/\*Accounts needing attention\* \(2\)\n:red_circle: \*Account 003\* \(100000000003, Sandbox\): role missing\nThe StackSet could not create the role here: Role CloudlinkMember already exists\.\n_Fix:_ .*Stack instances/);
    expect(t).toMatch(/\*Account 004\* \(100000000004, Prod\): suspended or closing/);
    expect(buttonIds(view.blocks)).toEqual(['org_resync', 'org_unlink']);

    // A member sees the same organization, without Unlink.
    await s.command('U_MEMBER', 'org Payer');
    const forMember = lastView('views.update');
    expect(texts(forMember.blocks)).toMatch(/1 role missing/);
    expect(buttonIds(forMember.blocks)).toEqual(['org_resync']);

    // A name that is not a management account says so, with the ones there are.
    await s.command('U_ADMIN', 'org Nope & Co');
    expect(all(lastView('views.update'))).toMatch(/\\"Nope &amp; Co\\" is not a linked AWS management account or organization\. Management accounts: \\"Payer\\"/);
  });

  it('offers to link the whole organization, and links it from Slack with ONE progress message updated in place to the result and the console button', async () => {
    const mgmt = await linkManagement();
    organization();
    s.deps.progressEveryMs = 0;
    // The AWS account-type chooser offers the whole organization once a management account is linked.
    await s.command('U_ADMIN', 'link aws');
    const chooser = lastView('views.update');
    expect(buttonIds(chooser.blocks)).toEqual(['link_choice:management', 'link_choice:linked', 'link_org']);
    await s.action('U_ADMIN', { type: 'button', action_id: 'link_org', value: 'aws' }, { id: 'V_CHOOSER' });
    const offer = s.slack.of('views.update').at(-1)!.args;
    expect(offer.view_id).toBe('V_CHOOSER');
    expect(texts(offer.view.blocks)).toMatch(/Linking the whole organization/);
    const link = button(offer.view.blocks, 'org_link')!;
    expect(link.value).toBe(mgmt.id);

    await s.action('U_ADMIN', { type: 'button', action_id: 'org_link', value: link.value }, { id: 'V_CHOOSER' });
    const posts = progressPosts(/^Linking the organization of Payer/);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.args.channel).toBe('U_ADMIN');
    // The fake answers each call with ts "<its number>.000": every update carries the post's own ts.
    const postedTs = `${s.slack.calls.indexOf(posts[0]!) + 1}.000`;
    const updates = s.slack.of('chat.update');
    expect(updates.length).toBeGreaterThanOrEqual(2);
    for (const u of updates) expect(u.args).toMatchObject({ channel: 'U_ADMIN', ts: postedTs });
    expect(all(updates[0]!.args.blocks)).toMatch(/Discovering the organization/);
    const final = updates.at(-1)!.args;
    expect(texts(final.blocks)).toMatch(/The organization o-abc is linked through Payer\.\*\n5 accounts found, 0 linked now/);
    expect(texts(final.blocks)).toMatch(/3 waiting for their role · 1 suspended or closing/);
    expect(button(final.blocks, 'open_console')!.url).toMatch(/quickcreate.*aws-organization-stackset\.yaml/);
    expect(button(final.blocks, `org_open:${mgmt.id}`)).toBeDefined();
    // The modal it was started from shows the organization at the end.
    expect(s.slack.of('views.update').at(-1)!.args).toMatchObject({ view_id: 'V_CHOOSER', view: { callback_id: 'org_view' } });
  });

  it('resyncs from the button: acknowledged, one progress message, the changes, and the modal brought up to date', async () => {
    const mgmt = await linkManagement();
    organization();
    const { organization: o } = await s.h.engine.run(linkOrganization, admin, { managementAccount: 'Payer' });
    rollOut(o.externalId!, ['100000000001', '100000000002']);
    const r = await s.action('U_MEMBER', { type: 'button', action_id: 'org_resync', value: mgmt.id }, { id: 'V_ORG' });
    expect(r.status).toBe(200);
    expect(progressPosts(/^Resyncing the organization of Payer/)).toHaveLength(1);
    const final = s.slack.of('chat.update').at(-1)!.args;
    expect(texts(final.blocks)).toMatch(/Payer's organization is resynced\* \(\d+\.\d s\): 5 accounts, 2 changed, 2 newly linked\./);
    expect(texts(final.blocks)).toMatch(/• Account 001 \(100000000001\): waiting for its role → linked/);
    expect((await s.h.engine.run(listAccounts, admin, { provider: 'aws' })).total).toBe(3);
    const modal = s.slack.of('views.update').filter((c) => c.args.view_id === 'V_ORG');
    expect(all(modal[0]!.args.view)).toMatch(/Resyncing the organization of Payer…/);
    expect(modal.at(-1)!.args.view.callback_id).toBe('org_view');
    expect(texts(modal.at(-1)!.args.view.blocks)).toMatch(/2 linked/);
  });

  it('puts the engine\'s error, escaped once, in the progress message', async () => {
    const mgmt = await linkManagement('R&D Payer');
    organization();
    s.memoryAws.roles.clear();
    await s.action('U_ADMIN', { type: 'button', action_id: 'org_link', value: mgmt.id });
    expect(progressPosts(/^Linking the organization of R&amp;D Payer/)).toHaveLength(1);
    const final = s.slack.of('chat.update').at(-1)!.args;
    expect(final.blocks[0].text.text).toMatch(/^:x: \*Could not link the organization of R&amp;D Payer\.\*\nAWS says cloudlink is not authorized to perform sts:AssumeRole/);
    expect(all(final)).not.toContain('&amp;amp;');
  });

  it('asks which organization when several management accounts are linked and none is named', async () => {
    const payer = await linkedOrganization();
    const other = await linkManagement('Second', '200000000000', false);
    await s.command('U_ADMIN', 'org');
    const chooser = lastView('views.update');
    expect(texts(chooser.blocks)).toMatch(/2 AWS management accounts are linked/);
    const picks = chooser.blocks.flatMap((b) => b.elements ?? []).filter((e) => e.action_id?.startsWith('org_open:'));
    expect(picks.map((p) => (p.text as { text: string }).text)).toEqual(['Payer', 'Second (not linked yet)']);
    expect(picks.map((p) => p.value)).toEqual([payer.id, other.id]);
    await s.action('U_ADMIN', { type: 'button', action_id: `org_open:${other.id}`, value: other.id }, { id: 'V_PICK' });
    const offer = s.slack.of('views.update').at(-1)!.args;
    expect(offer.view_id).toBe('V_PICK');
    expect(button(offer.view.blocks, 'org_link')!.value).toBe(other.id);
  });
});

describe('unlinking an organization from Slack', () => {
  it('refuses a member before the form, and unlinks for an admin only with the typed management account name', async () => {
    const mgmt = await linkedOrganization();
    await s.action('U_MEMBER', { type: 'button', action_id: 'org_unlink', value: mgmt.id }, { id: 'V_ORG' });
    const refused = s.slack.of('views.push').at(-1)!.args.view;
    expect(refused.callback_id).toBeUndefined();
    expect(all(refused)).toMatch(/only cloudlink admins may delete accounts/);

    await s.action('U_ADMIN', { type: 'button', action_id: 'org_unlink', value: mgmt.id }, { id: 'V_ORG' });
    const form = s.slack.of('views.push').at(-1)!.args.view;
    expect(form.callback_id).toBe('org_unlink_submit');
    expect(all(form)).toMatch(/deletes 2 member accounts linked through it/);
    expect(all(form)).toContain('Type \\"Payer\\" to confirm');
    const wrong = await s.submit('U_ADMIN', 'org_unlink_submit', { confirm_name: text('payer') }, form.private_metadata);
    expect(wrong.json).toMatchObject({ response_action: 'errors', errors: { confirm_name: 'Type "Payer" exactly.' } });
    expect((await s.h.store.read()).organizations).toHaveLength(1);

    const right = await s.submit('U_ADMIN', 'org_unlink_submit', { confirm_name: text('Payer') }, form.private_metadata);
    expect(right.json.response_action).toBe('update');
    expect(all(right.json.view)).toMatch(/2 member accounts were deleted from cloudlink/);
    expect(all(right.json.view)).toMatch(/delete the StackSet cloudlink-members-/);
    expect((await s.h.store.read()).organizations).toEqual([]);
    expect((await s.h.engine.run(listAccounts, admin, {})).accounts.map((a) => a.name)).toEqual(['Payer']);
    // Afterwards /cloud org offers to link it again.
    await s.command('U_ADMIN', 'org');
    expect(buttonIds(lastView('views.update').blocks)).toEqual(['org_link']);
  });
});
