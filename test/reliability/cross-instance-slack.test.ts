import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseWith } from '../../bench/fixtures.js';
import { composeService, type Service } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { renameAccount } from '../../src/engine/operations/rename-account.js';
import { silentLogger } from '../../src/log.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { AwsFake } from '../fakes/aws-fake.js';
import { SlackFake } from '../fakes/slack-fake.js';
import { admin, fakeEnv } from '../helpers/engine.js';
import { testDatabase } from '../helpers/postgres.js';
import { SIGNING_SECRET, sign } from '../helpers/slack.js';

/**
 * Two instances with Slack on one PostgreSQL database, one workspace: an App Home opened through one
 * and an account renamed through the other. The home is republished once, by the instance that leads.
 */
let db: Awaited<ReturnType<typeof testDatabase>>;
let aws: AwsFake;
let slack: SlackFake;
let dir: string;
const services: Service[] = [];

async function instance() {
  const env = fakeEnv(aws, dir, {
    CLOUDLINK_DATABASE_URL: db.url,
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: `${slack.url}/api/`,
    CLOUDLINK_SLACK_MODE: 'http',
    CLOUDLINK_SLACK_ADMINS: 'U_ADMIN',
    CLOUDLINK_LEADER_HEARTBEAT_SECONDS: '1',
    CLOUDLINK_HEALTH_INTERVAL_MINUTES: '0',
  });
  const s = await composeService(loadConfig(env), { log: silentLogger, slack: { port: 0, processBeforeResponse: true, retries: 0 } });
  services.push(s);
  return s;
}

beforeAll(async () => {
  db = await testDatabase();
  aws = new AwsFake();
  await aws.start();
  slack = new SlackFake();
  await slack.start();
  dir = await mkdtemp(join(tmpdir(), 'cloudlink-cross-'));
  const seed = new PostgresStore(db.url);
  await seed.init();
  await seed.mutate((d) => void d.accounts.push(...databaseWith(3).accounts));
  await seed.close();
});
afterAll(async () => {
  for (const s of services) await s.stop();
  await slack.stop();
  await aws.stop();
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

const published = (name: string) => slack.of('views.publish').filter((c) => JSON.stringify(c.args.view).includes(name));

describe('two instances with Slack on one database', () => {
  it('a rename through the instance that does not lead reaches the App Home opened through it, published once', async () => {
    const a = await instance();
    const t0 = Date.now();
    while (!a.leadership!.leading && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 50));
    const b = await instance();
    expect(a.leadership!.leading).toBe(true);
    expect(b.leadership!.leading).toBe(false);

    // The admin opens App Home; Slack sends the event to b (the load balancer's choice).
    const body = JSON.stringify({ type: 'event_callback', team_id: 'T1', api_app_id: 'A1', event_id: 'Ev1', event_time: 1, event: { type: 'app_home_opened', user: 'U_ADMIN', channel: 'D1', tab: 'home' } });
    const res = await fetch(b.slack!.url!, { method: 'POST', headers: { 'content-type': 'application/json', ...sign(body) }, body });
    expect(res.status).toBe(200);
    await slack.waitFor('views.publish');

    const target = (await b.store.read()).accounts[0]!;
    await b.engine.run(renameAccount, admin, { account: target.id, newName: 'Renamed on b' });
    const t1 = Date.now();
    while (!published('Renamed on b').length && Date.now() - t1 < 5000) await new Promise((r) => setTimeout(r, 50));
    expect(published('Renamed on b')).toHaveLength(1);
    expect(published('Renamed on b')[0]!.args.user_id).toBe('U_ADMIN');
    // Both instances heard of the change; only the leader publishes. Give the other time to (wrongly) do so too.
    await new Promise((r) => setTimeout(r, 1000));
    expect(published('Renamed on b')).toHaveLength(1);
    // And a read through a sees it.
    expect((await a.store.read()).accounts.find((x) => x.id === target.id)!.name).toBe('Renamed on b');
  }, 30_000);
});
