import { z } from 'zod';
import { CertificateHandout, certificateHandoutText } from './app-certificate/handout.js';
import { RoleHandout, roleHandoutText } from './aws-role/handout.js';

/** A setup's hand-out, by kit: front ends render it by `kit`. */
export const SetupHandout = z.discriminatedUnion('kit', [RoleHandout, CertificateHandout]);
export type SetupHandout = z.infer<typeof SetupHandout>;
/** The hand-out as sent in a message: without the template body (it travels as a link or a resource). */
export const SetupHandoutBrief = z.discriminatedUnion('kit', [RoleHandout.omit({ templateBody: true }), CertificateHandout]);
export type SetupHandoutBrief = z.infer<typeof SetupHandoutBrief>;

export function brief(h: SetupHandout): SetupHandoutBrief {
  if (h.kit !== 'cloudformation-role') return h;
  const { templateBody: _body, ...rest } = h;
  return rest;
}

/** The hand-out as text (what to give the person, then the steps), for assistants and the command line. */
export const handoutText = (h: SetupHandout): string => (h.kit === 'cloudformation-role' ? roleHandoutText(h) : certificateHandoutText(h));
