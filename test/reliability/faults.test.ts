import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloudlinkError } from '../../src/engine/errors.js';
import { completeMicrosoftSetup } from '../../src/engine/families/app-certificate/operations.js';
import { awsFamily } from '../../src/engine/families/aws/index.js';
import { completeAwsSetup } from '../../src/engine/families/aws-role/operations.js';
import { azureFamily } from '../../src/engine/families/azure/index.js';
import { listAccounts } from '../../src/engine/operations/accounts.js';
import { getSetupStatus } from '../../src/engine/operations/setups.js';
import { admin, deployStack, harness, type Harness } from '../helpers/engine.js';

const startAwsSetup = awsFamily.start;
let h: Harness;
beforeEach(async () => {
  h = await harness({ env: { CLOUDLINK_CLOUD_TIMEOUT_MS: '400', CLOUDLINK_AWS_PROPAGATION_TIMEOUT_SECONDS: '1' } });
});
afterEach(async () => {
  await h.close();
});

async function failsCleanly(run: () => Promise<unknown>, code: string, setupId: string) {
  const e = await run().then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(CloudlinkError);
  expect((e as CloudlinkError).code).toBe(code);
  expect((e as CloudlinkError).message).toMatch(/Nothing was stored|try again/i);
  // Never half an account: nothing linked, the setup still open to retry.
  expect((await h.engine.run(listAccounts, admin, {})).total).toBe(0);
  expect((await h.engine.run(getSetupStatus, admin, { setupId })).setup.status).toBe('open');
}

describe('AWS faults', () => {
  it('retries 500s and a connection dropped mid-body, then links', async () => {
    const s = await h.engine.run(startAwsSetup, admin, { kind: 'management' });
    const roleArn = deployStack(h.aws, s, '111111111111');
    h.aws.faults.push({ kind: 'server-error', remaining: 1 }, { kind: 'drop', remaining: 1 });
    const { account } = await h.engine.run(completeAwsSetup, admin, { setupId: s.setupId, name: 'Payer', roleArn });
    expect(account.status).toBe('connected');
    expect(h.aws.faults).toEqual([]);
  });

  it('reports lasting 500s, stores nothing', async () => {
    const s = await h.engine.run(startAwsSetup, admin, { kind: 'management' });
    const roleArn = deployStack(h.aws, s, '111111111111');
    h.aws.faults.push({ kind: 'server-error', remaining: 1000 });
    await failsCleanly(() => h.engine.run(completeAwsSetup, admin, { setupId: s.setupId, name: 'Payer', roleArn }), 'CLOUD_ERROR', s.setupId);
  });

  it('times out a hanging AWS, stores nothing', async () => {
    const s = await h.engine.run(startAwsSetup, admin, { kind: 'management' });
    const roleArn = deployStack(h.aws, s, '111111111111');
    h.aws.faults.push({ kind: 'hang', remaining: 1000 });
    const t0 = Date.now();
    await failsCleanly(() => h.engine.run(completeAwsSetup, admin, { setupId: s.setupId, name: 'Payer', roleArn }), 'CLOUD_UNREACHABLE', s.setupId);
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  it('reports an unreachable AWS', async () => {
    const s = await h.engine.run(startAwsSetup, admin, { kind: 'management' });
    const roleArn = deployStack(h.aws, s, '111111111111');
    await h.aws.stop();
    await failsCleanly(() => h.engine.run(completeAwsSetup, admin, { setupId: s.setupId, name: 'Payer', roleArn }), 'CLOUD_UNREACHABLE', s.setupId);
  });
});

describe('Azure and Graph faults', () => {
  async function azureSetup() {
    const t = h.ms.addTenant({ id: randomUUID(), apps: [{ clientId: randomUUID(), certificates: [], roles: {} }], subscriptions: [{ subscriptionId: randomUUID(), displayName: 'Prod', state: 'Enabled' }] });
    const s = await h.engine.run(azureFamily.start, admin, { name: 'Az', tenantId: t.id, clientId: t.apps[0]!.clientId });
    t.apps[0]!.certificates.push(s.microsoft!.certificatePem);
    return s;
  }

  it('retries Resource Manager throttling and a connection dropped mid-body, then links', async () => {
    const s = await azureSetup();
    h.ms.armFaults.push('throttle', 'drop');
    const out = await h.engine.run(completeMicrosoftSetup, admin, { setupId: s.setupId });
    expect(out.account.status).toBe('connected');
    expect(h.ms.armFaults).toEqual([]);
  });

  it('reports lasting Resource Manager errors, stores nothing', async () => {
    const s = await azureSetup();
    h.ms.armFaults.push(...Array(10).fill('server-error'));
    await failsCleanly(() => h.engine.run(completeMicrosoftSetup, admin, { setupId: s.setupId }), 'CLOUD_ERROR', s.setupId);
  });

  it('reports an unreachable Entra ID, stores nothing', async () => {
    const s = await azureSetup();
    await h.ms.stop();
    await failsCleanly(() => h.engine.run(completeMicrosoftSetup, admin, { setupId: s.setupId }), 'CLOUD_UNREACHABLE', s.setupId);
  });
});
