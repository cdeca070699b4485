import { z } from 'zod';
import { SetupView } from '../../views.js';

/** Everything a person needs to deploy the role and finish the link. */
export const RoleHandout = SetupView.extend({
  kit: z.literal('cloudformation-role'),
  quickCreateUrl: z.string().optional().describe('Opens the AWS console with the stack pre-filled. Absent when no template URL is configured.'),
  templateUrl: z.string().optional(),
  templateFile: z.string(),
  templateBody: z.string(),
  instructions: z.array(z.string()),
});
export type RoleHandout = z.infer<typeof RoleHandout>;

/** The hand-out as text, for assistants and the command line. */
export function roleHandoutText(s: RoleHandout): string {
  return [
    `Setup ${s.setupId} (expires ${s.expiresAt}).`,
    ...(s.aws?.externalId ? [`External ID: ${s.aws.externalId}`] : []),
    s.quickCreateUrl ? `Quick-create link (give it to the user): ${s.quickCreateUrl}` : `Template: ${s.templateFile} (full text in templateBody).`,
    'Steps for the user:',
    ...s.instructions.map((x, i) => `${i + 1}. ${x}`),
    s.aws?.watching ? 'cloudlink is watching for the role and will finish by itself; check with get_setup_status.' : 'When the stack is done, call complete_aws_setup with the RoleArn output and a name.',
  ].join('\n');
}
