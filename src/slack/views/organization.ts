import type { KnownBlock, View } from '@slack/types';
import type { MemberState } from '../../engine/families/aws/organization/schema.js';
import type { MemberView, OrganizationView } from '../../engine/families/aws/organization/operations.js';
import type { ConfirmSubject } from '../../engine/registry/operation.js';
import type { AccountView } from '../../engine/views.js';
import { clip, esc } from '../text.js';
import { count, packLines } from './accounts.js';
import { context, divider, md, modal, textInput } from './blocks.js';

/** Slack keeps a modal to 100 blocks. */
const MAX_MODAL_BLOCKS = 100;

/** Member states, worst first: the order of every list of them. */
export const STATE_ORDER: MemberState[] = ['access_denied', 'role_missing', 'error', 'waiting_for_role', 'suspended', 'removed', 'excluded', 'linked'];
/** The states that need someone's attention (an excluded or linked account does not). */
export const TROUBLE: ReadonlySet<MemberState> = new Set(['access_denied', 'role_missing', 'error', 'waiting_for_role', 'suspended', 'removed']);
export const STATE_LABEL: Record<MemberState, string> = {
  access_denied: 'access denied',
  role_missing: 'role missing',
  error: 'errors',
  waiting_for_role: 'waiting for their role',
  suspended: 'suspended or closing',
  removed: 'gone from the organization',
  excluded: 'excluded',
  linked: 'linked',
};
const ONE_STATE: Record<MemberState, string> = { ...STATE_LABEL, error: 'error', waiting_for_role: 'waiting for its role' };
const STATE_ICON: Record<MemberState, string> = {
  access_denied: ':no_entry:',
  role_missing: ':red_circle:',
  error: ':red_circle:',
  waiting_for_role: ':hourglass_flowing_sand:',
  suspended: ':double_vertical_bar:',
  removed: ':wastebasket:',
  excluded: ':heavy_minus_sign:',
  linked: ':large_green_circle:',
};

/** "2 access denied · 1 role missing · 40 linked", worst first. */
export const countsLine = (counts: Partial<Record<MemberState, number>>) =>
  STATE_ORDER.filter((s) => counts[s])
    .map((s) => `${count(counts[s]!)} ${STATE_LABEL[s]}`)
    .join(' · ') || 'no member accounts yet';

export const troubleCount = (counts: Partial<Record<MemberState, number>>) => STATE_ORDER.filter((s) => TROUBLE.has(s)).reduce((n, s) => n + (counts[s] ?? 0), 0);

const button = (action_id: string, text: string, value: string, style?: 'primary' | 'danger') => ({ type: 'button' as const, action_id, value, text: { type: 'plain_text' as const, text: clip(text, 75) }, ...(style ? { style } : {}) });

type Ou = OrganizationView['ous'][number];
/** OUs with trouble first (by how bad, then how much), then the bigger ones. */
function byTrouble(a: Ou, b: Ou): number {
  for (const s of STATE_ORDER) {
    if (!TROUBLE.has(s)) continue;
    const d = (b.counts[s] ?? 0) - (a.counts[s] ?? 0);
    if (d) return d;
  }
  return b.total - a.total || a.name.localeCompare(b.name);
}

export const memberLine = (m: MemberView) =>
  [`${STATE_ICON[m.state]} *${esc(m.name)}* (${esc(m.accountId)}, ${esc(m.ou.name)}): ${ONE_STATE[m.state]}`, ...(m.reason ? [esc(clip(m.reason, 600))] : []), ...(m.fix ? [`_Fix:_ ${esc(clip(m.fix, 600))}`] : [])].join('\n');

/**
 * A linked organization: counts by state, its OUs (trouble first), the accounts that need attention
 * (worst first, each with the reason and the fix), and Resync now / Unlink organization (admins).
 */
export function organizationModal(o: OrganizationView, members: MemberView[], opts: { canUnlink: boolean }): View {
  const ref = o.managementAccount.id;
  const sync = o.syncedAt ? `last resynced ${o.syncedAt.slice(0, 16).replace('T', ' ')} UTC${o.lastSync ? ` (${count(o.lastSync.calls)} AWS calls, ${(o.lastSync.ms / 1000).toFixed(1)} s)` : ''}` : 'not resynced yet';
  const filter = [
    o.filter.includeOus.length ? `only ${o.filter.includeOus.map(esc).join(', ')}` : '',
    o.filter.excludeOus.length ? `never ${o.filter.excludeOus.map(esc).join(', ')}` : '',
    o.filter.excludeAccounts.length ? `${count(o.filter.excludeAccounts.length)} accounts excluded by hand` : '',
  ].filter(Boolean);
  const blocks: KnownBlock[] = [
    md(`:office: *${esc(o.managementAccount.name)}* manages organization ${esc(o.awsOrganizationId ?? '(id not known yet)')}\n*${count(o.total)} member account${o.total === 1 ? '' : 's'}:* ${countsLine(o.counts)}`),
    context(`Member role \`${esc(o.memberRoleName)}\` · StackSet \`${esc(o.stackSetName)}\` · ${sync}${filter.length ? ` · filter: ${filter.join('; ')}` : ''}`),
    { type: 'actions', block_id: 'org_actions', elements: [button('org_resync', 'Resync now', ref, 'primary'), ...(opts.canUnlink ? [button('org_unlink', 'Unlink organization', ref, 'danger')] : [])] },
  ];
  const tail: KnownBlock[] = [];

  // The accounts that need attention: the engine lists them worst first.
  const trouble = members.filter((m) => TROUBLE.has(m.state));
  const troubleTotal = troubleCount(o.counts);
  const troubleBlocks: KnownBlock[] = [divider];
  if (!troubleTotal) troubleBlocks.push(md(':white_check_mark: No member account needs attention.'));
  else {
    const packed = packLines(`*Accounts needing attention* (${count(troubleTotal)})`, trouble.map(memberLine), 30);
    troubleBlocks.push(...packed.blocks);
    if (packed.shown < troubleTotal) troubleBlocks.push(context(`The ${count(packed.shown)} worst of ${count(troubleTotal)} are shown. Fix them, then *Resync now*: every account is checked again.`));
  }

  // OUs: what is left of the 100 blocks.
  const ous = o.ous.filter((u) => u.total > 0).sort(byTrouble);
  const empty = o.ous.length - ous.length;
  const lines = ous.map((u) => `• *${esc(u.name)}* \`${esc(u.id)}\`: ${count(u.total)} account${u.total === 1 ? '' : 's'}, ${countsLine(u.counts)}`);
  const room = MAX_MODAL_BLOCKS - blocks.length - troubleBlocks.length - tail.length - 3;
  const packed = packLines(`*By OU* (${count(ous.length)} with member accounts)`, lines, Math.min(room, 40));
  blocks.push(divider, ...(lines.length ? packed.blocks : [md('*By OU*\nNo member accounts discovered yet: *Resync now* reads the organization.')]));
  const notes = [
    ...(packed.shown < lines.length ? [`${count(lines.length - packed.shown)} more OUs with fewer accounts in trouble are not shown.`] : []),
    ...(empty ? [`${count(empty)} ${empty === 1 ? 'root or OU has' : 'roots or OUs have'} no member accounts.`] : []),
  ];
  if (notes.length) blocks.push(context(notes.join(' ')));
  blocks.push(...troubleBlocks, ...tail);
  return modal({ callbackId: 'org_view', title: 'AWS organization', close: 'Close', blocks, metadata: { managementAccountId: ref } });
}

/** A management account whose organization is not linked yet: what linking it whole does, and the button. */
export function organizationOffer(mgmt: AccountView, opts: { refusal?: string }): View {
  return modal({
    title: 'AWS organization',
    close: 'Close',
    blocks: [
      md(`:office: *${esc(mgmt.name)}* (AWS ${esc(mgmt.aws?.accountId ?? '')}) is a linked management account; its organization is not linked to cloudlink yet.`),
      md(
        [
          '*Linking the whole organization*',
          "• cloudlink reads the organization's OUs and member accounts from AWS Organizations, read-only, with this account's role.",
          '• You get one CloudFormation stack to create (a quick-create link): its StackSet gives every member account the read-only role `CloudlinkMember`, now and whenever an account joins; an account that leaves loses it.',
          '• cloudlink links each member account as its role appears, verified like a single link (the External ID is required), and resyncs on a schedule: new accounts are linked, suspended and removed ones flagged, never deleted.',
          '• Trusted access for CloudFormation StackSets must be on in AWS Organizations (the steps say how).',
        ].join('\n'),
      ),
      opts.refusal ? md(`:no_entry_sign: ${esc(opts.refusal)}`) : { type: 'actions', block_id: 'org_link', elements: [button('org_link', 'Link the whole organization', mgmt.id, 'primary')] },
      context('Progress and the result arrive as a message from cloudlink, updated in place.'),
    ],
  });
}

/** Several management accounts and none named: which one. */
export function organizationChooser(managers: { account: AccountView; linked: boolean }[]): View {
  const shown = managers.slice(0, 100);
  const chunks: KnownBlock[] = [];
  for (let i = 0; i < shown.length; i += 25) {
    chunks.push({ type: 'actions', block_id: `org_pick_${i / 25}`, elements: shown.slice(i, i + 25).map(({ account, linked }) => button(`org_open:${account.id}`, `${account.name}${linked ? '' : ' (not linked yet)'}`, account.id)) });
  }
  return modal({
    title: 'AWS organization',
    close: 'Cancel',
    blocks: [
      md(`${count(managers.length)} AWS management accounts are linked. Which organization do you want to see?`),
      ...chunks,
      ...(managers.length > shown.length ? [context(`${count(managers.length - shown.length)} more: name it, \`/cloud org <management account>\`.`)] : []),
    ],
  });
}

/** The typed-name confirmation for unlinking, like deleting an account. */
export const organizationUnlinkModal = (subject: ConfirmSubject): View =>
  modal({
    callbackId: 'org_unlink_submit',
    title: 'Unlink organization',
    submit: 'Unlink',
    metadata: { organizationId: subject.id },
    blocks: [
      md(`:warning: ${esc(subject.question)}`),
      textInput({ blockId: 'confirm_name', label: clip(`Type "${subject.name}" to confirm`, 75), placeholder: subject.name, maxLength: 200 }),
      context('Afterwards you will be told how to remove the member roles on the AWS side.'),
    ],
  });

export const organizationUnlinkedView = (out: { unlinked: OrganizationView; deletedAccounts: number; revokeInstructions: string[] }): View =>
  modal({
    title: 'Organization unlinked',
    close: 'Done',
    blocks: [
      md(`:wastebasket: The organization ${esc(out.unlinked.awsOrganizationId ?? '')} managed by *${esc(out.unlinked.managementAccount.name)}* is unlinked: ${count(out.deletedAccounts)} member account${out.deletedAccounts === 1 ? ' was' : 's were'} deleted from cloudlink. *${esc(out.unlinked.managementAccount.name)}* itself stays linked.`),
      md(out.revokeInstructions.map(esc).join('\n')),
    ],
  });

type Message = { text: string; blocks: KnownBlock[] };
const showButton = (managementAccountId: string) => button(`org_open:${managementAccountId}`, 'Show organization', managementAccountId);

/** A long operation under way: what it is doing, and how far it got. `title` is mrkdwn, already escaped. */
export function progressMessage(title: string, p?: { done: number; total: number; message: string }): Message {
  const bar = p && p.total > 1 ? `\n\`${'█'.repeat(Math.round((p.done / p.total) * 20)).padEnd(20, '░')}\` ${Math.floor((p.done / p.total) * 100)}%` : '';
  return { text: title, blocks: [md(`:hourglass_flowing_sand: *${title}*\n${esc(p?.message ?? 'Starting…')}${bar}`)] };
}

/** `title` is mrkdwn, already escaped; `message` is the engine's, escaped here. */
export const failedMessage = (title: string, message: string): Message => ({ text: title, blocks: [md(`:x: *${title}*\n${esc(message)}`)] });

type Summary = { discovered: number; linkedNow: number; changed: number; calls: number; ms: number };
type Rollout = { quickCreateUrl?: string; instructions: string[]; templateFile: string; stackName: string };

/** The end of a link from Slack: what was found, and (until the StackSet exists) how to roll the member role out. */
export function organizationLinkedMessage(out: { organization: OrganizationView; rollout?: Rollout; summary: Summary }): Message {
  const o = out.organization;
  const head = `:white_check_mark: *The organization ${esc(o.awsOrganizationId ?? '')} is linked through ${esc(o.managementAccount.name)}.*\n${count(out.summary.discovered)} accounts found, ${count(out.summary.linkedNow)} linked now (${(out.summary.ms / 1000).toFixed(1)} s).\n${countsLine(o.counts)}`;
  const blocks: KnownBlock[] = [md(head)];
  if (out.rollout) {
    blocks.push(md(`*Next: give the member accounts their role* (stack \`${esc(out.rollout.stackName)}\`)\n${out.rollout.instructions.map((x, i) => `${i + 1}. ${esc(x)}`).join('\n')}`));
    if (!out.rollout.quickCreateUrl) blocks.push(context(`Template: \`${esc(out.rollout.templateFile)}\` (ask your cloudlink admin, or use the MCP resource cloudlink://templates/${esc(out.rollout.templateFile)}).`));
  } else {
    blocks.push(md("The member role's StackSet is in place: cloudlink links each member account as its role appears, and resyncs on a schedule."));
  }
  blocks.push({
    type: 'actions',
    block_id: 'org_result',
    elements: [...(out.rollout?.quickCreateUrl ? [{ ...button('open_console', 'Open AWS console', 'console', 'primary'), url: out.rollout.quickCreateUrl }] : []), showButton(o.managementAccount.id)],
  });
  return { text: `The organization ${esc(o.awsOrganizationId ?? '')} is linked through ${esc(o.managementAccount.name)}`, blocks };
}

/** The end of a resync from Slack: what changed. */
export function organizationResyncedMessage(out: { organization: OrganizationView; summary: Summary; changes: { accountId: string; name: string; from?: MemberState; to: MemberState }[] }): Message {
  const o = out.organization;
  const s = out.summary;
  const head = `:white_check_mark: *${esc(o.managementAccount.name)}'s organization is resynced* (${(s.ms / 1000).toFixed(1)} s): ${count(s.discovered)} accounts, ${count(s.changed)} changed, ${count(s.linkedNow)} newly linked.\n${countsLine(o.counts)}`;
  const lines = out.changes.slice(0, 10).map((c) => `• ${esc(c.name)} (${esc(c.accountId)}): ${c.from ? ONE_STATE[c.from] : 'new'} → ${ONE_STATE[c.to]}`);
  const more = s.changed > lines.length ? [`… and ${count(s.changed - lines.length)} more changes.`] : [];
  return {
    text: `${esc(o.managementAccount.name)}'s organization is resynced`,
    blocks: [md([head, ...lines, ...more].join('\n')), { type: 'actions', block_id: 'org_result', elements: [showButton(o.managementAccount.id)] }],
  };
}
