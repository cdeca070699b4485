import { describe, expect, it } from 'vitest';
import { createLogger, redact } from '../src/log.js';

describe('the log scrubber', () => {
  it('keeps record ids (UUIDs) so a log can be followed, and still hides what looks like key material', () => {
    const id = 'd38f3d3a-a766-43ea-b3ea-83b5e229b92c';
    expect(redact(`account ${id} failed`)).toBe(`account ${id} failed`);
    expect(redact({ itemId: id })).toEqual({ itemId: id });
    // An External ID, an AWS secret key, a session token: redacted.
    expect(redact('cl-e28d3a82-e6c7-4ffb-b648-74d7bc97cc67')).toBe('[redacted]');
    expect(redact('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')).toBe('[redacted]');
    expect(redact('token FwoGZXIvYXdzEJr//////////wEaDOMvW8aBcDeFgHiJkLmNoPqRsTuVwXyZ')).toBe('token [redacted]');
  });

  it('writes one JSON line per entry, scrubbed', () => {
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l) });
    log.warn('a notification could not be delivered', { itemId: 'd38f3d3a-a766-43ea-b3ea-83b5e229b92c', secret: 'abc' });
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', itemId: 'd38f3d3a-a766-43ea-b3ea-83b5e229b92c', secret: '[redacted]' });
  });
});
