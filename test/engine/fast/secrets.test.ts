import { describe, expect, it } from 'vitest';
import { CloudlinkError } from '../../../src/engine/errors.js';
import { SecretBox } from '../../../src/engine/secrets.js';

const sealedBy = new SecretBox(Buffer.alloc(32, 1));
const other = new SecretBox(Buffer.alloc(32, 2));

function failure(f: () => unknown): CloudlinkError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CloudlinkError);
    return e as CloudlinkError;
  }
  throw new Error('expected it to fail');
}

describe('opening a sealed value says what it is and how to get past it', () => {
  it('a webhook secret under another key: names the webhook secret and both key ids, restore the key or re-create the webhook; never a certificate; short enough to be kept whole', () => {
    const e = failure(() => other.open(sealedBy.seal('whsec_x'), 'webhook'));
    expect(e.code).toBe('PLATFORM_NOT_CONFIGURED');
    expect(e.message).toBe(`This webhook's signing secret was sealed with another encryption key (key id ${sealedBy.keyId}; cloudlink has ${other.keyId}). Restore that key, or re-create the webhook to give it a new secret.`);
    // Whole where a delivery keeps its error (200 characters).
    expect(e.message.length).toBeLessThanOrEqual(200);
    expect(e.message).not.toMatch(/certificate|setup/i);
  });

  it("a certificate's private key under another key (the default): restore the key, or renew or start a new setup", () => {
    for (const open of [() => other.open(sealedBy.seal('pem')), () => other.open(sealedBy.seal('pem'), 'certificate')]) {
      const e = failure(open);
      expect(e.code).toBe('PLATFORM_NOT_CONFIGURED');
      expect(e.message).toBe(`This certificate's private key was sealed with another encryption key (key id ${sealedBy.keyId}; cloudlink has ${other.keyId}). Restore that key, or renew the certificate (start_certificate_rotation) or start a new setup.`);
      expect(e.message).not.toMatch(/webhook/);
    }
  });

  it('an altered value under the right key: STORE_CORRUPT, with the fix for its kind', () => {
    const tampered = { ...sealedBy.seal('whsec_y'), data: Buffer.from('not it').toString('base64') };
    const hook = failure(() => sealedBy.open(tampered, 'webhook'));
    expect(hook.code).toBe('STORE_CORRUPT');
    expect(hook.message).toBe("This webhook's signing secret could not be decrypted: it was altered in the store. Restore the store from a backup, or re-create the webhook to give it a new secret.");
    const cert = failure(() => sealedBy.open(tampered));
    expect(cert.message).toBe("This certificate's private key could not be decrypted: it was altered in the store. Restore the store from a backup, or renew the certificate (start_certificate_rotation) or start a new setup.");
  });

  it('opens what it sealed, whatever it is', () => {
    expect(sealedBy.open(sealedBy.seal('s3cret'), 'webhook')).toBe('s3cret');
    expect(sealedBy.open(sealedBy.seal('pem'))).toBe('pem');
  });
});
