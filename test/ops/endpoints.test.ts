import { afterEach, describe, expect, it } from 'vitest';
import { awsFamily } from '../../src/engine/families/aws/index.js';
import type { RoleHandout } from '../../src/engine/families/aws-role/handout.js';
import { completeAwsSetup } from '../../src/engine/families/aws-role/operations.js';
import { deleteAccount } from '../../src/engine/operations/delete-account.js';
import { renameAccount } from '../../src/engine/operations/rename-account.js';
import { admin, deployStack, serviceHarness, type Harness } from '../helpers/engine.js';
import type { Service } from '../../src/compose.js';
import { randomUUID } from 'node:crypto';
import type { CertificateHandout } from '../../src/engine/families/app-certificate/handout.js';
import { completeMicrosoftSetup } from '../../src/engine/families/app-certificate/operations.js';
import { azureFamily } from '../../src/engine/families/azure/index.js';

let h: (Harness & { service: Service }) | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** One metric's value from the Prometheus text, by its labels (in any order). */
function sample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)\{([^}]*)\} ([\d.e+-]+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return 0;
}

describe('the operator endpoints', () => {
  it('/healthz and /readyz answer, and /metrics counts operations, cloud calls with their throttles, jobs and store latency', async () => {
    h = await serviceHarness();
    const ops = h.service.ops!.url;
    expect((await fetch(`${ops}/healthz`)).status).toBe(200);
    const ready = await fetch(`${ops}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { status: string; store: { ok: boolean } }).store.ok).toBe(true);

    const setup = (await h.engine.run(awsFamily.start, admin, { kind: 'management' })) as RoleHandout;
    const roleArn = deployStack(h.aws, setup, '111111111111');
    h.aws.faults.push({ kind: 'throttle', remaining: 1 });
    const { account } = (await h.engine.run(completeAwsSetup, admin, { setupId: setup.setupId, name: 'Payer', roleArn })) as { account: { id: string } };
    await expect(h.engine.run(renameAccount, admin, { account: account.id, newName: '' })).rejects.toThrow();
    await h.engine.run(renameAccount, admin, { account: account.id, newName: 'Payer two' });
    await h.engine.jobs.healthCheck();
    // A delete refused before the person is asked to confirm (a member may not delete) counts as refused.
    await expect(h.engine.confirmation(deleteAccount, { ...admin, id: 'U_MEMBER', role: 'member', via: 'mcp' }, { account: 'Payer two' })).rejects.toMatchObject({ code: 'FORBIDDEN' });

    const res = await fetch(`${ops}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(sample(text, 'cloudlink_operations_total', { operation: 'rename_account', front_end: 'slack', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'cloudlink_operations_total', { operation: 'rename_account', front_end: 'slack', outcome: 'refused' })).toBe(1);
    expect(sample(text, 'cloudlink_operations_total', { operation: 'delete_account', front_end: 'mcp', outcome: 'refused' })).toBe(1);
    expect(sample(text, 'cloudlink_cloud_calls_total', { service: 'sts', operation: 'AssumeRole', outcome: 'throttled' })).toBe(1);
    expect(sample(text, 'cloudlink_cloud_calls_total', { service: 'sts', operation: 'AssumeRole', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/cloudlink_store_seconds_count\{op="mutate"\} [1-9]/);
    expect(text).toMatch(/cloudlink_process_resident_memory_bytes \d+/);
    // Nothing secret is on the page: no key material, no External ID.
    expect(text).not.toContain(setup.aws!.externalId!);
    expect(text).not.toMatch(/PRIVATE KEY|secret/i);
  });

  it('counts Entra ID sign-ins and Resource Manager calls, throttles included', async () => {
    h = await serviceHarness();
    const t = h.ms.addTenant({ id: randomUUID(), apps: [{ clientId: randomUUID(), certificates: [], roles: {} }], subscriptions: [{ subscriptionId: randomUUID(), displayName: 'Production', state: 'Enabled' }] });
    const setup = (await h.engine.run(azureFamily.start, admin, { name: 'Az', tenantId: t.id, clientId: t.apps[0]!.clientId })) as CertificateHandout;
    t.apps[0]!.certificates.push(setup.microsoft!.certificatePem);
    h.ms.armFaults.push('throttle');
    await h.engine.run(completeMicrosoftSetup, admin, { setupId: setup.setupId });
    const text = await (await fetch(`${h.service.ops!.url}/metrics`)).text();
    expect(sample(text, 'cloudlink_cloud_calls_total', { service: 'entra', operation: 'token', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'cloudlink_cloud_calls_total', { service: 'arm', operation: 'subscriptions', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'cloudlink_cloud_calls_total', { service: 'arm', operation: 'subscriptions', outcome: 'throttled' })).toBe(1);
  });

  it('counts background job runs', async () => {
    h = await serviceHarness();
    await h.engine.jobs.watcher.tick();
    const text = await (await fetch(`${h.service.ops!.url}/metrics`)).text();
    expect(sample(text, 'cloudlink_job_runs_total', { job: 'watcher', outcome: 'ok' })).toBe(1);
  });

  it('while stopping, says draining and waits for what is in flight', async () => {
    h = await serviceHarness({ env: { CLOUDLINK_DRAIN_SECONDS: '5' } });
    const ops = h.service.ops!.url;
    const setup = (await h.engine.run(awsFamily.start, admin, { kind: 'management' })) as RoleHandout;
    const roleArn = deployStack(h.aws, setup, '111111111111', { availableAt: Date.now() + 600 });
    // A link waiting for IAM to propagate is in flight when the stop begins.
    const linking = h.engine.run(completeAwsSetup, admin, { setupId: setup.setupId, name: 'Payer', roleArn });
    await new Promise((r) => setTimeout(r, 100));
    expect(h.engine.inFlight()).toBe(1);
    const stopping = h.service.stop();
    await new Promise((r) => setTimeout(r, 50));
    expect((await fetch(`${ops}/readyz`)).status).toBe(503);
    await stopping;
    await expect(linking).resolves.toMatchObject({ account: { status: 'connected' } });
    expect((await h.store.read()).accounts).toHaveLength(1);
  });
});
