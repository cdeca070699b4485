import { appendAudit } from '../../../audit.js';
import type { EngineCore } from '../../../context.js';
import { CloudlinkError } from '../../../errors.js';
import { freeName } from '../../../lookup.js';
import { AccountName, type AccountOf, type Actor, type Database } from '../../../domain/records.js';
import { enqueue, recipientOf } from '../../../outbox.js';
import type { OrgAccount, StackInstance } from '../../../ports/aws.js';
import { parseRoleArn, roleArn } from '../../aws-role/arn.js';
import { linkedFor } from '../../aws-role/kit.js';
import type { MemberState, OrgMember, Organization } from './schema.js';
import { announce, announceAccount } from '../../../webhooks/announce.js';

type AwsAccount = AccountOf<'aws'>;

export type SyncOptions = {
  actor: Actor;
  /** The operation the audit entries are named after. */
  operation: string;
  /** Try to link members whose role is not linked yet (a resync does; a discovery alone does not). */
  link: boolean;
  progress?: (done: number, total: number, message: string) => void;
  signal?: AbortSignal;
};

export type SyncSummary = {
  discovered: number;
  linkedNow: number;
  changes: { accountId: string; name: string; from?: MemberState; to: MemberState }[];
  byState: Record<MemberState, number>;
  calls: number;
  ms: number;
};

const STATES: MemberState[] = ['linked', 'waiting_for_role', 'role_missing', 'access_denied', 'suspended', 'excluded', 'removed', 'error'];

/** Is this account inside the filter: under an included root/OU (all, when none is named), and not under an excluded one? */
export function filtered(org: Pick<Organization, 'filter' | 'nodes'>, parentId: string, accountId: string, byHand: boolean): 'in' | 'excluded' {
  if (byHand || org.filter.excludeAccounts.includes(accountId)) return 'excluded';
  const parent = new Map(org.nodes.map((n) => [n.id, n.parentId]));
  const chain: string[] = [];
  for (let id: string | undefined = parentId, guard = 0; id && guard < 100; id = parent.get(id), guard++) chain.push(id);
  if (chain.some((id) => org.filter.excludeOus.includes(id))) return 'excluded';
  if (org.filter.includeOus.length && !chain.some((id) => org.filter.includeOus.includes(id))) return 'excluded';
  return 'in';
}

type Verdict = Pick<OrgMember, 'state' | 'reason' | 'fix'>;

/** What an AccessDenied means for a member, from its StackSet instance and how long cloudlink has known it. */
export function deniedVerdict(org: Organization, member: Pick<OrgMember, 'firstSeenAt'>, instance: StackInstance | undefined, now: Date, graceMs: number): Verdict {
  const where = `CloudFormation → StackSets → ${org.stackSetName} → Stack instances`;
  const detailed = instance?.detailedStatus ?? '';
  if (detailed === 'SKIPPED_SUSPENDED_ACCOUNT') return { state: 'suspended', reason: 'The account is suspended: the StackSet skipped it.' };
  if (detailed === 'PENDING' || detailed === 'RUNNING' || (instance && instance.status === 'OUTDATED' && detailed !== 'FAILED' && detailed !== 'CANCELLED')) {
    return { state: 'waiting_for_role', reason: `The StackSet is still creating the role in this account (instance ${detailed || instance?.status}).`, fix: 'Nothing to do: cloudlink links it as soon as the role exists.' };
  }
  if (detailed === 'FAILED' || detailed === 'CANCELLED' || instance?.status === 'INOPERABLE') {
    return { state: 'role_missing', reason: `The StackSet could not create the role here${instance?.reason ? `: ${instance.reason}` : ` (instance ${detailed || instance?.status})`}.`, fix: `Fix the cause, then retry the instance in ${where}; cloudlink links it at the next resync.` };
  }
  if (instance && (detailed === 'SUCCEEDED' || instance.status === 'CURRENT')) {
    return { state: 'access_denied', reason: 'The role exists (its StackSet instance succeeded), but AWS refuses to let cloudlink assume it: its trust policy or External ID does not match the organization\'s.', fix: `Update the stack instance with the StackSet's current parameters in ${where}, or remove it and let auto-deployment create it again.` };
  }
  const waited = now.getTime() - Date.parse(member.firstSeenAt);
  if (waited < graceMs) {
    return { state: 'waiting_for_role', reason: 'No cloudlink role in this account yet.', fix: 'Nothing to do if the StackSet covers its OU: cloudlink links it as soon as the role exists.' };
  }
  return {
    state: 'role_missing',
    reason: `No cloudlink role in this account after ${Math.round(waited / 60_000)} minutes.`,
    fix: `Check that its OU is among the StackSet's deployment targets (${where}), that trusted access for StackSets is enabled in AWS Organizations, or deploy aws-member-role.yaml in the account yourself.`,
  };
}

/** An Organizations account name as a cloudlink account name: its own if valid, else "AWS <id>". */
function memberName(db: Readonly<Database>, a: Pick<OrgAccount, 'id' | 'name'>): string {
  const parsed = AccountName.safeParse(a.name.replace(/[^\p{L}\p{N} ._\-()'&/:@+#]/gu, ' '));
  return freeName(db, parsed.success ? parsed.data : `AWS ${a.id}`);
}

async function pool<T>(items: T[], concurrency: number, signal: AbortSignal | undefined, fn: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal?.aborted) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * One resync of an organization: discover its tree, flag what changed (new, moved, suspended,
 * removed: never silently deleted), and verify the members that should be linked exactly as a single
 * link is verified (External ID enforced, caller identity matches, the no-External-ID probe refused),
 * a bounded number at a time. Results are written in batches, each with its audit entries.
 */
export async function syncOrganization(core: EngineCore, orgId: string, opts: SyncOptions): Promise<SyncSummary> {
  const started = Date.now();
  const db0 = await core.store.read();
  const org0 = db0.organizations.find((o) => o.id === orgId);
  if (!org0) throw new CloudlinkError('NOT_FOUND', 'This organization is no longer linked to cloudlink.');
  const mgmt = db0.accounts.find((a): a is AwsAccount => a.id === org0.managementAccountId && a.provider === 'aws');
  if (!mgmt) throw new CloudlinkError('NOT_FOUND', 'The management account this organization was linked through is no longer linked. Link it again, then link the organization.');
  opts.progress?.(0, 1, 'Discovering the organization');
  const session = await core.gateways.aws.openSession({ roleArn: mgmt.aws.roleArn, externalId: mgmt.aws.externalId, region: org0.region });
  const discovery = await core.gateways.aws.discoverOrganization(session);
  const instances = await core.gateways.aws.listStackInstances(session, org0.stackSetName, org0.region).catch(() => null);
  const instanceOf = new Map((instances ?? []).map((i) => [i.accountId, i]));
  let calls = discovery.calls + 1 + (instances ? 1 : 0);

  const now = core.now();
  const at = now.toISOString();
  const changes: SyncSummary['changes'] = [];
  const audit = (db: Database, m: Pick<OrgMember, 'accountId' | 'name'>, from: MemberState | undefined, to: MemberState, extra: Record<string, unknown> = {}) => {
    changes.push({ accountId: m.accountId, name: m.name, ...(from ? { from } : {}), to });
    appendAudit(db, now, opts.actor, opts.operation, { type: 'account', id: extra.linkedAccountId ? String(extra.linkedAccountId) : m.accountId, name: m.name }, { organization: org0.awsOrganizationId, awsAccountId: m.accountId, from, to, ...extra });
  };

  // 1. The tree and every member's organization facts; flags for what needs no AWS call.
  const toVerify = await core.store.mutate((db) => {
    const org = db.organizations.find((o) => o.id === orgId)!;
    org.rootId = discovery.rootId;
    org.nodes = discovery.nodes.map((n) => ({ id: n.id, name: n.name, kind: n.kind, ...(n.parentId ? { parentId: n.parentId } : {}) }));
    const seen = new Set<string>();
    const verify: OrgMember[] = [];
    for (const a of discovery.accounts) {
      if (a.id === mgmt.aws.accountId) continue; // the management account keeps its own role
      seen.add(a.id);
      let m = org.members.find((x) => x.accountId === a.id);
      if (!m) {
        m = { accountId: a.id, name: a.name, email: a.email, status: a.status, parentId: a.parentId, state: 'waiting_for_role', firstSeenAt: at, changedAt: at };
        org.members.push(m);
        announce(core, db, 'cloudlink.organization.member_added', `aws:${a.id}`, { organization: orgRef(org), member: memberRef(m) });
      }
      Object.assign(m, { name: a.name, email: a.email, status: a.status, parentId: a.parentId, ...(a.joinedMethod ? { joinedMethod: a.joinedMethod } : {}), ...(a.joinedAt ? { joinedAt: a.joinedAt } : {}) });
      const before = m.state;
      const linked = m.linkedAccountId ? db.accounts.find((x) => x.id === m!.linkedAccountId) : undefined;
      const set = (v: Verdict) => {
        m!.state = v.state;
        if (v.reason) m!.reason = v.reason;
        else delete m!.reason;
        if (v.fix) m!.fix = v.fix;
        else delete m!.fix;
        if (before !== v.state) {
          m!.changedAt = at;
          audit(db, m!, before, v.state, linked ? { linkedAccountId: linked.id } : {});
          if (v.state === 'suspended') announce(core, db, 'cloudlink.organization.member_suspended', `aws:${m!.accountId}`, { organization: orgRef(org), member: memberRef(m!), previousState: before });
        }
      };
      if (a.status !== 'ACTIVE') set({ state: 'suspended', reason: `The account is ${a.status.toLowerCase().replace('_', ' ')} in AWS Organizations: its role cannot be assumed.`, ...(linked ? { fix: 'Its cloudlink account stays, in error, until you delete it.' } : {}) });
      else if (filtered(org, a.parentId, a.id, Boolean(m.excludedByHand)) === 'excluded') set({ state: 'excluded', reason: m.excludedByHand || org.filter.excludeAccounts.includes(a.id) ? 'Excluded by hand.' : 'Its OU is outside the organization filter.', ...(linked ? { fix: 'Its cloudlink account stays linked until you delete it.' } : {}) });
      else if (linked) set({ state: 'linked' });
      // To verify: its state changes once, to what the verification finds (not through "waiting").
      else verify.push({ ...m });
    }
    for (const m of org.members) {
      if (seen.has(m.accountId) || m.state === 'removed') continue;
      const from = m.state;
      m.state = 'removed';
      m.reason = 'No longer in the organization (removed, or closed and gone).';
      m.fix = m.linkedAccountId ? 'Its cloudlink account stays until you delete it.' : undefined;
      if (!m.fix) delete m.fix;
      m.changedAt = at;
      audit(db, m, from, 'removed');
    }
    return verify;
  });

  // 2. Members to link: verified a few at a time, results written in batches.
  const total = toVerify.length;
  let done = 0;
  let linkedNow = 0;
  type Result = { accountId: string; verdict: Verdict; linked?: boolean };
  let batch: Result[] = [];
  const partition = mgmt.aws.partition;
  const flush = async () => {
    const results = batch;
    batch = [];
    if (!results.length) return;
    await core.store.mutate((db) => {
      const org = db.organizations.find((o) => o.id === orgId)!;
      for (const r of results) {
        const m = org.members.find((x) => x.accountId === r.accountId);
        if (!m) continue;
        const from = m.state;
        m.lastTriedAt = at;
        if (r.linked) {
          const existing = linkedFor(db, 'aws', m.accountId);
          let id = existing?.id;
          if (!existing) {
            id = crypto.randomUUID();
            const account: AwsAccount = {
              id,
              name: memberName(db, { id: m.accountId, name: m.name }),
              provider: 'aws',
              status: 'connected',
              createdBy: org.createdBy,
              createdAt: at,
              updatedAt: at,
              lastCheckedAt: at,
              aws: { kind: 'linked', accountId: m.accountId, roleArn: roleArn(partition, m.accountId, org.memberRoleName), partition, externalId: org.externalId, templateVersion: mgmt.aws.templateVersion, managementAccountId: mgmt.id, ...(org.awsOrganizationId ? { organizationId: org.awsOrganizationId } : {}), viaOrganization: org.id },
            };
            db.accounts.push(account);
            linkedNow++;
            announceAccount(core, db, 'cloudlink.account.linked', account, { how: 'organization', organization: orgRef(org) });
          }
          m.linkedAccountId = id!;
          m.state = 'linked';
          delete m.reason;
          delete m.fix;
        } else {
          m.state = r.verdict.state;
          if (r.verdict.reason) m.reason = r.verdict.reason;
          if (r.verdict.fix) m.fix = r.verdict.fix;
          else delete m.fix;
        }
        if (from !== m.state) {
          m.changedAt = at;
          audit(db, m, from, m.state, m.linkedAccountId ? { linkedAccountId: m.linkedAccountId } : {});
          if (m.state === 'suspended') announce(core, db, 'cloudlink.organization.member_suspended', `aws:${m.accountId}`, { organization: orgRef(org), member: memberRef(m), previousState: from });
        }
      }
    });
  };

  if (opts.link && total) {
    opts.progress?.(0, total, `Verifying ${total} member account${total === 1 ? '' : 's'}`);
    await pool(toVerify, core.settings.orgConcurrency, opts.signal, async (m) => {
      const arn = parseRoleArn(roleArn(partition, m.accountId, org0.memberRoleName));
      let result: Result;
      try {
        const v = await core.gateways.aws.verifyRole({ roleArn: arn.arn, externalId: org0.externalId, region: org0.region, retryForMs: 0, skipOrganization: true });
        calls += 3;
        result = v.accountId === m.accountId ? { accountId: m.accountId, verdict: { state: 'linked' }, linked: true } : { accountId: m.accountId, verdict: { state: 'error', reason: `The role answered from AWS account ${v.accountId}, not ${m.accountId}.`, fix: 'Check the StackSet instance in this account.' } };
      } catch (e) {
        calls += 1;
        const err = e instanceof CloudlinkError ? e : undefined;
        if (err?.code === 'ASSUME_ROLE_DENIED') result = { accountId: m.accountId, verdict: deniedVerdict(org0, m, instanceOf.get(m.accountId), now, core.settings.memberRoleGraceMs) };
        else if (err?.code === 'EXTERNAL_ID_NOT_ENFORCED') result = { accountId: m.accountId, verdict: { state: 'error', reason: err.message, fix: 'Redeploy the member role from cloudlink\'s StackSet: its trust policy requires the External ID.' } };
        else result = { accountId: m.accountId, verdict: { state: m.state, reason: `Not checked this time: ${err?.message.split('\n')[0] ?? 'an unexpected error'}`, ...(m.fix ? { fix: m.fix } : {}) } };
        if (!err) core.log.warn('organization member check failed unexpectedly', { awsAccountId: m.accountId, error: e });
      }
      batch.push(result);
      done++;
      if (batch.length >= 100) await flush();
      if (done % 25 === 0 || done === total) opts.progress?.(done, total, `${done} of ${total} member accounts checked`);
    });
    await flush();
  }

  const ms = Date.now() - started;
  const final = await core.store.mutate((db) => {
    const org = db.organizations.find((o) => o.id === orgId)!;
    org.syncedAt = at;
    org.lastSync = { at, calls, ms };
    const byState = Object.fromEntries(STATES.map((s) => [s, org.members.filter((m) => m.state === s).length])) as Record<MemberState, number>;
    if (changes.length) {
      // Whoever ran this pass sees its result where they ran it; the person who linked the organization is told.
      const to = recipientOf(org.createdBy);
      if (to && to.id !== opts.actor.id) enqueue(db, now, to, { kind: 'organization_changed', organization: { id: org.id, name: accountNameOf(db, org.managementAccountId), awsOrganizationId: org.awsOrganizationId ?? '' }, changes: summarizeChanges(changes), byState });
    }
    return { byState };
  });
  if (changes.length) core.events.emit('outbox.enqueued');
  return { discovered: discovery.accounts.length, linkedNow, changes, byState: final.byState, calls, ms };
}

/** What a webhook event says of an organization and a member: ids and names, no e-mail address, no External ID. */
const orgRef = (org: Organization) => ({ id: org.id, managementAccountId: org.managementAccountId, ...(org.awsOrganizationId ? { awsOrganizationId: org.awsOrganizationId } : {}) });
const memberRef = (m: OrgMember) => ({ awsAccountId: m.accountId, name: m.name, status: m.status, state: m.state, parentId: m.parentId, ...(m.linkedAccountId ? { linkedAccountId: m.linkedAccountId } : {}) });

const accountNameOf = (db: Readonly<Database>, id: string) => db.accounts.find((a) => a.id === id)?.name ?? 'organization';

/** Changes grouped by where they went, with a few names each: what a person reads. */
export function summarizeChanges(changes: SyncSummary['changes']) {
  const groups = new Map<MemberState, string[]>();
  for (const c of changes) groups.set(c.to, [...(groups.get(c.to) ?? []), c.name]);
  return [...groups.entries()].map(([state, names]) => ({ state, count: names.length, examples: names.slice(0, 5) }));
}
