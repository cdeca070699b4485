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

/** The hand-out as text, for assistants and the command line. */
export function certificateHandoutText(s: CertificateHandout): string {
  return [
    `Setup ${s.setupId}: certificate ${s.microsoft!.certificateThumbprint}, valid until ${s.microsoft!.certificateExpiresAt.slice(0, 10)}.`,
    `Give the user the certificate below (save as ${s.certificateFileName}) to upload to the app registration. It is the public part only.`,
    s.microsoft!.certificatePem.trim(),
    'Checklist for the user:',
    ...s.checklist.map((x, i) => `${i + 1}. ${x}`),
    `Admin consent link: ${s.adminConsentUrl}`,
    'When done, call complete_microsoft_setup with the setupId.',
  ].join('\n');
}
