import type { KnownBlock, View } from '@slack/types';
import type { CertificateHandout } from '../../engine/families/app-certificate/handout.js';
import type { RoleHandout } from '../../engine/families/aws-role/handout.js';
import type { SetupHandout } from '../../engine/families/handouts.js';
import type { LinkForm } from '../../engine/families/link-form.js';
import { PROVIDER_LABELS, type Provider } from '../../engine/domain/records.js';
import { clip, esc } from '../text.js';
import { context, md, modal, textInput } from './blocks.js';

export function providerChooser(providers: readonly { id: Provider; label: string }[]): View {
  return modal({
    callbackId: 'link_provider',
    title: 'Add cloud account',
    close: 'Cancel',
    blocks: [
      md('Which cloud do you want to link?'),
      {
        type: 'actions',
        block_id: 'providers',
        elements: providers.map((p) => ({ type: 'button' as const, action_id: `link_provider:${p.id}`, value: p.id, text: { type: 'plain_text' as const, text: p.label } })),
      },
      context('AWS and EKS: a read-only IAM role created by a CloudFormation stack. Azure, Microsoft 365, Entra ID: an app registration with a certificate cloudlink generates.'),
    ],
  });
}

/** A family's choice (AWS: management or linked) as buttons; each starts the setup. `more`: buttons that lead elsewhere. */
export function choiceView(form: LinkForm & { choice: NonNullable<LinkForm['choice']> }, more: { actionId: string; label: string; note: string }[] = []): View {
  return modal({
    callbackId: 'link_choice',
    title: form.title,
    close: 'Cancel',
    blocks: [
      md(form.intro),
      {
        type: 'actions',
        block_id: 'choices',
        elements: [
          ...form.choice.options.map((o, i) => ({
            type: 'button' as const,
            action_id: `link_choice:${o.value}`,
            value: JSON.stringify({ provider: form.provider, [form.choice.field]: o.value }),
            text: { type: 'plain_text' as const, text: o.label },
            ...(i === 0 ? { style: 'primary' as const } : {}),
          })),
          ...more.map((m) => ({ type: 'button' as const, action_id: m.actionId, value: form.provider, text: { type: 'plain_text' as const, text: m.label } })),
        ],
      },
      context([form.choice.note, ...more.map((m) => m.note)].join('\n')),
    ],
  });
}

/** A family's text fields (Microsoft: tenant and application ids) as a form; submitting starts the setup. */
export const formView = (form: LinkForm): View =>
  modal({
    callbackId: 'link_form_submit',
    title: form.title,
    submit: form.submitLabel,
    metadata: { provider: form.provider },
    blocks: [md(form.intro), ...form.fields.map((f) => textInput({ blockId: f.key, label: f.label, placeholder: f.placeholder, maxLength: f.maxLength, optional: f.optional }))],
  });

/** The role setup: what to do in AWS, the External ID, the console button, and the fields to finish. */
export function roleSetupModal(s: RoleHandout, opts: { invited?: boolean } = {}): View {
  const aws = s.aws!;
  const steps = s.instructions.map((x, i) => `${i + 1}. ${esc(x)}`).join('\n');
  const blocks: KnownBlock[] = [md(`*Link ${esc(s.what)}*\n${steps}`)];
  if (aws.externalId) blocks.push(md(`*External ID* (filled in by the link; never shared between setups)\n\`${aws.externalId}\``));
  if (s.quickCreateUrl) {
    blocks.push({ type: 'actions', block_id: 'console', elements: [{ type: 'button', action_id: 'open_console', text: { type: 'plain_text', text: 'Open AWS console' }, url: s.quickCreateUrl, style: 'primary' }] });
  } else {
    blocks.push(context(`Template: \`${s.templateFile}\` (ask your cloudlink admin, or use the MCP resource cloudlink://templates/${s.templateFile}).`));
  }
  blocks.push(
    textInput({ blockId: 'name', label: 'Account name', placeholder: 'e.g. Production', initial: s.name, maxLength: 64, optional: Boolean(s.name) }),
    textInput({ blockId: 'role_arn', label: 'Role ARN', placeholder: 'arn:aws:iam::123456789012:role/CloudlinkIntegration-…', optional: true, hint: "The RoleArn value on the stack's Outputs tab." }),
    textInput({ blockId: 'account_id', label: 'AWS account id (optional)', placeholder: '123456789012', initial: aws.awsAccountId, optional: true, maxLength: 12, hint: 'Instead of the ARN: give the 12-digit account id and cloudlink finishes by itself as soon as the stack is done.' }),
    context(`Setup expires ${s.expiresAt.slice(0, 10)}.${opts.invited ? '' : ' Not the right person to deploy it? Close this and use *Invite a colleague*.'}`),
  );
  return modal({ callbackId: 'aws_setup_submit', title: `Link ${PROVIDER_LABELS[s.provider]}`, submit: 'Connect', blocks, metadata: { setupId: s.setupId } });
}

/** The certificate setup: the certificate (sent as a file in a DM), the checklist, and "Connect". */
export function certificateSetupModal(s: CertificateHandout, fileSent: boolean): View {
  const m = s.microsoft!;
  const blocks: KnownBlock[] = [
    md(`*Certificate ready* · thumbprint \`${m.certificateThumbprint}\` · valid until ${m.certificateExpiresAt.slice(0, 10)}\n${fileSent ? `:inbox_tray: It is in your direct messages as \`${s.certificateFileName}\`.` : 'Copy it from the block below into a .cer file.'}`),
    ...(fileSent ? [] : [md(`\`\`\`${m.certificatePem.trim()}\`\`\``)]),
    md(`*Then, in the Azure portal:*\n${s.checklist.map((x, i) => `${i + 1}. ${esc(x)}`).join('\n')}`),
    context('When everything above is done, choose Connect: cloudlink signs in with the certificate and checks the permissions.'),
  ];
  return modal({ callbackId: 'microsoft_complete_submit', title: clip(`Link ${PROVIDER_LABELS[s.provider]}`, 24), submit: 'Connect', blocks, metadata: { setupId: s.setupId } });
}

/** A setup's hand-out as the modal of its kit. */
export const handoutModal = (h: SetupHandout, opts: { invited?: boolean; fileSent?: boolean } = {}): View =>
  h.kit === 'cloudformation-role' ? roleSetupModal(h, opts) : certificateSetupModal(h, opts.fileSent ?? true);

export const progressView = (title: string, message: string): View => modal({ title, close: 'Close', blocks: [md(message)] });
