import { randomBytes } from 'node:crypto';

/**
 * A fresh External ID per setup: 32 random bytes, base64url (43 characters of [A-Za-z0-9_-], inside
 * AWS's [\w+=,.@:/-]{2,1224}). It guards against the confused deputy; it is not a secret.
 */
export function generateExternalId(): string {
  return `cl-${randomBytes(32).toString('base64url')}`;
}

export const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]{2,1224}$/;
