import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { admin } from '../helpers/engine.js';
import { slackHarness, text, type SlackHarness } from '../helpers/slack.js';

let s: SlackHarness;
beforeEach(async () => {
  s = await slackHarness({ env: { CLOUDLINK_WEBHOOK_ALLOW_HTTP: 'true' } });
});
afterEach(async () => {
  await s.h.engine.jobs.outbox.idle();
  await s.close();
});

const lastView = (method: string) => s.slack.of(method).at(-1)!.args.view;

describe('/cloud webhooks', () => {
  it('lists the subscribers with their last delivery, and deletes one only with its name typed', async () => {
    // A receiver that is down: the delivery is recorded as failed-and-retrying.
    const { webhook } = (await s.h.engine.run(s.h.engine.find('create_webhook')!, admin, { name: 'SIEM', url: 'http://127.0.0.1:9/hooks', events: ['cloudlink.account.renamed'] })) as { webhook: { id: string } };
    await s.h.store.mutate((db) => {
      db.outbox.push({ id: 'd1', createdAt: new Date().toISOString(), recipient: { channel: 'webhook', id: webhook.id }, notification: { kind: 'webhook_event', event: { id: 'e1', type: 'cloudlink.account.renamed', subject: 'a1' } }, status: 'pending', attempts: 1, lastError: 'the receiver could not be reached (connection refused, DNS or TLS error)', nextAttemptAt: new Date(Date.now() + 60_000).toISOString() });
    });
    await s.command('U_ADMIN', 'webhooks');
    const list = lastView('views.open');
    expect(list.title.text).toBe('Webhooks');
    const shown = JSON.stringify(list);
    expect(shown).toContain('*SIEM*');
    expect(shown).toContain('account.renamed');
    expect(shown).toMatch(/pending.*connection refused/);
    const button = list.blocks.find((b: { accessory?: { action_id: string } }) => b.accessory?.action_id === 'webhook_delete').accessory;
    expect(button.value).toBe(webhook.id);

    await s.action('U_ADMIN', { type: 'button', action_id: 'webhook_delete', value: webhook.id }, { id: 'V_LIST' });
    const confirm = lastView('views.push');
    expect(confirm.callback_id).toBe('webhook_delete_submit');
    expect(JSON.stringify(confirm)).toMatch(/Type the subscriber name/);

    const wrong = await s.submit('U_ADMIN', 'webhook_delete_submit', { confirm_name: text('siem') }, confirm.private_metadata);
    expect(wrong.json).toMatchObject({ response_action: 'errors', errors: { confirm_name: expect.stringMatching(/Type "SIEM" exactly/) } });
    expect((await s.h.store.read()).webhooks).toHaveLength(1);
    const done = await s.submit('U_ADMIN', 'webhook_delete_submit', { confirm_name: text('SIEM') }, confirm.private_metadata);
    expect(done.json.response_action).toBe('update');
    expect(JSON.stringify(done.json.view)).toMatch(/SIEM\* was deleted; 1 pending delivery was dropped/);
    expect((await s.h.store.read()).webhooks).toEqual([]);
    expect((await s.h.store.read()).audit.at(-1)).toMatchObject({ operation: 'delete_webhook', actor: { id: 'U_ADMIN', via: 'slack' } });
  });

  it('tells a member that only admins manage webhooks, before showing anything', async () => {
    await s.command('U_MEMBER', 'webhooks');
    expect(JSON.stringify(lastView('views.open'))).toMatch(/only cloudlink admins may manage webhooks/);
  });
});
