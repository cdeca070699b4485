import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Slack's scheme, so receivers can reuse what they know: `v0=` + HMAC-SHA256(secret,
 * `v0:{timestamp}:{raw body}`), the timestamp (Unix seconds) sent beside it and inside the signed
 * string, so a captured delivery cannot be replayed once it is five minutes old.
 */
export const SIGNATURE_HEADER = 'x-cloudlink-signature';
export const TIMESTAMP_HEADER = 'x-cloudlink-request-timestamp';
export const REPLAY_WINDOW_SECONDS = 300;

export const signature = (secret: string, timestamp: number | string, body: string | Buffer) => `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex')}`;

/** What a receiver does: the timestamp within five minutes either way, then the signature in constant time. */
export function verifySignature(secret: string, headers: { timestamp?: string; signature?: string }, body: string | Buffer, nowSeconds = Date.now() / 1000): boolean {
  const ts = Number(headers.timestamp);
  if (!Number.isInteger(ts) || Math.abs(nowSeconds - ts) > REPLAY_WINDOW_SECONDS || !headers.signature) return false;
  const want = Buffer.from(signature(secret, ts, body));
  const got = Buffer.from(headers.signature);
  return want.length === got.length && timingSafeEqual(want, got);
}
