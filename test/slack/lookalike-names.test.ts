import { afterEach, describe, expect, it } from 'vitest';
import { awsFamily } from '../../src/engine/families/aws/index.js';
import { completeAwsSetup } from '../../src/engine/families/aws-role/operations.js';
import { admin, deployStack } from '../helpers/engine.js';
import { slackHarness, text, type SlackHarness } from '../helpers/slack.js';

/** Issue 13, item 4: names that show as "Payer" but are not, refused in the field through signed requests. */

let s: SlackHarness;
afterEach(async () => {
  await s?.close();
});

const lastView = (method: string) => s.slack.of(method).at(-1)!.args.view;
const CYRILLIC_PAYER = '\u0420\u0430\u0443\u0435\u0433'; // Р а у е г: every letter Cyrillic

async function link(name: string, accountId: string) {
  const setup = await s.h.engine.run(awsFamily.start, admin, { kind: 'management' });
  await s.h.engine.run(completeAwsSetup, admin, { setupId: setup.setupId, name, roleArn: deployStack(s.h.aws, setup, accountId) });
}

describe('look-alike names in Slack', () => {
  it('the rename modal refuses names that would show as an existing account\'s, each with its reason on new_name', async () => {
    s = await slackHarness();
    await link('Payer', '111111111111');
    await link('Billing', '222222222222');
    await s.command('U_ADMIN', 'rename Billing');
    const modal = lastView('views.open');
    expect(modal.callback_id).toBe('rename_submit');
    const rename = (name: string) => s.submit('U_ADMIN', 'rename_submit', { new_name: text(name) }, modal.private_metadata);

    const lookalike = await rename(CYRILLIC_PAYER);
    expect(lookalike.status).toBe(200);
    expect(lookalike.json).toMatchObject({ response_action: 'errors', errors: { new_name: 'This looks like the existing account "Payer"; choose a name that cannot be mistaken for it.' } });

    const mixed = await rename('P\u0430yer');
    expect(mixed.json).toMatchObject({ response_action: 'errors', errors: { new_name: expect.stringMatching(/mixes Latin and Cyrillic characters \(U\+0430/) } });

    const greek = await rename('\u03A1ayer');
    expect(greek.json.errors.new_name).toMatch(/mixes Latin and Greek characters \(U\+03A1/);

    for (const [filler, label] of [['\u3164', 'U+3164'], ['\u115F', 'U+115F'], ['\uFFA0', 'U+FFA0']] as const) {
      const invisible = await rename(`Payer${filler}`);
      expect(invisible.json).toMatchObject({ response_action: 'errors', errors: { new_name: expect.stringContaining(`invisible character (${label})`) } });
    }

    const fullwidth = await rename('\uFF30\uFF41\uFF59\uFF45\uFF52');
    expect(fullwidth.json).toMatchObject({ response_action: 'errors', errors: { new_name: 'This name is already taken.' } });

    const names = (await s.h.store.read()).accounts.map((a) => a.name).sort();
    expect(names).toEqual(['Billing', 'Payer']);

    const ok = await rename('Billing EU');
    expect(ok.status).toBe(200);
    expect(ok.json?.response_action).toBeUndefined();
  });

  it('the AWS setup modal refuses a look-alike name beside its field, before calling AWS', async () => {
    s = await slackHarness();
    await link('Payer', '111111111111');
    const assumed = s.h.aws.callsOf('AssumeRole').length;
    const setup = await s.h.engine.run(awsFamily.start, admin, { kind: 'management' });
    const r = await s.submit('U_ADMIN', 'aws_setup_submit', { name: text(CYRILLIC_PAYER), role_arn: text(deployStack(s.h.aws, setup, '333333333333')), account_id: text(undefined) }, JSON.stringify({ setupId: setup.setupId }));
    expect(r.json).toMatchObject({ response_action: 'errors', errors: { name: expect.stringMatching(/looks like the existing account "Payer"/) } });
    expect(s.h.aws.callsOf('AssumeRole')).toHaveLength(assumed);
  });
});
