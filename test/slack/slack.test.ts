import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { composeEngine } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { getAccount, listAccounts } from '../../src/engine/operations/accounts.js';
import { deleteAccount } from '../../src/engine/operations/delete-account.js';
import { checkAccount } from '../../src/engine/operations/health.js';
import { acceptInvite, listInvites } from '../../src/engine/operations/invites.js';
import { renameAccount } from '../../src/engine/operations/rename-account.js';
import { getSetupStatus } from '../../src/engine/operations/setups.js';
import { awsFamily } from '../../src/engine/families/aws/index.js';
import { eksFamily } from '../../src/engine/families/eks/index.js';
import { completeAwsSetup } from '../../src/engine/families/aws-role/operations.js';
import type { RoleHandout } from '../../src/engine/families/aws-role/handout.js';
import { admin, deployStack } from '../helpers/engine.js';
import { sign, slackHarness, text, type SlackHarness } from '../helpers/slack.js';

const startAwsSetup = awsFamily.start;

let s: SlackHarness;
beforeEach(async () => {
  s = await slackHarness();
});
afterEach(async () => {
  await outboxSettled();
  await s.close();
});

/**
 * Notifications are delivered after the HTTP answer and marked delivered in a second store write:
 * wait for that write before the harness removes the store's folder.
 */
async function outboxSettled(timeoutMs = 5000) {
  const t0 = Date.now();
  for (;;) {
    await new Promise((r) => setImmediate(r));
    const { outbox } = await s.h.store.read();
    if (!outbox.some((i) => i.claim || (i.status === 'pending' && i.recipient.channel === 'slack' && !i.nextAttemptAt))) return;
    if (Date.now() - t0 > timeoutMs) throw new Error('the outbox did not settle');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const lastView = (method: string) => s.slack.of(method).at(-1)!.args.view;
const allText = (x: unknown) => JSON.stringify(x);
const inviteValues = (message?: string) => ({ invitee: { value: { type: 'users_select', selected_user: 'UCLEO123' } }, kind: { value: { type: 'static_select', selected_option: { value: 'aws:management' } } }, message: text(message) });

/** Runs the modal flow a person clicks through and returns the setup modal. */
async function openAwsSetup(user = 'U_ADMIN') {
  await s.command(user, 'link aws');
  expect(lastView('views.open').title.text).toBe('Add cloud account');
  const chooser = lastView('views.update');
  expect(allText(chooser)).toContain('link_choice:management');
  const management = chooser.blocks.flatMap((b: { elements?: { action_id?: string; value?: string }[] }) => b.elements ?? []).find((e: { action_id?: string }) => e.action_id === 'link_choice:management');
  expect(JSON.parse(management.value)).toEqual({ provider: 'aws', kind: 'management' });
  await s.action(user, { type: 'button', action_id: 'link_choice:management', value: management.value }, { id: 'V_KIND' });
  const modal = lastView('views.update');
  expect(modal.callback_id).toBe('aws_setup_submit');
  const setupId = JSON.parse(modal.private_metadata).setupId as string;
  const setup = (await s.h.engine.run(getSetupStatus, admin, { setupId })).setup;
  return { modal, setupId, setup };
}

/** Links an AWS account directly through the engine (for tests about what comes after). */
async function linkDirectly(kind: 'management' | 'linked', name: string, accountId: string) {
  const started = (await s.h.engine.run(startAwsSetup, admin, { kind })) as RoleHandout;
  await s.h.engine.run(completeAwsSetup, admin, { setupId: started.setupId, name, roleArn: deployStack(s.h.aws, started, accountId) });
  return started;
}

describe('request signing', () => {
  it('refuses bad, missing and stale signatures', async () => {
    const body = new URLSearchParams({ command: '/cloud', text: 'help', user_id: 'U_ADMIN', trigger_id: 't' }).toString();
    expect((await s.post(body, 'application/x-www-form-urlencoded', sign(body, undefined, 'wrong-secret'))).status).toBe(401);
    expect((await s.post(body, 'application/x-www-form-urlencoded', {})).status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await s.post(body, 'application/x-www-form-urlencoded', sign(body, stale))).status).toBe(401);
    expect((await s.post(body, 'application/x-www-form-urlencoded', sign(body))).status).toBe(200);
  });
});

describe('/cloud', () => {
  it('answers help and unknown input with usage, ephemeral', async () => {
    const help = await s.command('U_ADMIN', 'help');
    expect(help.json.response_type).toBe('ephemeral');
    expect(allText(help.json.blocks)).toContain('/cloud link');
    const unknown = await s.command('U_ADMIN', 'frobnicate <!channel>');
    expect(unknown.json.response_type).toBe('ephemeral');
    expect(unknown.json.text).toMatch(/I don't know `frobnicate`\. Usage:/);
  });

  it('links an AWS account through the modals, with field errors inside the modal', async () => {
    const { modal, setupId, setup } = await openAwsSetup();
    expect(allText(modal)).toContain(setup.aws!.externalId);
    const consoleButton = modal.blocks.find((b: { block_id?: string }) => b.block_id === 'console').elements[0];
    expect(consoleButton.url).toMatch(/^https:\/\/console\.aws\.amazon\.com\/cloudformation\/home\?region=us-east-1#\/stacks\/quickcreate\?/);
    // Linked accounts are not offered before a management account exists.
    expect(allText(s.slack.of('views.update')[0]!.args.view)).not.toContain('link_choice:linked');
    const meta = JSON.stringify({ setupId });

    const bad = await s.submit('U_ADMIN', 'aws_setup_submit', { name: text('Payer'), role_arn: text('arn:aws:iam::123:role/x'), account_id: text(undefined) }, meta);
    expect(bad.json).toMatchObject({ response_action: 'errors', errors: { role_arn: expect.stringMatching(/Not an IAM role ARN/) } });
    const empty = await s.submit('U_ADMIN', 'aws_setup_submit', { name: text('Payer'), role_arn: text(undefined), account_id: text(undefined) }, meta);
    expect(empty.json.errors.role_arn).toMatch(/Paste the RoleArn/);

    const roleArn = deployStack(s.h.aws, setup, '111111111111');
    const ok = await s.submit('U_ADMIN', 'aws_setup_submit', { name: text('Payer'), role_arn: text(roleArn), account_id: text(undefined) }, meta);
    expect(ok.json.response_action).toBe('update');
    const dm = (await s.slack.waitFor('chat.postMessage')).at(-1)!.args;
    expect(dm.channel).toBe('U_ADMIN');
    expect(allText(dm.blocks)).toMatch(/Payer \(AWS account 111111111111\) is linked and verified/);
    expect((await s.h.engine.run(getAccount, admin, { account: 'Payer' })).account.createdBy).toMatchObject({ id: 'U_ADMIN', via: 'slack' });

    // A second setup may not take the same name: the error sits on the name field.
    const second = await openAwsSetup();
    const dup = await s.submit('U_ADMIN', 'aws_setup_submit', { name: text('payer'), role_arn: text(roleArn.replace('1111', '2222')), account_id: text(undefined) }, JSON.stringify({ setupId: second.setupId }));
    expect(dup.json.errors.name).toMatch(/already taken/);
  });

  it('reports a refused role by DM, with the checklist and a way to try again', async () => {
    const { setupId, setup } = await openAwsSetup();
    const roleArn = `arn:aws:iam::111111111111:role/${setup.aws!.roleName}`;
    s.h.aws.addRole({ arn: roleArn, accountId: '111111111111', externalId: 'cl-not-this-one' });
    await s.submit('U_ADMIN', 'aws_setup_submit', { name: text('Payer'), role_arn: text(roleArn), account_id: text(undefined) }, JSON.stringify({ setupId }));
    const dm = (await s.slack.waitFor('chat.postMessage')).at(-1)!.args;
    expect(allText(dm.blocks)).toMatch(/could not be linked/);
    expect(allText(dm.blocks)).toMatch(/not authorized to perform sts:AssumeRole/);
    expect(allText(dm.blocks)).toContain('reopen_setup');
    expect((await s.h.engine.run(listAccounts, admin, {})).total).toBe(0);
  });

  it('lets the watcher finish when only the account id is given', async () => {
    const { setupId, setup } = await openAwsSetup();
    const r = await s.submit('U_ADMIN', 'aws_setup_submit', { name: text('Payer'), role_arn: text(undefined), account_id: text('111111111111') }, JSON.stringify({ setupId }));
    expect(allText(r.json.view)).toMatch(/watching AWS account 111111111111/);
    deployStack(s.h.aws, setup, '111111111111');
    await s.h.engine.jobs.watcher.tick();
    const dm = (await s.slack.waitFor('chat.postMessage')).at(-1)!.args;
    expect(dm.channel).toBe('U_ADMIN');
    expect(dm.text).toMatch(/Payer.*connected: cloudlink saw the stack finish/);
  });

  it('deletes only with the exact name, refuses members and management accounts with linked ones', async () => {
    const { setupId, setup } = await openAwsSetup();
    await s.submit('U_ADMIN', 'aws_setup_submit', { name: text('Payer'), role_arn: text(deployStack(s.h.aws, setup, '111111111111')), account_id: text(undefined) }, JSON.stringify({ setupId }));

    await s.command('U_MEMBER', 'delete Payer');
    expect(allText(lastView('views.open'))).toMatch(/only cloudlink admins may delete/);

    await s.command('U_ADMIN', 'delete payer');
    const modal = lastView('views.open');
    expect(modal.callback_id).toBe('delete_submit');
    const meta = modal.private_metadata;
    const wrong = await s.submit('U_ADMIN', 'delete_submit', { confirm_name: text('payer') }, meta);
    expect(wrong.json).toMatchObject({ response_action: 'errors', errors: { confirm_name: 'Type "Payer" exactly.' } });
    expect((await s.h.engine.run(listAccounts, admin, {})).total).toBe(1);

    // With a linked account, the management account cannot go.
    await linkDirectly('linked', 'Dev', '222222222222');
    await s.command('U_ADMIN', 'delete Payer');
    expect(allText(lastView('views.open'))).toMatch(/management account with 1 linked account.*Dev/);
    await s.h.engine.run(deleteAccount, admin, { account: 'Dev', confirmName: 'Dev' });

    const right = await s.submit('U_ADMIN', 'delete_submit', { confirm_name: text('Payer') }, meta);
    expect(right.json.response_action).toBe('update');
    expect(allText(right.json.view)).toMatch(/delete the CloudFormation stack/);
    expect((await s.h.engine.run(listAccounts, admin, {})).total).toBe(0);
  });

  it('renames from a modal, with the error in the field', async () => {
    const { setupId, setup } = await openAwsSetup();
    await s.submit('U_ADMIN', 'aws_setup_submit', { name: text('Payer'), role_arn: text(deployStack(s.h.aws, setup, '111111111111')), account_id: text(undefined) }, JSON.stringify({ setupId }));
    await s.command('U_ADMIN', 'rename Payer');
    const meta = lastView('views.open').private_metadata;
    const bad = await s.submit('U_ADMIN', 'rename_submit', { new_name: text('<!channel>') }, meta);
    expect(bad.json.errors.new_name).toMatch(/letters, digits/);
    const ok = await s.submit('U_ADMIN', 'rename_submit', { new_name: text('Billing') }, meta);
    expect(ok.status).toBe(200);
    expect((await s.h.engine.run(getAccount, admin, { account: 'Billing' })).account.name).toBe('Billing');
  });

  it('lists accounts on the response_url', async () => {
    await linkDirectly('management', 'Payer', '111111111111');
    await s.command('U_MEMBER', 'list');
    const reply = s.slack.responses.at(-1)!.body;
    expect(reply.response_type).toBe('ephemeral');
    expect(allText(reply.blocks)).toMatch(/\*AWS\* \(1\)/);
    expect(allText(reply.blocks)).toContain('Payer');
  });
});

describe('invites', () => {
  it('round trip: the colleague gets a DM, finishes the link, and each person hears once', async () => {
    await s.command('U_ADMIN', 'invite <@UCLEO123|cleo>');
    const modal = lastView('views.open');
    expect(modal.callback_id).toBe('invite_submit');
    expect(allText(modal)).toContain('"initial_user":"UCLEO123"');
    const sent = await s.submit('U_ADMIN', 'invite_submit', inviteValues('Could you deploy this?'));
    expect(sent.json.response_action).toBe('update');
    // The modal is then updated in place to "Invite sent".
    const sentView = s.slack.of('views.update').at(-1)!.args;
    expect(sentView.view_id).toBe('V_SUBMIT');
    expect(sentView.view.title.text).toBe('Invite sent');
    // The invitee's DM comes from the engine's outbox through the Slack notifier.
    const dms = (await s.slack.waitFor('chat.postMessage')).filter((c) => c.args.channel === 'UCLEO123');
    expect(dms).toHaveLength(1);
    const dm = dms[0]!.args;
    expect(allText(dm.blocks)).toMatch(/<@U_ADMIN> asked you to connect an AWS management account to cloudlink\./);
    expect(allText(dm.blocks)).toMatch(/Why you/);
    expect(allText(dm.blocks)).toContain('Could you deploy this?');
    const done = dm.blocks.flatMap((b: { elements?: { action_id?: string; value?: string; url?: string }[] }) => b.elements ?? []);
    expect(done.find((e: { action_id?: string }) => e.action_id === 'open_console').url).toMatch(/quickcreate/);
    const inviteId = done.find((e: { action_id?: string }) => e.action_id === 'invite_done').value as string;

    await s.action('UCLEO123', { type: 'button', action_id: 'invite_done', value: inviteId });
    const setupModal = lastView('views.update');
    expect(setupModal.callback_id).toBe('aws_setup_submit');
    const { setupId } = JSON.parse(setupModal.private_metadata);
    const setup = (await s.h.engine.run(getSetupStatus, admin, { setupId })).setup;
    // The External ID is shown in the setup modal the colleague opens; the DM has no External ID line
    // (the value only travels inside the console link, which pre-fills the stack's parameters).
    expect(allText(setupModal)).toContain(setup.aws!.externalId);
    const dmTexts = dm.blocks.map((b: { text?: { text: string } }) => b.text?.text ?? '').join('\n');
    expect(dmTexts).not.toContain(setup.aws!.externalId);
    const before = s.slack.of('chat.postMessage').length;
    await s.submit('UCLEO123', 'aws_setup_submit', { name: text('Payer'), role_arn: text(deployStack(s.h.aws, setup, '111111111111')), account_id: text(undefined) }, setupModal.private_metadata);
    await s.slack.waitFor('chat.postMessage', before + 2);
    // Nothing else is waiting: flush the outbox before counting.
    await s.h.engine.jobs.outbox.deliver();
    const after = s.slack.of('chat.postMessage').slice(before);
    const toCleo = after.filter((c) => c.args.channel === 'UCLEO123');
    const toAdmin = after.filter((c) => c.args.channel === 'U_ADMIN');
    expect(after).toHaveLength(2);
    expect(toCleo).toHaveLength(1);
    expect(toAdmin).toHaveLength(1);
    expect(toCleo[0]!.args.text).toMatch(/Payer \(AWS account 111111111111\) is linked and verified/);
    expect(toAdmin[0]!.args.text).toMatch(/Payer \(AWS\) is connected: <@UCLEO123> finished the setup you handed them, and cloudlink verified it/);

    // Single use: someone else cannot take it; after completion nobody can.
    await s.action('U_MALLORY', { type: 'button', action_id: 'invite_done', value: inviteId });
    expect(allText(lastView('views.update'))).toMatch(/already been used|sent to someone else/);
  });

  it('tells the inviter exactly once when another process (an assistant over MCP) finishes the invite', async () => {
    await s.submit('U_ADMIN', 'invite_submit', inviteValues());
    const invite = (await s.h.engine.run(listInvites, admin, {})).invites[0]!;
    // A second engine on the same store file stands for the stdio MCP server: it delivers nothing itself.
    const other = (await composeEngine(loadConfig(s.h.env), { log: silentLogger, deliver: false })).engine;
    const colleague = { id: 'UCLEO123', via: 'mcp' as const, role: 'member' as const };
    const accepted = await other.run(acceptInvite, colleague, { inviteId: invite.inviteId });
    expect(accepted.setup.kit).toBe('cloudformation-role');
    const roleArn = deployStack(s.h.aws, accepted.setup as RoleHandout, '111111111111');
    const before = s.slack.of('chat.postMessage').length;
    await other.run(completeAwsSetup, colleague, { setupId: accepted.setup.setupId, name: 'Payer', roleArn });
    expect(s.slack.of('chat.postMessage').length).toBe(before);

    await s.h.engine.jobs.outbox.deliver();
    const told = s.slack.of('chat.postMessage').slice(before);
    expect(told.map((c) => c.args.channel)).toEqual(['U_ADMIN']);
    // The colleague acted over MCP, so they are named, not @-mentioned.
    expect(told[0]!.args.text).toMatch(/Payer \(AWS\) is connected: UCLEO123 finished the setup you handed them/);
    await s.h.engine.jobs.outbox.deliver();
    expect(s.slack.of('chat.postMessage').length).toBe(before + 1);
  });

  it('the inviter can revoke, and the colleague is then told so', async () => {
    const sent = await s.submit('U_ADMIN', 'invite_submit', inviteValues());
    expect(sent.json.response_action).toBe('update');
    const sentView = lastView('views.update');
    const revoke = sentView.blocks.find((b: { block_id?: string }) => b.block_id === 'invite_actions').elements[0];
    expect(revoke.action_id).toBe('revoke_invite');
    await s.action('U_ADMIN', { type: 'button', action_id: 'revoke_invite', value: revoke.value }, { id: 'V_SENT' });
    expect(allText(lastView('views.update'))).toMatch(/is revoked/);
    const revoked = (await s.slack.waitFor('chat.postMessage', 2)).filter((c) => c.args.channel === 'UCLEO123').at(-1)!.args;
    expect(allText(revoked.blocks)).toMatch(/revoked the invite/);
    await s.action('UCLEO123', { type: 'button', action_id: 'invite_done', value: revoke.value });
    expect(allText(lastView('views.update'))).toMatch(/invite was revoked/);
  });
});

describe('App Home', () => {
  it('publishes accounts by provider with problems first, and refreshes after a change', async () => {
    const a = (await s.h.engine.run(startAwsSetup, admin, { kind: 'management' })) as RoleHandout;
    const arnA = deployStack(s.h.aws, a, '111111111111');
    await s.h.engine.run(completeAwsSetup, admin, { setupId: a.setupId, name: 'Payer', roleArn: arnA });
    const e = (await s.h.engine.run(eksFamily.start, admin, {})) as RoleHandout;
    await s.h.engine.run(completeAwsSetup, admin, { setupId: e.setupId, name: 'Clusters', roleArn: deployStack(s.h.aws, e, '333333333333') });
    s.h.aws.roles.delete(arnA);
    await s.h.engine.run(checkAccount, admin, { account: 'Payer' });

    await s.event({ type: 'app_home_opened', user: 'U_ADMIN', channel: 'D1', tab: 'home' });
    const home = lastView('views.publish');
    expect(home.type).toBe('home');
    const texts = home.blocks.map((b: { text?: { text: string } }) => b.text?.text ?? '').join('\n');
    expect(texts.indexOf('Configuration errors')).toBeLessThan(texts.indexOf('Amazon EKS'));
    expect(texts).toMatch(/Payer/);
    expect(allText(home)).toContain('home_add_account');
    expect(allText(home)).toContain('home_invite');
    const overflow = home.blocks.find((b: { block_id?: string }) => b.block_id?.startsWith('account:')).accessory;
    expect(overflow.options.map((o: { value: string }) => o.value.split(':')[0])).toEqual(['check', 'rename', 'delete']);

    const published = s.slack.of('views.publish').length;
    await s.h.engine.run(renameAccount, admin, { account: 'Clusters', newName: 'K8s' });
    const again = await s.slack.waitFor('views.publish', published + 1);
    expect(allText(again.at(-1)!.args.view)).toContain('K8s');
  });
});
