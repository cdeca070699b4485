import type { KnownBlock } from '@slack/types';
import { PROVIDER_LABELS, PROVIDERS } from '../../engine/schemas.js';
import type { AccountView } from '../../engine/views.js';
import { clip, esc, STATUS_ICON } from '../text.js';
import { context, divider, header, md } from './blocks.js';

export function accountSummary(a: AccountView): string {
  const where = a.aws ? `AWS ${a.aws.accountId}${a.aws.kind ? ` · ${a.aws.kind}` : ''}${a.aws.managementAccountName ? ` of ${esc(a.aws.managementAccountName)}` : ''}` : a.microsoft ? `tenant ${a.microsoft.tenantId}` : '';
  const subs = a.microsoft?.subscriptions ? ` · ${a.microsoft.subscriptions.filter((s) => s.selected).length}/${a.microsoft.subscriptions.length} subscriptions` : '';
  return `${STATUS_ICON[a.status] ?? ''} *${esc(a.name)}*  ${where}${subs}`;
}

const rendered = new WeakMap<readonly AccountView[], KnownBlock[]>();

/** The account list as a message: grouped by provider, problems first. Rendered once per list. */
export function accountListBlocks(accounts: readonly AccountView[], limit = 40): KnownBlock[] {
  let blocks = rendered.get(accounts);
  if (!blocks) {
    blocks = renderAccountList(accounts, limit);
    rendered.set(accounts, blocks);
  }
  return blocks;
}

function renderAccountList(accounts: readonly AccountView[], limit: number): KnownBlock[] {
  if (!accounts.length) return [md('No cloud accounts are linked yet. Run `/cloud link` to add one.')];
  const blocks: KnownBlock[] = [];
  const broken = accounts.filter((a) => a.status === 'error');
  if (broken.length) {
    blocks.push(md(`*:warning: Configuration errors (${broken.length})*`));
    for (const a of broken.slice(0, 10)) blocks.push(md(`${accountSummary(a)}\n${esc(clip(a.lastError?.message.split('\n')[0] ?? '', 300))}`));
    blocks.push(divider);
  }
  let shown = 0;
  for (const p of PROVIDERS) {
    const group = accounts.filter((a) => a.provider === p);
    if (!group.length) continue;
    const lines = group.slice(0, Math.max(0, limit - shown)).map(accountSummary);
    shown += lines.length;
    if (lines.length) blocks.push(md(`*${PROVIDER_LABELS[p]}* (${group.length})\n${lines.join('\n')}`.slice(0, 2990)));
  }
  if (accounts.length > shown) blocks.push(context(`Showing ${shown} of ${accounts.length}. Open the cloudlink App Home for all of them.`));
  return blocks;
}

export const helpBlocks = (): KnownBlock[] => [
  header('cloudlink: your cloud accounts, from Slack'),
  md(
    [
      '`/cloud link [aws|eks|azure|m365|entra]` link an account, step by step',
      '`/cloud list` the linked accounts and their status',
      '`/cloud status <name>` check an account now',
      '`/cloud rename <name>` rename an account',
      '`/cloud delete <name>` delete an account (you type its name to confirm)',
      '`/cloud subscriptions <azure account>` choose Azure subscriptions',
      '`/cloud invite @colleague` hand a setup to someone who can deploy it',
      '`/cloud help` this message',
    ].join('\n'),
  ),
  context('Everything is also in the cloudlink App Home.'),
];
