import { z } from 'zod';
import { actorRef } from '../../../audit.js';
import type { EngineCore, OpContext } from '../../../context.js';
import { CloudlinkError } from '../../../errors.js';
import { findAccount } from '../../../lookup.js';
import { defineOperation, DESTROYS, READS, WRITES_CLOUD } from '../../../registry/operation.js';
import { AccountRef, type AccountOf, type Database } from '../../../domain/records.js';
import { generateExternalId } from '../../aws-role/external-id.js';
import { quickCreateUrl } from '../../aws-role/quick-create.js';
import { TEMPLATE_FILES, templateUrl } from '../../aws-role/templates.js';
import { MemberState, OrgFilter, type Organization } from './schema.js';
import { syncOrganization, type SyncSummary } from './sync.js';
import { announceAccount } from '../../../webhooks/announce.js';

type AwsAccount = AccountOf<'aws'>;

export const MEMBER_ROLE_NAME = 'CloudlinkMember';
const OU_ID = z.string().regex(/^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/, 'must be a root id (r-ab12) or an OU id (ou-ab12-cd34ef56)');

const Counts = z.record(MemberState, z.number());
export const OrganizationView = z.object({
  id: z.string(),
  managementAccount: z.object({ id: z.string(), name: z.string() }),
  awsOrganizationId: z.string().optional(),
  rootId: z.string().optional(),
  filter: OrgFilter,
  memberRoleName: z.string(),
  stackSetName: z.string(),
  externalId: z.string().optional().describe("The members' External ID (for readers who may link)."),
  syncedAt: z.string().optional(),
  lastSync: z.object({ at: z.string(), calls: z.number(), ms: z.number() }).optional(),
  counts: Counts,
  total: z.number(),
  ous: z.array(z.object({ id: z.string(), name: z.string(), kind: z.enum(['root', 'ou']), parentId: z.string().optional(), counts: Counts, total: z.number() })),
});
export type OrganizationView = z.infer<typeof OrganizationView>;

export const MemberView = z.object({
  accountId: z.string(),
  name: z.string(),
  email: z.string(),
  status: z.string(),
  ou: z.object({ id: z.string(), name: z.string() }),
  state: MemberState,
  reason: z.string().optional(),
  fix: z.string().optional(),
  linkedAccount: z.object({ id: z.string(), name: z.string() }).optional(),
  joinedMethod: z.string().optional(),
  joinedAt: z.string().optional(),
});
export type MemberView = z.infer<typeof MemberView>;

const TROUBLE: MemberState[] = ['access_denied', 'role_missing', 'error', 'waiting_for_role', 'suspended', 'removed', 'excluded', 'linked'];
const zeroCounts = () => Object.fromEntries(MemberState.options.map((s) => [s, 0])) as Record<MemberState, number>;

export function organizationView(db: Readonly<Database>, org: Organization, linker: boolean): OrganizationView {
  const counts = zeroCounts();
  const perOu = new Map<string, Record<MemberState, number>>();
  for (const m of org.members) {
    counts[m.state]++;
    const c = perOu.get(m.parentId) ?? zeroCounts();
    c[m.state]++;
    perOu.set(m.parentId, c);
  }
  const mgmt = db.accounts.find((a) => a.id === org.managementAccountId);
  return {
    id: org.id,
    managementAccount: { id: org.managementAccountId, name: mgmt?.name ?? '(no longer linked)' },
    ...(org.awsOrganizationId ? { awsOrganizationId: org.awsOrganizationId } : {}),
    ...(org.rootId ? { rootId: org.rootId } : {}),
    filter: org.filter,
    memberRoleName: org.memberRoleName,
    stackSetName: org.stackSetName,
    ...(linker ? { externalId: org.externalId } : {}),
    ...(org.syncedAt ? { syncedAt: org.syncedAt } : {}),
    ...(org.lastSync ? { lastSync: { at: org.lastSync.at, calls: org.lastSync.calls, ms: org.lastSync.ms } } : {}),
    counts,
    total: org.members.length,
    ous: org.nodes.map((n) => {
      const c = perOu.get(n.id) ?? zeroCounts();
      return { id: n.id, name: n.name, kind: n.kind, ...(n.parentId ? { parentId: n.parentId } : {}), counts: c, total: Object.values(c).reduce((x, y) => x + y, 0) };
    }),
  };
}

/** The organization a reference means: the management account's name or id, or the AWS organization id. */
export function requireOrganization(db: Readonly<Database>, ref: string): Organization {
  const r = ref.trim();
  const account = findAccount(db, r);
  const org = db.organizations.find((o) => o.id === r || o.awsOrganizationId === r || (account && o.managementAccountId === account.id));
  if (!org) {
    throw new CloudlinkError('NOT_FOUND', `No linked organization is called "${r.slice(0, 80)}". Give the name of its management account (link_organization links one).`, { organization: 'No such organization.' });
  }
  return org;
}

function requireManagement(db: Readonly<Database>, ref: string): AwsAccount {
  const a = findAccount(db, ref);
  if (!a || a.provider !== 'aws' || (a as AwsAccount).aws.kind !== 'management') {
    throw new CloudlinkError('NOT_FOUND', `"${ref.slice(0, 80)}" is not a linked AWS management account. Link the organization's management account first (start_aws_setup, kind management).`, { managementAccount: 'Not a linked management account.' });
  }
  return a as AwsAccount;
}

/** The rollout stack for a management account linked before: one quick-create link, the members' parameters filled in. */
async function rolloutHandout(core: EngineCore, org: Organization, principal: string, mgmt: AwsAccount) {
  const url = templateUrl(core.settings.templateBaseUrl, 'organization');
  const stackName = org.stackSetName.replace(/^cloudlink-members-/, '');
  const targets = org.filter.includeOus.length ? org.filter.includeOus : org.rootId ? [org.rootId] : [];
  const parameters = { ExternalId: org.externalId, TrustedPrincipalArn: principal, RoleName: org.memberRoleName, OrganizationalUnitIds: targets.join(',') };
  return {
    templateFile: TEMPLATE_FILES.organization,
    stackName,
    parameters,
    ...(url ? { quickCreateUrl: quickCreateUrl({ partition: mgmt.aws.partition, region: org.region, templateUrl: url, stackName, parameters }) } : {}),
    instructions: [
      `Sign in to the AWS console in the management account (${mgmt.aws.accountId}) as someone who can create StackSets.`,
      'Make sure trusted access for CloudFormation StackSets is on: AWS Organizations → Services → CloudFormation StackSets → Enable trusted access.',
      url ? 'Open the quick-create link: the StackSet and its parameters are filled in. Tick the IAM acknowledgement and choose Create stack.' : `Create a stack from ${TEMPLATE_FILES.organization} with stack name ${stackName} and these parameters: ${Object.entries(parameters).map(([k, v]) => `${k} = ${v}`).join(', ')}.`,
      `The StackSet creates the role ${org.memberRoleName} in every member account of ${targets.join(', ') || 'the organization'}; cloudlink links each one as its role appears, and new accounts as they join.`,
    ],
  };
}

const Rollout = z.object({ templateFile: z.string(), stackName: z.string(), parameters: z.record(z.string(), z.string()), quickCreateUrl: z.string().optional(), instructions: z.array(z.string()) });
const Summary = z.object({ discovered: z.number(), linkedNow: z.number(), changed: z.number(), calls: z.number(), ms: z.number() });
const summaryOf = (s: SyncSummary) => ({ discovered: s.discovered, linkedNow: s.linkedNow, changed: s.changes.length, calls: s.calls, ms: s.ms });

const stateLine = (o: OrganizationView) =>
  MemberState.options
    .filter((s) => o.counts[s])
    .map((s) => `${o.counts[s]} ${s.replace(/_/g, ' ')}`)
    .join(', ') || 'no member accounts yet';

const Filters = {
  includeOus: z.array(OU_ID).max(1000).optional().describe('Link only accounts under these roots/OUs (child OUs included). Empty or absent: the whole organization.'),
  excludeOus: z.array(OU_ID).max(1000).optional().describe('Never link accounts under these OUs.'),
  excludeAccounts: z.array(z.string().regex(/^\d{12}$/, 'an AWS account id is exactly 12 digits')).max(10_000).optional().describe('Never link these accounts (excluded by hand).'),
};

/** Creates the organization's record on first use: a fresh members' External ID, the whole organization by default. */
export function newOrganization(ctx: Pick<OpContext, 'now' | 'settings'> & { actor: OpContext['actor'] }, mgmt: AwsAccount, stackName: string, opts: { externalId?: string; includeOus?: string[] } = {}): Organization {
  return {
    id: crypto.randomUUID(),
    provider: 'aws',
    managementAccountId: mgmt.id,
    ...(mgmt.aws.organizationId ? { awsOrganizationId: mgmt.aws.organizationId } : {}),
    externalId: opts.externalId ?? generateExternalId(),
    memberRoleName: MEMBER_ROLE_NAME,
    stackSetName: `cloudlink-members-${stackName}`,
    region: mgmt.aws.stack?.region ?? ctx.settings.awsDefaultRegion,
    filter: { includeOus: opts.includeOus ?? [], excludeOus: [], excludeAccounts: [] },
    nodes: [],
    members: [],
    createdBy: actorRef(ctx.actor),
    createdAt: ctx.now().toISOString(),
  };
}

export const linkOrganization = defineOperation({
  name: 'link_organization',
  title: 'Link a whole AWS Organization',
  description:
    "Links every member account of the organization a linked management account manages: discovers roots, OUs and accounts, gives the one-click rollout (a StackSet that creates the member role with the organization's External ID, now and for accounts that join later), and links each member as its role appears, verified like a single link. Optionally limit it to some OUs, or exclude OUs or single accounts (calling again changes the filter). Long: sends progress.",
  input: z.object({ managementAccount: AccountRef.describe('Name or id of the linked AWS management account.'), ...Filters }).strict(),
  output: z.object({ organization: OrganizationView, rollout: Rollout.optional().describe('Present until the StackSet exists: give the user the link.'), summary: Summary }),
  permission: 'link',
  nature: WRITES_CLOUD,
  summarize: (o) => `${o.organization.awsOrganizationId ?? 'Organization'} through "${o.organization.managementAccount.name}": ${o.summary.discovered} accounts found, ${o.summary.linkedNow} linked now; ${stateLine(o.organization)}.${o.rollout ? `\nRoll out the member role: ${o.rollout.quickCreateUrl ?? o.rollout.instructions.join(' ')}` : ''}`,
  async run(ctx, input) {
    const db = await ctx.store.read();
    const mgmt = requireManagement(db, input.managementAccount);
    const orgId = await ctx.store.mutate((d) => {
      let org = d.organizations.find((o) => o.managementAccountId === mgmt.id);
      if (!org) {
        org = newOrganization(ctx, mgmt, `cloudlink-org-${mgmt.id.slice(0, 8)}`, { ...(input.includeOus ? { includeOus: input.includeOus } : {}) });
        d.organizations.push(org);
        ctx.audit(d, { type: 'account', id: mgmt.id, name: mgmt.name }, { organization: 'linked', stackSetName: org.stackSetName });
      }
      const changed = (['includeOus', 'excludeOus', 'excludeAccounts'] as const).filter((k) => input[k] !== undefined && JSON.stringify(input[k]) !== JSON.stringify(org!.filter[k]));
      for (const k of changed) org.filter[k] = [...new Set(input[k]!)] as never;
      if (changed.length) ctx.audit(d, { type: 'account', id: mgmt.id, name: mgmt.name }, { filter: org.filter });
      return org.id;
    });
    const summary = await syncOrganization(ctx, orgId, { actor: ctx.actor, operation: ctx.operation, link: true, ...(ctx.progress ? { progress: ctx.progress } : {}), ...(ctx.signal ? { signal: ctx.signal } : {}) });
    const after = await ctx.store.read();
    const org = after.organizations.find((o) => o.id === orgId)!;
    const session = await ctx.gateways.aws.openSession({ roleArn: mgmt.aws.roleArn, externalId: mgmt.aws.externalId, region: org.region });
    const deployed = await ctx.gateways.aws.listStackInstances(session, org.stackSetName, org.region).catch(() => null);
    const rollout = deployed ? undefined : await rolloutHandout(ctx, org, await ctx.gateways.aws.platformPrincipalArn(), mgmt);
    return { organization: organizationView(after, org, ctx.reader.linker), ...(rollout ? { rollout } : {}), summary: summaryOf(summary) };
  },
});

export const resyncOrganization = defineOperation({
  name: 'resync_organization',
  title: 'Resync a linked organization',
  description:
    'Rereads a linked organization now (it also happens on a schedule): links new accounts, flags suspended, closed and removed ones (never deletes them), applies the filter to moved accounts, retries members still waiting for their role. Long: sends progress.',
  input: z.object({ organization: AccountRef.describe('The management account\'s name or id, or the AWS organization id (o-…).') }).strict(),
  output: z.object({ organization: OrganizationView, summary: Summary, changes: z.array(z.object({ accountId: z.string(), name: z.string(), from: MemberState.optional(), to: MemberState })) }),
  permission: 'check',
  nature: { readOnly: false, destructive: false, idempotent: true, openWorld: true },
  summarize: (o) => `${o.summary.discovered} accounts, ${o.changes.length} changed (${o.summary.linkedNow} newly linked) in ${(o.summary.ms / 1000).toFixed(1)} s; ${stateLine(o.organization)}.`,
  async run(ctx, input) {
    const org = requireOrganization(await ctx.store.read(), input.organization);
    const summary = await syncOrganization(ctx, org.id, { actor: ctx.actor, operation: ctx.operation, link: true, ...(ctx.progress ? { progress: ctx.progress } : {}), ...(ctx.signal ? { signal: ctx.signal } : {}) });
    const db = await ctx.store.read();
    return { organization: organizationView(db, db.organizations.find((o) => o.id === org.id)!, ctx.reader.linker), summary: summaryOf(summary), changes: summary.changes.slice(0, 500) };
  },
});

export const listOrganization = defineOperation({
  name: 'list_organization',
  title: 'Show a linked organization by OU',
  description: "Shows a linked organization: counts per state and per OU, and its member accounts, those in trouble first (role missing, access denied, waiting…), each with the reason and the fix. Filter by OU (child OUs included), state or a search over names, ids and e-mails; page with offset.",
  input: z
    .object({
      organization: AccountRef.describe("The management account's name or id, or the AWS organization id."),
      ou: z.string().max(100).optional().describe('Only accounts under this root or OU.'),
      state: MemberState.optional(),
      search: z.string().max(100).optional().describe('Only accounts whose name, id or e-mail contains this (case-insensitive).'),
      limit: z.number().int().min(1).max(1000).default(50),
      offset: z.number().int().min(0).default(0),
    })
    .strict(),
  output: z.object({ organization: OrganizationView, members: z.array(MemberView), total: z.number(), offset: z.number() }),
  permission: 'read',
  nature: READS,
  summarize: (o) =>
    [
      `${o.organization.awsOrganizationId ?? 'Organization'} through "${o.organization.managementAccount.name}": ${stateLine(o.organization)}.`,
      ...o.members.map((m) => `• ${m.name} (${m.accountId}, ${m.ou.name}) ${m.state.replace(/_/g, ' ')}${m.reason ? ` — ${m.reason}` : ''}`),
      ...(o.total > o.offset + o.members.length ? [`(${o.members.length} of ${o.total}: page with offset)`] : []),
    ].join('\n'),
  async run(ctx, input) {
    const db = await ctx.store.read();
    const org = requireOrganization(db, input.organization);
    const names = new Map(org.nodes.map((n) => [n.id, n.name]));
    const parent = new Map(org.nodes.map((n) => [n.id, n.parentId]));
    const under = (id: string, ou: string) => {
      for (let x: string | undefined = id, guard = 0; x && guard < 100; x = parent.get(x), guard++) if (x === ou) return true;
      return false;
    };
    const q = input.search?.toLowerCase();
    const matching = org.members
      .filter((m) => (!input.ou || under(m.parentId, input.ou)) && (!input.state || m.state === input.state) && (!q || m.name.toLowerCase().includes(q) || m.accountId.includes(q) || m.email.toLowerCase().includes(q)))
      .sort((a, b) => TROUBLE.indexOf(a.state) - TROUBLE.indexOf(b.state) || a.name.localeCompare(b.name));
    const accounts = new Map(db.accounts.map((a) => [a.id, a.name]));
    const members = matching.slice(input.offset, input.offset + input.limit).map((m) => ({
      accountId: m.accountId,
      name: m.name,
      email: m.email,
      status: m.status,
      ou: { id: m.parentId, name: names.get(m.parentId) ?? m.parentId },
      state: m.state,
      ...(m.reason ? { reason: m.reason } : {}),
      ...(m.fix ? { fix: m.fix } : {}),
      ...(m.linkedAccountId && accounts.has(m.linkedAccountId) ? { linkedAccount: { id: m.linkedAccountId, name: accounts.get(m.linkedAccountId)! } } : {}),
      ...(m.joinedMethod ? { joinedMethod: m.joinedMethod } : {}),
      ...(m.joinedAt ? { joinedAt: m.joinedAt } : {}),
    }));
    return { organization: organizationView(db, org, ctx.reader.linker), members, total: matching.length, offset: input.offset };
  },
});

const UnlinkInput = z
  .object({
    organization: AccountRef.describe("The management account's name or id, or the AWS organization id."),
    confirmName: z.string().max(200).describe("The management account's name, typed by the human to confirm."),
    expectedId: z.string().max(100).optional().describe('The organization id the confirmation was given for.'),
  })
  .strict();

export const unlinkOrganization = defineOperation({
  name: 'unlink_organization',
  title: 'Unlink a whole organization',
  description:
    "Unlinks an organization: forgets it and deletes every member account linked through it from cloudlink (the management account itself stays linked). The human must confirm by typing the management account's name. The result says how to remove the member roles on the AWS side.",
  input: UnlinkInput,
  output: z.object({ unlinked: OrganizationView, deletedAccounts: z.number(), revokeInstructions: z.array(z.string()) }),
  permission: 'delete',
  nature: DESTROYS,
  confirm: {
    field: 'confirmName',
    idField: 'expectedId',
    refField: 'organization',
    async subject(ctx, input) {
      const db = await ctx.store.read();
      const org = requireOrganization(db, input.organization);
      const view = organizationView(db, org, false);
      const linked = db.accounts.filter((a) => a.provider === 'aws' && (a as AwsAccount).aws.viaOrganization === org.id).length;
      return {
        id: org.id,
        name: view.managementAccount.name,
        question: `Unlink the organization ${org.awsOrganizationId ?? ''} managed by "${view.managementAccount.name}"? This deletes ${linked} member account${linked === 1 ? '' : 's'} linked through it from cloudlink (the management account stays). It cannot be undone. Type the management account's name to confirm.`,
      };
    },
  },
  summarize: (o) => `Unlinked ${o.unlinked.awsOrganizationId ?? 'the organization'}: ${o.deletedAccounts} member accounts deleted from cloudlink.\n${o.revokeInstructions.join('\n')}`,
  async run(ctx, input) {
    return ctx.store.mutate((db) => {
      const org = requireOrganization(db, input.organization);
      if (input.expectedId && input.expectedId !== org.id) throw new CloudlinkError('CONFIRMATION_MISMATCH', 'That name now belongs to a different organization than the one you confirmed. Nothing was unlinked; look it up again.');
      const view = organizationView(db, org, ctx.reader.linker);
      if (input.confirmName !== view.managementAccount.name) {
        throw new CloudlinkError('CONFIRMATION_MISMATCH', `To unlink, type the management account's name exactly: "${view.managementAccount.name}". Nothing was unlinked.`, { confirmName: `Type "${view.managementAccount.name}" exactly.` });
      }
      const members = db.accounts.filter((a) => a.provider === 'aws' && (a as AwsAccount).aws.viaOrganization === org.id);
      for (const m of members) announceAccount(ctx, db, 'cloudlink.account.deleted', m, { reason: 'organization_unlinked' });
      db.accounts = db.accounts.filter((a) => !members.includes(a));
      db.organizations = db.organizations.filter((o) => o.id !== org.id);
      ctx.audit(db, { type: 'account', id: org.managementAccountId, name: view.managementAccount.name }, { organization: 'unlinked', awsOrganizationId: org.awsOrganizationId, deletedAccounts: members.length });
      return {
        unlinked: view,
        deletedAccounts: members.length,
        revokeInstructions: [
          `cloudlink no longer uses the member role ${org.memberRoleName}, but it still exists in the member accounts.`,
          `To remove it, delete the StackSet ${org.stackSetName}'s stack instances and then the StackSet (CloudFormation → StackSets in the management account), or delete the stack that created it.`,
        ],
      };
    });
  },
});

export const ORGANIZATION_OPERATIONS = [linkOrganization, resyncOrganization, listOrganization, unlinkOrganization];

/** Background work: resync organizations that are due, sooner while members wait for their role. */
export async function organizationsPass(core: EngineCore, actor: OpContext['actor'], opts: { waitingEveryMs: number }) {
  const db = await core.store.read();
  const now = core.now().getTime();
  for (const org of db.organizations) {
    // A failed pass counts as a try: it is not retried on every tick.
    const last = Math.max(org.syncedAt ? Date.parse(org.syncedAt) : 0, org.lastSync ? Date.parse(org.lastSync.at) : 0);
    const waiting = org.members.some((m) => m.state === 'waiting_for_role');
    if (now - last < core.settings.orgSyncMs && !(waiting && now - last >= opts.waitingEveryMs)) continue;
    try {
      await syncOrganization(core, org.id, { actor, operation: 'resync_organization', link: true });
    } catch (e) {
      core.log.warn('organization resync failed', { organizationId: org.awsOrganizationId, error: e });
      await core.store.mutate((d) => {
        const o = d.organizations.find((x) => x.id === org.id);
        if (o) o.lastSync = { at: core.now().toISOString(), calls: 0, ms: 0, error: e instanceof CloudlinkError ? e.message : 'unexpected error' };
      });
    }
  }
}
