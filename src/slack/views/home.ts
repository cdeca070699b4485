import type { KnownBlock, View } from '@slack/types';
import { PROVIDER_LABELS, PROVIDERS } from '../../engine/domain/records.js';
import type { AccountView } from '../../engine/views.js';
import { clip, esc } from '../text.js';
import { accountSummary } from './accounts.js';
import { context, divider, header, md } from './blocks.js';

// App Home holds at most 100 blocks.
const MAX_ACCOUNT_BLOCKS = 80;

function accountBlock(a: AccountView, warnings: Map<string, string>): KnownBlock {
  const options = [
    { text: { type: 'plain_text' as const, text: 'Check now' }, value: `check:${a.id}` },
    { text: { type: 'plain_text' as const, text: 'Rename' }, value: `rename:${a.id}` },
    ...(a.capabilities.includes('subscriptions') ? [{ text: { type: 'plain_text' as const, text: 'Subscriptions' }, value: `subscriptions:${a.id}` }] : []),
    { text: { type: 'plain_text' as const, text: 'Delete' }, value: `delete:${a.id}` },
  ];
  const extra = a.status === 'error' && a.lastError ? `\n${esc(clip(a.lastError.message.split('\n')[0]!, 280))}` : warnings.has(a.id) ? `\n:hourglass: ${esc(warnings.get(a.id)!)}` : '';
  return { type: 'section', block_id: `account:${a.id}`, text: { type: 'mrkdwn', text: clip(accountSummary(a) + extra, 3000) }, accessory: { type: 'overflow', action_id: 'account_overflow', options } };
}

/** App Home: what needs attention first, then every account by provider, with actions on each. */
export function homeView(accounts: AccountView[], warnings: { account: AccountView; message: string }[] = []): View {
  const warn = new Map(warnings.map((w) => [w.account.id, w.message]));
  const blocks: KnownBlock[] = [
    header('Cloud accounts'),
    {
      type: 'actions',
      block_id: 'home_actions',
      elements: [
        { type: 'button', action_id: 'home_add_account', style: 'primary', text: { type: 'plain_text', text: 'Add cloud account' } },
        { type: 'button', action_id: 'home_invite', text: { type: 'plain_text', text: 'Invite a colleague' } },
        { type: 'button', action_id: 'home_refresh', text: { type: 'plain_text', text: 'Refresh' } },
      ],
    },
  ];
  let budget = MAX_ACCOUNT_BLOCKS;
  const broken = accounts.filter((a) => a.status === 'error');
  if (broken.length) {
    blocks.push(divider, md(`*:warning: Configuration errors (${broken.length})*`));
    for (const a of broken.slice(0, 15)) {
      blocks.push(accountBlock(a, warn));
      budget--;
    }
  }
  if (!accounts.length) blocks.push(divider, md('No accounts yet. *Add cloud account* walks you through it, or *Invite a colleague* who can deploy the AWS template.'));
  for (const p of PROVIDERS) {
    const group = accounts.filter((a) => a.provider === p && a.status !== 'error');
    if (!group.length) continue;
    blocks.push(divider, md(`*${PROVIDER_LABELS[p]}* (${group.length})`));
    for (const a of group) {
      if (budget-- <= 0) break;
      blocks.push(accountBlock(a, warn));
    }
  }
  if (budget < 0) blocks.push(context(`Too many accounts to show here: use \`/cloud list\` or an MCP assistant for the full list (${accounts.length} accounts).`));
  return { type: 'home', blocks };
}
