/** Console hosts per partition: the quick-create link must open the console the account lives in. */
const CONSOLE_HOST: Record<string, string> = {
  aws: 'console.aws.amazon.com',
  'aws-us-gov': 'console.amazonaws-us-gov.com',
  'aws-cn': 'console.amazonaws.cn',
};

export const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/**
 * A CloudFormation quick-create link. Parameters carry the `param_` prefix and must exist in the
 * template; NoEcho parameters would be ignored by the console, which is why ExternalId is not NoEcho.
 */
export function quickCreateUrl(opts: {
  partition: string;
  region: string;
  templateUrl: string;
  stackName: string;
  parameters: Record<string, string | undefined>;
}): string {
  if (!STACK_NAME.test(opts.stackName)) throw new Error(`invalid stack name ${opts.stackName}`);
  const host = CONSOLE_HOST[opts.partition] ?? CONSOLE_HOST.aws;
  const q = new URLSearchParams({ templateURL: opts.templateUrl, stackName: opts.stackName });
  for (const [k, v] of Object.entries(opts.parameters)) if (v !== undefined && v !== '') q.set(`param_${k}`, v);
  // URLSearchParams encodes spaces as '+', which the console's hash router reads literally.
  return `https://${host}/cloudformation/home?region=${encodeURIComponent(opts.region)}#/stacks/quickcreate?${q.toString().replace(/\+/g, '%20')}`;
}
