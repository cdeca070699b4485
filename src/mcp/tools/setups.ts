import { CompleteAwsSetupInput, CompleteAwsSetupOutput } from '../../engine/operations/complete-aws-setup.js';
import { GetSetupInput, GetSetupOutput } from '../../engine/operations/setup-status.js';
import { StartAwsSetupInput, StartAwsSetupOutput } from '../../engine/operations/start-aws-setup.js';
import { defineTool, READ } from '../tool.js';

const setupText = (s: typeof StartAwsSetupOutput._output) =>
  [
    `Setup ${s.setupId} (expires ${s.expiresAt}).`,
    `External ID: ${s.aws!.externalId}`,
    s.quickCreateUrl ? `Quick-create link (give it to the user): ${s.quickCreateUrl}` : `Template: ${s.templateFile} (full text in templateBody).`,
    'Steps for the user:',
    ...s.instructions.map((x, i) => `${i + 1}. ${x}`),
    s.aws!.watching ? 'cloudlink is watching for the role and will finish by itself; check with get_setup_status.' : 'When the stack is done, call complete_aws_setup with the RoleArn output and a name.',
  ].join('\n');

export const startAwsSetupTool = defineTool({
  name: 'start_aws_setup',
  title: 'Start linking an AWS account',
  description:
    'Starts linking an AWS account: returns a fresh External ID, the CloudFormation template, a console quick-create link and step-by-step instructions for the user. The first AWS account must be the organization\'s management account (kind "management"); linked member accounts come after. If you know the 12-digit account id, pass it: cloudlink then watches for the role and finishes the link by itself.',
  input: StartAwsSetupInput.omit({ provider: true, clusterName: true }),
  output: StartAwsSetupOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run({ engine, actor }, input) {
    const s = await engine.startAwsSetup(actor, { ...input, provider: 'aws' });
    return { structured: s, text: setupText(s) };
  },
});

export const startEksSetupTool = defineTool({
  name: 'start_eks_setup',
  title: 'Start linking Amazon EKS',
  description: 'Starts linking an AWS account for Amazon EKS: External ID, EKS CloudFormation template (optionally granting view-only Kubernetes access to one cluster), quick-create link and instructions.',
  input: StartAwsSetupInput.omit({ provider: true, kind: true, managementAccount: true }),
  output: StartAwsSetupOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run({ engine, actor }, input) {
    const s = await engine.startAwsSetup(actor, { ...input, provider: 'eks' });
    return { structured: s, text: setupText(s) };
  },
});

export const completeAwsSetupTool = defineTool({
  name: 'complete_aws_setup',
  title: 'Finish linking an AWS or EKS account',
  description:
    'Finishes an AWS or EKS setup with the RoleArn from the stack\'s Outputs tab: cloudlink assumes the role with the setup\'s External ID, checks the account, and stores it as connected. A role created seconds ago may take up to a minute to work; this waits for it. Errors say exactly what to check.',
  input: CompleteAwsSetupInput,
  output: CompleteAwsSetupOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run({ engine, actor }, input) {
    const out = await engine.completeAwsSetup(actor, input);
    return { structured: out, text: out.message };
  },
});

export const getSetupStatusTool = defineTool({
  name: 'get_setup_status',
  title: 'Check a setup',
  description: 'Shows whether a setup is still open, completed (with the linked account) or expired, and what the watcher last saw.',
  input: GetSetupInput,
  output: GetSetupOutput,
  annotations: READ,
  async run({ engine, actor }, input) {
    const out = await engine.getSetupStatus(actor, input);
    const extra = out.account ? ` Linked as "${out.account.name}" (${out.account.status}).` : out.setup.aws?.lastWatchError ? ` Watcher: ${out.setup.aws.lastWatchError}` : '';
    return { structured: out, text: `Setup ${out.setup.setupId} is ${out.setup.status}.${extra}` };
  },
});
