import { z } from 'zod';
import { ListSubscriptionsInput, ListSubscriptionsOutput, SelectSubscriptionsInput, SelectSubscriptionsOutput } from '../../engine/operations/azure-subscriptions.js';
import { CompleteMicrosoftSetupInput, CompleteMicrosoftSetupOutput, StartMicrosoftSetupInput, StartMicrosoftSetupOutput } from '../../engine/operations/microsoft-setups.js';
import { Guid, AccountName } from '../../engine/schemas.js';
import { defineTool, READ, type ToolDef } from '../tool.js';

const setupText = (s: z.infer<typeof StartMicrosoftSetupOutput>) =>
  [
    `Setup ${s.setupId}: certificate ${s.microsoft!.certificateThumbprint}, valid until ${s.microsoft!.certificateExpiresAt.slice(0, 10)}.`,
    `Give the user the certificate below (save as ${s.certificateFileName}) to upload to the app registration. It is the public part only.`,
    s.microsoft!.certificatePem.trim(),
    'Checklist for the user:',
    ...s.checklist.map((x, i) => `${i + 1}. ${x}`),
    'When done, call complete_microsoft_setup with the setupId.',
  ].join('\n');

const startInput = (provider: 'azure' | 'm365' | 'entra') =>
  z
    .object({
      name: AccountName.optional().describe('Display name (1–64 characters, unique).'),
      tenantId: Guid.describe('Directory (tenant) ID of the app registration.'),
      clientId: Guid.describe('Application (client) ID of the app registration.'),
      ...(provider === 'm365' ? { organization: z.string().max(253).describe('The organization id, e.g. contoso.onmicrosoft.com.') } : {}),
    })
    .strict();

const MUTATE = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false } as const;

const startTool = (provider: 'azure' | 'm365' | 'entra', name: string, title: string, what: string) =>
  defineTool({
    name,
    title,
    description: `Starts linking ${what}: cloudlink generates an RSA 2048 certificate for the app registration (the private key never leaves cloudlink) and returns the public certificate as PEM plus the permission checklist. Needs the app registration's tenant id and application (client) id.`,
    input: startInput(provider),
    output: StartMicrosoftSetupOutput,
    annotations: MUTATE,
    async run({ engine, actor }, input) {
      const s = await engine.startMicrosoftSetup(actor, { ...input, provider });
      return { structured: s, text: setupText(s) };
    },
  });

export const microsoftTools: ToolDef[] = [
  startTool('azure', 'start_azure_setup', 'Start linking Azure', 'an Azure tenant (subscriptions are chosen after linking)'),
  startTool('m365', 'start_m365_setup', 'Start linking Microsoft 365', 'a Microsoft 365 organization (Exchange.ManageAsApp, Global Reader)'),
  startTool('entra', 'start_entra_setup', 'Start linking Entra ID', 'a Microsoft Entra ID tenant (AccessReview.Read.All, Global Reader)'),
  defineTool({
    name: 'complete_microsoft_setup',
    title: 'Finish linking Azure, Microsoft 365 or Entra ID',
    description: 'Finishes an Azure, Microsoft 365 or Entra ID setup once the user uploaded the certificate and granted the permissions: cloudlink signs in with the certificate, checks the granted permissions (naming any that is missing) and, for Azure, lists the subscriptions.',
    input: CompleteMicrosoftSetupInput,
    output: CompleteMicrosoftSetupOutput,
    annotations: { ...MUTATE, openWorldHint: true },
    async run({ engine, actor }, input) {
      const out = await engine.completeMicrosoftSetup(actor, input);
      return { structured: out, text: [out.message, ...out.warnings].join('\n') };
    },
  }),
  defineTool({
    name: 'list_azure_subscriptions',
    title: 'List Azure subscriptions',
    description: 'Lists an Azure account\'s subscriptions and which are selected. With refresh: true, re-reads them from Azure first (vanished subscriptions are flagged as missing, never silently dropped).',
    input: ListSubscriptionsInput,
    output: ListSubscriptionsOutput,
    annotations: { ...READ, openWorldHint: true },
    async run({ engine, actor }, input) {
      const out = await engine.listAzureSubscriptions(actor, input);
      const lines = out.subscriptions.map((s) => `${s.selected ? '[x]' : '[ ]'} ${s.displayName} (${s.subscriptionId}) ${s.state}${s.missing ? ' MISSING' : ''}`);
      return { structured: out, text: [...lines, ...(out.note ? [out.note] : [])].join('\n') || 'No subscriptions.' };
    },
  }),
  defineTool({
    name: 'select_azure_subscriptions',
    title: 'Choose Azure subscriptions',
    description: 'Sets which subscriptions of an Azure account cloudlink covers: pass the full list of subscription ids to keep selected. If that deselects any, the call is refused until confirmDeselect is true: tell the user which ones and ask first.',
    input: SelectSubscriptionsInput,
    output: SelectSubscriptionsOutput,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    async run({ engine, actor }, input) {
      const out = await engine.selectAzureSubscriptions(actor, input);
      return { structured: out, text: `Updated "${out.account.name}": ${out.added.length} added, ${out.removed.length} removed.` };
    },
  }),
];
