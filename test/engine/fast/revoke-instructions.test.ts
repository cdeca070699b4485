import { describe, expect, it } from 'vitest';
import { databaseWith } from '../../../bench/fixtures.js';
import { deleteAccount } from '../../../src/engine/operations/delete-account.js';
import { admin, memoryEngine } from '../../helpers/memory.js';

/** After a delete, what the person must still do on the cloud side, in words that hold for how the role was made. */
describe('how to remove the access after a delete', () => {
  it('names the stack cloudlink found, or says how to find the role when no stack was seen', async () => {
    const e = await memoryEngine();
    await e.store.mutate((d) => void d.accounts.push(...databaseWith(2).accounts));
    const [withStack, byArn] = (await e.store.read()).accounts;
    await e.store.mutate((d) => {
      const a = d.accounts.find((x) => x.id === withStack!.id)! as { aws: Record<string, unknown> };
      a.aws.stack = { name: 'cloudlink-aws-1a2b3c4d', status: 'CREATE_COMPLETE', region: 'eu-west-1', checkedAt: '2026-12-01T00:00:00Z' };
      delete (d.accounts.find((x) => x.id === byArn!.id)! as { aws: Record<string, unknown> }).aws.stack;
    });

    const a = await e.engine.run(deleteAccount, admin, { account: withStack!.id, confirmName: withStack!.name });
    expect(a.revokeInstructions[1]).toBe('To remove the access, delete the CloudFormation stack cloudlink-aws-1a2b3c4d (region eu-west-1): CloudFormation → Stacks → cloudlink-aws-1a2b3c4d → Delete. This deletes the role.');

    const b = await e.engine.run(deleteAccount, admin, { account: byArn!.id, confirmName: byArn!.name });
    const role = ((byArn as { aws: { roleArn: string } }).aws.roleArn).split('/').at(-1);
    expect(b.revokeInstructions[1]).toBe(`To remove the access, delete the role: if a CloudFormation stack made it, delete that stack (CloudFormation → Stacks → the stack whose Outputs show this RoleArn → Delete); otherwise IAM → Roles → ${role} → Delete.`);
    expect(b.revokeInstructions.join(' ')).not.toMatch(/the cloudlink stack/);
  });
});
