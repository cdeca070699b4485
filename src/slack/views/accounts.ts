import type { KnownBlock } from '@slack/types';
import { PROVIDER_LABELS, PROVIDERS } from '../../engine/domain/records.js';
import type { AccountView } from '../../engine/views.js';
import { clip, esc, STATUS_ICON } from '../text.js';
import { context, divider, header, md } from './blocks.js';

export const accountSummary = (a: AccountView): string => `${STATUS_ICON[a.status] ?? ''} *${esc(a.name)}*  ${esc(a.summary)}`;

/** Slack's limits for one message: 50 blocks, 3,000 characters of text in a section. */
const MAX_BLOCKS = 50;
const SECTION_CHARS = 3000;

/** Lines packed into as few sections as fit, never cutting a line: a line that fits nowhere is left out and counted. */
export function packLines(title: string, lines: string[], maxSections: number): { blocks: KnownBlock[]; shown: number } {
  const blocks: KnownBlock[] = [];
  let text = title;
  let shown = 0;
  for (const line of lines) {
    const next = text ? `${text}\n${line}` : line;
    if (next.length <= SECTION_CHARS) {
      text = next;
      shown++;
      continue;
    }
    if (blocks.length + 1 >= maxSections) break;
    blocks.push(md(text));
    text = line.slice(0, SECTION_CHARS);
    shown++;
  }
  if (text) blocks.push(md(text));
  return { blocks, shown };
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
  let shown = 0;
  if (broken.length) {
    const lines = broken.slice(0, 10).map((a) => `${accountSummary(a)}\n${esc(clip(a.lastError?.message.split('\n')[0] ?? '', 300))}`);
    blocks.push(...packLines(`*:warning: Configuration errors (${broken.length})*`, lines, 4).blocks, divider);
  }
  for (const p of PROVIDERS) {
    const group = accounts.filter((a) => a.provider === p && a.status !== 'error');
    if (!group.length || shown >= limit) continue;
    const room = MAX_BLOCKS - blocks.length - 1;
    if (room <= 0) break;
    const packed = packLines(`*${PROVIDER_LABELS[p]}* (${group.length})`, group.slice(0, limit - shown).map(accountSummary), room);
    blocks.push(...packed.blocks);
    shown += packed.shown;
  }
  const healthy = accounts.length - broken.length;
  if (healthy > shown) blocks.push(context(`Showing ${shown} of ${healthy} connected or pending accounts${broken.length ? ` (and ${broken.length} with errors above)` : ''}. Open the cloudlink App Home for all of them.`));
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
