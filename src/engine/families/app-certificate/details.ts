import type { z } from 'zod';
import type { Account } from '../../domain/records.js';
import type { AppDetails } from './schema.js';

/** What every certificate-based account stores, plus the fields only some families have. */
export type AppRef = z.infer<typeof AppDetails> & { organization?: string; managementGroupId?: string };

/** The app details of an account of a certificate-based family (stored under the family's id). */
export const appDetails = (a: Account): AppRef => (a as unknown as Record<string, AppRef>)[a.provider]!;
