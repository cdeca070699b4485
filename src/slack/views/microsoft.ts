import type { KnownBlock, View } from '@slack/types';
import type { StartMicrosoftSetupOutput } from '../../engine/operations/microsoft-setups.js';
import { PROVIDER_LABELS, type Provider } from '../../engine/schemas.js';
import type { SubscriptionView } from '../../engine/views.js';
import { clip, esc } from '../text.js';
import { context, md, modal, textInput } from './blocks.js';

type MsProvider = Extract<Provider, 'azure' | 'm365' | 'entra'>;

/** Step 1: the app registration's ids; cloudlink then generates the certificate. */
export function microsoftSetupModal(provider: MsProvider): View {
  return modal({
    callbackId: 'microsoft_setup_submit',
    title: `Link ${provider === 'entra' ? 'Entra ID' : PROVIDER_LABELS[provider]}`,
    submit: 'Generate certificate',
    metadata: { provider },
    blocks: [
      md(`Register an app in the Microsoft Entra admin center (App registrations → New registration, single tenant), then give its ids here. cloudlink generates a certificate for it: only the public part leaves cloudlink.`),
      textInput({ blockId: 'name', label: 'Account name', placeholder: 'e.g. Contoso production', maxLength: 64 }),
      textInput({ blockId: 'tenant_id', label: 'Directory (tenant) ID', placeholder: '00000000-0000-0000-0000-000000000000', maxLength: 36 }),
      textInput({ blockId: 'client_id', label: 'Application (client) ID', placeholder: '00000000-0000-0000-0000-000000000000', maxLength: 36 }),
      ...(provider === 'm365' ? [textInput({ blockId: 'organization', label: 'Organization ID', placeholder: 'contoso.onmicrosoft.com', maxLength: 253 })] : []),
    ],
  });
}

/** Step 2: the certificate (sent as a file in a DM), the checklist, and "Connect". */
export function microsoftCompleteModal(s: StartMicrosoftSetupOutput, fileSent: boolean): View {
  const m = s.microsoft!;
  const blocks: KnownBlock[] = [
    md(`*Certificate ready* · thumbprint \`${m.certificateThumbprint}\` · valid until ${m.certificateExpiresAt.slice(0, 10)}\n${fileSent ? `:inbox_tray: It is in your direct messages as \`${s.certificateFileName}\`.` : 'Copy it from the block below into a .cer file.'}`),
    ...(fileSent ? [] : [md(`\`\`\`${m.certificatePem.trim()}\`\`\``)]),
    md(`*Then, in the Azure portal:*\n${s.checklist.map((x, i) => `${i + 1}. ${esc(x)}`).join('\n')}`),
    context('When everything above is done, choose Connect: cloudlink signs in with the certificate and checks the permissions.'),
  ];
  return modal({ callbackId: 'microsoft_complete_submit', title: clip(`Link ${s.provider === 'entra' ? 'Entra ID' : PROVIDER_LABELS[s.provider]}`, 24), submit: 'Connect', blocks, metadata: { setupId: s.setupId } });
}

const option = (s: SubscriptionView) => ({
  text: { type: 'plain_text' as const, text: clip(`${s.displayName}${s.missing ? ' (missing)' : s.state !== 'Enabled' ? ` (${s.state})` : ''}`, 75) },
  description: { type: 'plain_text' as const, text: s.subscriptionId },
  value: s.subscriptionId,
});
const selectOption = (s: SubscriptionView) => ({ text: option(s).text, value: s.subscriptionId });

/** Checkboxes up to 10, a multi-select up to 100, an external select (searched) beyond: Slack's limits. */
export function subscriptionsModal(account: { id: string; name: string }, subs: SubscriptionView[], note?: string): View {
  const selected = subs.filter((s) => s.selected);
  const element =
    subs.length <= 10
      ? { type: 'checkboxes' as const, action_id: 'value', options: subs.map(option), ...(selected.length ? { initial_options: selected.map(option) } : {}) }
      : subs.length <= 100
        ? { type: 'multi_static_select' as const, action_id: 'value', options: subs.map(selectOption), ...(selected.length ? { initial_options: selected.map(selectOption) } : {}) }
        : { type: 'multi_external_select' as const, action_id: 'subscriptions_pick', min_query_length: 0, ...(selected.length ? { initial_options: selected.slice(0, 100).map(selectOption) } : {}) };
  const blocks: KnownBlock[] = [
    md(`*${esc(account.name)}*: ${selected.length} of ${subs.length} subscriptions selected.${note ? `\n${esc(note)}` : ''}`),
    { type: 'actions', block_id: 'tools', elements: [{ type: 'button', action_id: 'subscriptions_refresh', value: account.id, text: { type: 'plain_text', text: 'Refresh from Azure' } }] },
  ];
  if (subs.length) {
    blocks.push(
      { type: 'input', block_id: 'subs', optional: true, label: { type: 'plain_text', text: 'Selected subscriptions' }, element } as KnownBlock,
      { type: 'input', block_id: 'confirm', optional: true, label: { type: 'plain_text', text: 'Deselecting' }, element: { type: 'checkboxes', action_id: 'value', options: [{ text: { type: 'plain_text', text: 'Yes, stop covering the subscriptions I unticked' }, value: 'yes' }] } },
    );
  }
  return modal({ callbackId: 'subscriptions_submit', title: 'Azure subscriptions', submit: subs.length ? 'Update' : undefined, close: subs.length ? 'Cancel' : 'Close', blocks, metadata: { accountId: account.id } });
}
