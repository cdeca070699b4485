import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsFamily } from '../../src/engine/families/aws/index.js';
import { completeAwsSetup } from '../../src/engine/families/aws-role/operations.js';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import { admin, deployStack } from '../helpers/engine.js';
import { deadHolder } from '../helpers/lock-holder.js';
import { slackHarness, text, type SlackHarness } from '../helpers/slack.js';

describe('a dead store writer through the Slack request path', () => {
  let slack: SlackHarness;
  beforeAll(async () => {
    // A minute's stale bound: only recognising the dead holder can explain a quick takeover.
    slack = await slackHarness({ env: { CLOUDLINK_STORE_STALE_LOCK_SECONDS: '60' } });
  });
  afterAll(async () => {
    await slack.close();
  });

  it('a signed rename submitted right after a holder was killed with SIGKILL is answered in time and stored', async () => {
    const h = slack.h;
    const s = await h.engine.run(awsFamily.start, admin, { kind: 'management' });
    const { account } = await h.engine.run(completeAwsSetup, admin, { setupId: s.setupId, name: 'Payer', roleArn: deployStack(h.aws, s, '111111111111') });

    // Another process (an MCP server, the CLI) dies holding the store's lock.
    await deadHolder(h.storePath);

    const started = Date.now();
    const res = await slack.submit('U_ADMIN', 'rename_submit', { new_name: text('Billing') }, JSON.stringify({ accountId: account.id }));
    const took = Date.now() - started;
    expect(res.status).toBe(200);
    expect(res.json).toBeUndefined(); // no field errors: the modal just closes
    // Within Slack's 3 s acknowledgement window, with room to spare.
    expect(took).toBeLessThan(3_000);
    const db = JSON.parse(await readFile(h.storePath, 'utf8'));
    expect(db.accounts.find((a: { id: string }) => a.id === account.id).name).toBe('Billing');
    expect(db.audit.filter((e: { operation: string; actor: { via: string } }) => e.operation === 'rename_account' && e.actor.via === 'slack')).toHaveLength(1);
    // The bound the quick takeover beat is the configured minute, passed from the config to the store.
    expect((h.store as LowdbStore).staleMs).toBe(60_000);
  });
});
