import { afterEach, describe, expect, it } from 'vitest';
import { awsFamily } from '../../src/engine/families/aws/index.js';
import { slackHarness, text, type SlackHarness } from '../helpers/slack.js';
import { admin } from '../helpers/engine.js';

let s: SlackHarness;
afterEach(async () => {
  await s?.close();
});

/**
 * The watcher says what happened, not more: with no AWS credentials of its own it found no role, so
 * it must not say it did (issue 12, item 4).
 */
describe('what the watcher tells the person who started a setup', () => {
  it('without AWS credentials: that it cannot look for the role yet, and why; never that it found one', async () => {
    s = await slackHarness({
      env: {
        // The principal customers trust is configured, but the service has no credentials to assume anything with.
        CLOUDLINK_AWS_PRINCIPAL_ARN: 'arn:aws:iam::999999999999:role/cloudlink-platform',
        AWS_ACCESS_KEY_ID: '',
        AWS_SECRET_ACCESS_KEY: '',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
        AWS_CONFIG_FILE: '/nonexistent/config',
      },
    });
    const setup = await s.h.engine.run(awsFamily.start, admin, { kind: 'management' });
    const r = await s.submit('U_ADMIN', 'aws_setup_submit', { name: text('Payer'), role_arn: text(undefined), account_id: text('111111111111') }, JSON.stringify({ setupId: setup.setupId }));
    expect(r.json.response_action).toBe('update');
    await s.h.engine.jobs.watcher.tick();
    const [dm] = await s.slack.waitFor('chat.postMessage');
    expect(dm!.args.channel).toBe('U_ADMIN');
    expect(dm!.args.text).toMatch(/cannot look for the role of your setup yet/);
    expect(JSON.stringify(dm!.args.blocks)).toMatch(/no AWS credentials/);
    expect(JSON.stringify(dm!.args.blocks)).not.toMatch(/found the role/);
    // Said once: the next pass sees the same problem and keeps quiet.
    await s.h.engine.jobs.watcher.tick();
    await s.h.engine.jobs.outbox.idle();
    expect(s.slack.of('chat.postMessage')).toHaveLength(1);
  });

  it('a role that works without the External ID: that it found the role but refuses it, and why', async () => {
    s = await slackHarness();
    const setup = await s.h.engine.run(awsFamily.start, admin, { kind: 'management' });
    await s.submit('U_ADMIN', 'aws_setup_submit', { name: text('Payer'), role_arn: text(undefined), account_id: text('111111111111') }, JSON.stringify({ setupId: setup.setupId }));
    s.h.aws.addRole({ arn: `arn:aws:iam::111111111111:role/${setup.aws!.roleName}`, accountId: '111111111111' });
    await s.h.engine.jobs.watcher.tick();
    const [dm] = await s.slack.waitFor('chat.postMessage');
    expect(dm!.args.text).toMatch(/found the role for your setup but could not link it/);
    expect(JSON.stringify(dm!.args.blocks)).toMatch(/without the External ID/);
  });
});
