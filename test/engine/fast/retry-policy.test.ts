import { describe, expect, it } from 'vitest';
import { retryPolicy } from '../../../src/engine/jobs/outbox.js';

/** The time from the first attempt to the last, given the policy's pauses. */
const span = (channel: string) => {
  const p = retryPolicy(channel);
  let ms = 0;
  for (let attempts = 1; attempts < p.maxAttempts; attempts++) ms += p.delayMs(attempts);
  return ms;
};

describe('how long deliveries are retried', () => {
  it('retries a webhook for about 13 hours, at most an hour apart', () => {
    const p = retryPolicy('webhook');
    expect(p.delayMs(1)).toBe(2000);
    expect(p.delayMs(30)).toBe(3_600_000);
    expect(span('webhook') / 3_600_000).toBeGreaterThan(10);
    expect(span('webhook') / 3_600_000).toBeLessThan(14);
  });

  it('retries a Slack message for a few minutes: past that the news is stale', () => {
    expect(retryPolicy('slack').maxAttempts).toBe(8);
    expect(span('slack') / 60_000).toBeLessThan(10);
  });
});
