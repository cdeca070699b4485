import { z } from 'zod';
import { SetupView } from '../../views.js';

/** The public certificate to upload and the permissions to grant. */
export const CertificateHandout = SetupView.extend({
  kit: z.literal('app-certificate'),
  certificateFileName: z.string(),
  checklist: z.array(z.string()),
  adminConsentUrl: z.string(),
});
export type CertificateHandout = z.infer<typeof CertificateHandout>;
