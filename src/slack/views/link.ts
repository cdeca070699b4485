import type { KnownBlock, View } from '@slack/types';
import type { StartAwsSetupOutput } from '../../engine/operations/start-aws-setup.js';
import { PROVIDER_LABELS, PROVIDERS } from '../../engine/schemas.js';
import { esc } from '../text.js';
import { context, md, modal, textInput } from './blocks.js';

export function providerChooser(): View {
  return modal({
    callbackId: 'link_provider',
    title: 'Add cloud account',
    close: 'Cancel',
    blocks: [
      md('Which cloud do you want to link?'),
      {
        type: 'actions',
        block_id: 'providers',
        elements: PROVIDERS.map((p) => ({ type: 'button' as const, action_id: `link_provider:${p}`, value: p, text: { type: 'plain_text' as const, text: PROVIDER_LABELS[p] } })),
      },
      context('AWS and EKS: a read-only IAM role created by a CloudFormation stack. Azure, Microsoft 365, Entra ID: an app registration with a certificate cloudlink generates.'),
    ],
  });
}

export function awsKindChooser(hasManagement: boolean): View {
  return modal({
    callbackId: 'link_aws_kind',
    title: 'Link an AWS account',
    close: 'Cancel',
    blocks: [
      md('*Select AWS account type*'),
      {
        type: 'actions',
        block_id: 'kinds',
        elements: [
          { type: 'button', action_id: 'link_aws_kind:management', value: 'management', text: { type: 'plain_text', text: 'Management account' }, style: 'primary' },
          ...(hasManagement ? [{ type: 'button' as const, action_id: 'link_aws_kind:linked', value: 'linked', text: { type: 'plain_text' as const, text: 'Linked account' } }] : []),
        ],
      },
      context(
        hasManagement
          ? 'A *linked* account is a member of an organization whose management account is already linked.'
          : 'Start with your organization\'s *management* (payer) account. Linked member accounts can be added once it is linked.',
      ),
    ],
  });
}

/** The setup: what to do in AWS, the External ID, the console button, and the fields to finish. */
export function awsSetupModal(s: StartAwsSetupOutput, opts: { invited?: boolean } = {}): View {
  const aws = s.aws!;
  const steps = s.instructions.map((x, i) => `${i + 1}. ${esc(x)}`).join('\n');
  const blocks: KnownBlock[] = [
    md(`*Link ${s.provider === 'eks' ? 'Amazon EKS' : `an AWS ${aws.kind} account`}*\n${steps}`),
    md(`*External ID* (filled in by the link; never shared between setups)\n\`${aws.externalId}\``),
  ];
  if (s.quickCreateUrl) {
    blocks.push({ type: 'actions', block_id: 'console', elements: [{ type: 'button', action_id: 'open_console', text: { type: 'plain_text', text: 'Open AWS console' }, url: s.quickCreateUrl, style: 'primary' }] });
  } else {
    blocks.push(context(`Template: \`${s.templateFile}\` (ask your cloudlink admin, or use the MCP resource cloudlink://templates/${s.templateFile}).`));
  }
  blocks.push(
    textInput({ blockId: 'name', label: 'Account name', placeholder: 'e.g. Production', initial: s.name, maxLength: 64, optional: Boolean(s.name) }),
    textInput({ blockId: 'role_arn', label: 'Role ARN', placeholder: 'arn:aws:iam::123456789012:role/CloudlinkIntegration-…', optional: true, hint: 'The RoleArn value on the stack\'s Outputs tab.' }),
    textInput({ blockId: 'account_id', label: 'AWS account id (optional)', placeholder: '123456789012', initial: aws.awsAccountId, optional: true, maxLength: 12, hint: 'Instead of the ARN: give the 12-digit account id and cloudlink finishes by itself as soon as the stack is done.' }),
    context(`Setup expires ${s.expiresAt.slice(0, 10)}.${opts.invited ? '' : ' Not the right person to deploy it? Close this and use *Invite a colleague*.'}`),
  );
  return modal({ callbackId: 'aws_setup_submit', title: s.provider === 'eks' ? 'Link Amazon EKS' : 'Link an AWS account', submit: 'Connect', blocks, metadata: { setupId: s.setupId } });
}

export const progressView = (title: string, message: string): View => modal({ title, close: 'Close', blocks: [md(message)] });

