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
