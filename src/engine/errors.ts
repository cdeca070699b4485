import type { ZodError } from 'zod';

/**
 * Every error a user can cause is a CloudlinkError: a stable code for programs, a message written for
 * people (what went wrong and what to do next), and optional per-field messages so a form (a Slack
 * modal, an MCP client) can put each one beside its field.
 */
export type ErrorCode =
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'NAME_TAKEN'
  | 'DUPLICATE_ACCOUNT'
  | 'MANAGEMENT_REQUIRED'
  | 'MANAGEMENT_AMBIGUOUS'
  | 'NOT_ORGANIZATION_MANAGEMENT'
  | 'HAS_LINKED_ACCOUNTS'
  | 'CONFIRMATION_MISMATCH'
  | 'CONFIRMATION_REQUIRED'
  | 'CONFIRMATION_DECLINED'
  | 'SETUP_EXPIRED'
  | 'SETUP_CLOSED'
  | 'INVITE_EXPIRED'
  | 'INVITE_USED'
  | 'INVITE_REVOKED'
  | 'INVITE_NOT_FOR_YOU'
  | 'INVITE_LINK_INVALID'
  | 'INVITE_SESSION_MISSING'
  | 'ASSUME_ROLE_DENIED'
  | 'EXTERNAL_ID_NOT_ENFORCED'
  | 'ACCOUNT_MISMATCH'
  | 'WRONG_PROVIDER'
  | 'CLOUD_THROTTLED'
  | 'CLOUD_UNREACHABLE'
  | 'CLOUD_ERROR'
  | 'PLATFORM_NOT_CONFIGURED'
  | 'CERTIFICATE_NOT_UPLOADED'
  | 'TENANT_NOT_FOUND'
  | 'APP_NOT_FOUND'
  | 'PERMISSION_MISSING'
  | 'NO_SUBSCRIPTIONS'
  | 'MANAGEMENT_GROUP_DENIED'
  | 'MANAGEMENT_GROUP_NOT_FOUND'
  | 'NO_ROTATION'
  | 'STORE_CORRUPT'
  | 'STORE_WRITE_FAILED'
  | 'STORE_BUSY';

export class CloudlinkError extends Error {
  override readonly name = 'CloudlinkError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields: Record<string, string> = {},
    /** Safe-to-show details for programs (never secrets). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  toJSON() {
    return { code: this.code, message: this.message, fields: this.fields, details: this.details };
  }
}


/** Turns a zod failure into one readable sentence plus a message per field. */
const TYPE_WORDS: Record<string, string> = { string: 'text (a string)', number: 'a number', int: 'a whole number', boolean: 'true or false', object: 'an object', array: 'a list', null: 'null', undefined: 'missing', nan: 'not a number' };
/** zod's "Invalid input: expected number, received string" as "must be a number, not text (a string)". */
function wrongType(issue: ZodError['issues'][number]): string {
  const expected = (issue as { expected?: string }).expected;
  const received = / received (\w+)$/.exec(issue.message)?.[1];
  // A schema's own words (a custom error) stay; only zod's stock wording is rephrased.
  if (!expected || !TYPE_WORDS[expected] || !/^Invalid input: expected /.test(issue.message)) return issue.message;
  const other = received && TYPE_WORDS[received] && received !== expected && !(expected === 'int' && received === 'number');
  return `must be ${TYPE_WORDS[expected]}${other ? `, not ${TYPE_WORDS[received]}` : ''}`;
}

export function fromZodError(error: ZodError, what = 'input', describe?: (field: string) => string | undefined): CloudlinkError {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.map(String).join('.') : '_';
    // zod says "expected string, received undefined" for a field left out: say it is required, and what it is.
    const missing = issue.code === 'invalid_type' && / received undefined$/.test(issue.message);
    const about = missing && issue.path.length === 1 ? describe?.(key) : undefined;
    if (!fields[key]) fields[key] = missing ? `required${about ? ` (${about.replace(/\.$/, '')})` : ''}` : issue.code === 'invalid_type' ? wrongType(issue) : issue.message;
  }
  const list = Object.entries(fields)
    .map(([k, v]) => (k === '_' ? v : `${k}: ${v}`))
    .join('; ');
  return new CloudlinkError('INVALID_INPUT', `Invalid ${what}: ${list}. Correct it and try again.`, fields);
}

/** Something unexpected: never leak its text (it may hold a secret or a stack); log it, say this. */
export function internalError(): CloudlinkError {
  return new CloudlinkError(
    'CLOUD_ERROR',
    'Something went wrong inside cloudlink. Nothing was changed; try again, and ask an admin to check the service logs if it keeps happening.',
  );
}
