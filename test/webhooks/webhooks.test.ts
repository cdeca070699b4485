import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RoleHandout } from '../../src/engine/families/aws-role/handout.js';
import { CloudlinkError } from '../../src/engine/errors.js';
import type { Actor } from '../../src/engine/domain/records.js';
import { admin, deployStack, member, serviceHarness, type Harness } from '../helpers/engine.js';
import type { Service } from '../../src/compose.js';
import { Receiver } from './receiver.js';

let h: Harness & { service: Service };
let rx: Receiver;
let now = Date.now();

const run = (name: string, input: Record<string, unknown>, actor: Actor = admin) => h.engine.run(h.engine.find(name)!, actor, input) as Promise<any>;
/** Everything the dispatcher has under way is recorded (deliveries happen after the operation answers). */
const settled = () => h.engine.jobs.outbox.idle();
/** The clock moves on past the retry's backoff; the dispatcher's next pass finds it due. */
const later = async (ms: number) => {
  now += ms;
  await h.engine.jobs.outbox.deliver();
  await settled();
};

async function linkAws(name: string, accountId: string) {
  const started = (await run('start_aws_setup', { kind: 'management' })) as RoleHandout;
  const roleArn = deployStack(h.aws, started, accountId);
  return (await run('complete_aws_setup', { setupId: started.setupId, name, roleArn })).account as { id: string; name: string };
}

beforeEach(async () => {
  now = Date.now();
  rx = await new Receiver().start();
  h = await serviceHarness({ env: { CLOUDLINK_WEBHOOK_ALLOW_HTTP: 'true', CLOUDLINK_WEBHOOK_SOURCE: 'urn:cloudlink:test' }, now: () => new Date(now) });
});
afterEach(async () => {
  await settled();
  await h.close();
  await rx.stop();
});

async function subscribe(events?: string[], name = 'Platform events') {
  const out = await run('create_webhook', { name, url: rx.url, ...(events ? { events } : {}) });
  rx.secret = out.secret;
  return out as { webhook: { id: string; name: string }; secret: string };
}

describe('webhook deliveries', () => {
  it('POSTs a signed CloudEvent for a linked account, which the receiver verifies', async () => {
    const { secret } = await subscribe();
    expect(secret).toMatch(/^whsec_/);
    const account = await linkAws('Prod Payer', '111111111111');
    await settled();
    expect(rx.refused).toEqual([]);
    expect(rx.handled).toHaveLength(1);
    const [d] = rx.deliveries;
    expect(d!.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
    expect(d!.event).toMatchObject({ specversion: '1.0', type: 'cloudlink.account.linked', source: 'urn:cloudlink:test', subject: account.id, datacontenttype: 'application/json', data: { account: { id: account.id, name: 'Prod Payer', provider: 'aws', status: 'connected' } } });
    expect(d!.headers['x-cloudlink-event-id']).toBe(d!.event.id);
    // Views for nobody in particular: the External ID is not in the event, nor the secret anywhere at rest.
    expect(d!.event.data.account.aws.externalId).toBeUndefined();
    expect(await h.atRest()).not.toContain(secret);
  });

  it('retries a failed delivery with backoff, the same event id each time, so the receiver handles it once', async () => {
    await subscribe();
    // The receiver handles the event but fails before answering 2xx: cloudlink must deliver it again.
    rx.plan = [{ status: 500, handle: true }];
    await linkAws('Prod Payer', '111111111111');
    await settled();
    expect(rx.deliveries).toHaveLength(1);
    const log1 = await run('list_webhook_deliveries', { webhook: 'platform events' });
    expect(log1.deliveries[0]).toMatchObject({ status: 'pending', attempts: 1, lastError: 'the receiver answered HTTP 500', type: 'cloudlink.account.linked' });
    // Not before its backoff (2 s after the first attempt).
    await later(1000);
    expect(rx.deliveries).toHaveLength(1);
    await later(1500);
    expect(rx.deliveries).toHaveLength(2);
    expect(rx.deliveries[1]!.event.id).toBe(rx.deliveries[0]!.event.id);
    expect(Number(rx.deliveries[1]!.headers['x-cloudlink-request-timestamp'])).toBeGreaterThanOrEqual(Number(rx.deliveries[0]!.headers['x-cloudlink-request-timestamp']));
    expect(rx.handled).toHaveLength(1);
    const log2 = await run('list_webhook_deliveries', { webhook: 'Platform events' });
    expect(log2.deliveries[0]).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(log2.webhook.deliveries).toEqual({ pending: 0, delivered: 1, failed: 0 });
  });

  it('keeps the events about one account in order: a later one waits for the one that failed', async () => {
    await subscribe();
    const account = await linkAws('Prod Payer', '111111111111');
    const other = await linkAws('Other', '222222222222');
    await settled();
    rx.plan = [{ status: 503, handle: false }];
    await run('rename_account', { account: account.id, newName: 'Payer Two' });
    await settled();
    await run('rename_account', { account: account.id, newName: 'Payer Three' });
    await run('rename_account', { account: other.id, newName: 'Other Two' });
    await settled();
    // The second rename of Payer is held behind the first; the other account's goes at once.
    expect(rx.handled.map((e) => e.data.account?.name)).toEqual(['Prod Payer', 'Other', 'Other Two']);
    await later(2500);
    expect(rx.handled.filter((e) => e.subject === account.id).map((e) => [e.type, e.data.previousName, e.data.account.name])).toEqual([
      ['cloudlink.account.linked', undefined, 'Prod Payer'],
      ['cloudlink.account.renamed', 'Prod Payer', 'Payer Two'],
      ['cloudlink.account.renamed', 'Payer Two', 'Payer Three'],
    ]);
  });

  it('is refused by the receiver when replayed after five minutes, or altered', async () => {
    await subscribe();
    await linkAws('Prod Payer', '111111111111');
    await settled();
    const captured = rx.deliveries[0]!;
    // Replayed at once: the signature still holds, and the receiver's de-duplication drops it.
    expect(await rx.replay(captured)).toBe(200);
    expect(rx.handled).toHaveLength(1);
    // Replayed as captured six minutes ago: its timestamp is signed, so it cannot be freshened.
    const old = Math.floor(Date.now() / 1000) - 360;
    const oldSignature = 'v0=' + createHmac('sha256', rx.secret).update(`v0:${old}:${captured.body}`).digest('hex');
    expect(await rx.replay(captured, { 'x-cloudlink-request-timestamp': String(old), 'x-cloudlink-signature': oldSignature })).toBe(401);
    // A fresh timestamp on the captured signature does not match it.
    expect(await rx.replay(captured, { 'x-cloudlink-request-timestamp': String(Number(captured.headers['x-cloudlink-request-timestamp']) + 2) })).toBe(401);
    expect(await rx.replay({ ...captured, body: captured.body.replace('Prod Payer', 'Evil Payer') })).toBe(401);
    expect(rx.refused.map((r) => r.reason)).toEqual(['stale or missing timestamp', 'bad signature', 'bad signature']);
  });

  it('tells each subscriber only the event types it asked for: deletes, health changes', async () => {
    await subscribe(['cloudlink.account.deleted', 'cloudlink.account.health_changed'], 'Ops');
    const account = await linkAws('Prod Payer', '111111111111');
    const role = [...h.aws.roles.values()][0]!;
    role.externalId = 'changed';
    await run('check_account', { account: account.id });
    role.externalId = undefined;
    await settled();
    await run('delete_account', { account: account.id, confirmName: 'Prod Payer' });
    await settled();
    expect(rx.handled.map((e) => [e.type, e.data.status ?? e.data.account.status])).toEqual([
      ['cloudlink.account.health_changed', 'error'],
      ['cloudlink.account.deleted', 'error'],
    ]);
    expect(rx.handled[0]!.data).toMatchObject({ previousStatus: 'connected', status: 'error' });
  });

  it('gives up after its attempts and says so in the delivery log; a 410 stops at once', async () => {
    const { webhook } = await subscribe();
    rx.plan = [{ status: 410, handle: false }];
    await linkAws('Prod Payer', '111111111111');
    await settled();
    const log = await run('list_webhook_deliveries', { webhook: webhook.id, status: 'failed' });
    expect(log.deliveries).toEqual([expect.objectContaining({ status: 'failed', attempts: 1, lastError: 'the receiver answered HTTP 410 Gone' })]);
    const list = await run('list_webhooks', {});
    expect(list.webhooks[0]).toMatchObject({ name: 'Platform events', url: rx.url, deliveries: { failed: 1 }, lastDelivery: { status: 'failed' } });
    expect(JSON.stringify(list)).not.toContain(rx.secret);
  });
});

describe('managing subscribers', () => {
  it('deletes a subscriber only with its name typed exactly, dropping what it still had to receive', async () => {
    const { webhook } = await subscribe();
    rx.plan = [{ status: 500, handle: false }];
    await linkAws('Prod Payer', '111111111111');
    await settled();
    const subject = await h.engine.confirmation(h.engine.find('delete_webhook')!, admin, { webhook: 'platform events' });
    expect(subject).toMatchObject({ id: webhook.id, name: 'Platform events', question: expect.stringMatching(/Type the subscriber name/) });
    const wrong = await run('delete_webhook', { webhook: webhook.id, confirmName: 'platform events', expectedId: webhook.id }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(CloudlinkError);
    expect((wrong as CloudlinkError).code).toBe('CONFIRMATION_MISMATCH');
    const out = await run('delete_webhook', { webhook: webhook.id, confirmName: 'Platform events', expectedId: webhook.id });
    expect(out).toMatchObject({ deleted: { name: 'Platform events' }, droppedDeliveries: 1 });
    expect((await h.store.read()).outbox.filter((i) => i.recipient.channel === 'webhook')).toEqual([]);
    await later(5000);
    expect(rx.deliveries).toHaveLength(1);
  });

  it('refuses members, plain http unless allowed, credentials in the URL, and a taken name', async () => {
    const forbidden = await run('list_webhooks', {}, member).catch((e: CloudlinkError) => e.code);
    expect(forbidden).toBe('FORBIDDEN');
    await subscribe();
    const taken = await run('create_webhook', { name: 'PLATFORM EVENTS', url: rx.url }).catch((e: CloudlinkError) => e.code);
    expect(taken).toBe('NAME_TAKEN');
    const creds = await run('create_webhook', { name: 'B', url: 'https://user:pw@hooks.example.com/x' }).catch((e: CloudlinkError) => e.fields.url);
    expect(creds).toMatch(/credentials/);
    const audit = (await h.store.read()).audit.filter((e) => e.operation === 'create_webhook');
    expect(audit[0]).toMatchObject({ target: { type: 'webhook', name: 'Platform events' }, details: { host: new URL(rx.url).host } });
  });
});
