import { z } from 'zod';
import { Provider } from '../domain/records.js';

/** A form a front end can render to start a setup: a choice (buttons) and/or text fields. */
export const LinkForm = z.object({
  provider: Provider,
  title: z.string(),
  intro: z.string(),
  choice: z
    .object({ field: z.string(), label: z.string(), options: z.array(z.object({ value: z.string(), label: z.string(), hint: z.string().optional() })), note: z.string() })
    .optional(),
  fields: z.array(z.object({ key: z.string(), label: z.string(), placeholder: z.string().optional(), optional: z.boolean().optional(), maxLength: z.number().optional() })),
  submitLabel: z.string(),
});
export type LinkForm = z.infer<typeof LinkForm>;

/** Something a person can hand to a colleague: which family, and the start input it means. */
export const InviteOption = z.object({ value: z.string(), label: z.string(), provider: Provider, start: z.record(z.string(), z.unknown()) });
export type InviteOption = z.infer<typeof InviteOption>;
