import type { Response } from 'express';
import { CloudlinkError, type ErrorCode } from '../engine/errors.js';
import type { Logger } from '../log.js';

/** HTTP's word for each error a user can cause; what is not listed is 422 (understood, but cloudlink cannot do it as things are). */
const STATUS: Partial<Record<ErrorCode, number>> = {
  INVALID_INPUT: 400,
  CONFIRMATION_MISMATCH: 400,
  CONFIRMATION_REQUIRED: 400,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  NAME_TAKEN: 409,
  DUPLICATE_ACCOUNT: 409,
  HAS_LINKED_ACCOUNTS: 409,
  SETUP_CLOSED: 409,
  INVITE_USED: 409,
  INVITE_REVOKED: 409,
  SETUP_EXPIRED: 410,
  INVITE_EXPIRED: 410,
  CLOUD_THROTTLED: 503,
  CLOUD_UNREACHABLE: 502,
  CLOUD_ERROR: 502,
  PLATFORM_NOT_CONFIGURED: 503,
  STORE_BUSY: 503,
  STORE_CORRUPT: 500,
  STORE_WRITE_FAILED: 500,
};

export const statusOf = (e: CloudlinkError) => STATUS[e.code] ?? 422;

/** The one error body every route answers with: a code for programs, a message for people, messages per field. */
export function sendError(res: Response, status: number, code: string, message: string, fields: Record<string, string> = {}) {
  res.status(status).json({ error: { code, message, fields } });
}

/** An engine error as its status; anything else is logged (scrubbed) and answered without its text, which may hold a secret. */
export function sendFailure(res: Response, e: unknown, log: Logger, operation: string) {
  if (e instanceof CloudlinkError) return sendError(res, statusOf(e), e.code, e.message, e.fields);
  log.error('REST API operation failed unexpectedly', { operation, error: e });
  sendError(res, 500, 'INTERNAL', 'cloudlink hit an unexpected error. Nothing was changed; try again, and ask an admin to check the service logs if it keeps happening.');
}
