import { CheckAccountInput, CheckResult, ConfigurationErrorsOutput } from '../../engine/operations/check-accounts.js';
import { z } from 'zod';
import { accountLine } from '../format.js';
import { defineTool, READ } from '../tool.js';

export const checkAccountTool = defineTool({
  name: 'check_account',
  title: 'Re-verify a linked account',
  description: 'Re-verifies one account for real (AWS: AssumeRole with its External ID; Microsoft: a token with its certificate) and updates its status: broken accounts move to "error" with the reason, fixed ones back to "connected".',
  input: CheckAccountInput,
  output: CheckResult,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  async run({ engine, actor }, input) {
    const out = await engine.checkAccount(actor, input);
    return { structured: out, text: [accountLine(out.account), ...out.warnings].join('\n') };
  },
});

export const listConfigurationErrorsTool = defineTool({
  name: 'list_configuration_errors',
  title: 'List accounts that need attention',
  description: 'Lists accounts in error (with what to do) and warnings such as certificates about to expire, from the last checks. Does not call the clouds; use check_account for a fresh check.',
  input: z.object({}).strict(),
  output: ConfigurationErrorsOutput,
  annotations: READ,
  async run({ engine, actor }) {
    const out = await engine.listConfigurationErrors(actor);
    const lines = [...out.errors.map((e) => `✗ ${e.account.name}: ${e.message}`), ...out.warnings.map((w) => `! ${w.account.name}: ${w.message}`)];
    return { structured: out, text: lines.length ? lines.join('\n') : 'Everything is connected; no warnings.' };
  },
});
