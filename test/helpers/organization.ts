import type { OrgAccount } from '../../src/engine/ports/aws.js';
import type { MemoryAws } from '../fakes/memory-gateways.js';

/** The management account of every test organization. */
export const MGMT = '100000000000';

export const orgAccount = (id: string, parentId: string, extra: Partial<OrgAccount> = {}): OrgAccount => ({ id, name: `Account ${id.slice(-3)}`, email: `aws+${id}@example.com`, status: 'ACTIVE', joinedMethod: 'CREATED', parentId, ...extra });

/** Root → Workloads (→ Prod), Sandbox; the management account and four members, one suspended. */
export function sampleOrganization(aws: MemoryAws) {
  aws.org = {
    rootId: 'r-ab12',
    nodes: [
      { id: 'r-ab12', name: 'Root', kind: 'root' },
      { id: 'ou-ab12-11111111', name: 'Workloads', kind: 'ou', parentId: 'r-ab12' },
      { id: 'ou-ab12-22222222', name: 'Prod', kind: 'ou', parentId: 'ou-ab12-11111111' },
      { id: 'ou-ab12-33333333', name: 'Sandbox', kind: 'ou', parentId: 'r-ab12' },
    ],
    accounts: [orgAccount(MGMT, 'r-ab12', { name: 'Payer' }), orgAccount('100000000001', 'ou-ab12-11111111'), orgAccount('100000000002', 'ou-ab12-22222222'), orgAccount('100000000003', 'ou-ab12-33333333'), orgAccount('100000000004', 'ou-ab12-22222222', { status: 'SUSPENDED' })],
    calls: 12,
  };
}

/** One OU of `members` accounts under the root: for the long calls (progress, cancellation). */
export function flatOrganization(aws: MemoryAws, members: number) {
  aws.org = {
    rootId: 'r-ab12',
    nodes: [{ id: 'r-ab12', name: 'Root', kind: 'root' }, { id: 'ou-ab12-11111111', name: 'Workloads', kind: 'ou', parentId: 'r-ab12' }],
    accounts: Array.from({ length: members }, (_, i) => ({ id: String(200000000000 + i), name: `Workload ${i}`, email: `w${i}@example.com`, status: 'ACTIVE', parentId: 'ou-ab12-11111111' })),
    calls: 3,
  };
}

/** The StackSet reached these members: their role exists with the organization's External ID. */
export function rollOut(aws: MemoryAws, externalId: string, ids: string[]) {
  for (const id of ids) aws.roles.set(`arn:aws:iam::${id}:role/CloudlinkMember`, { accountId: id, externalId });
}
