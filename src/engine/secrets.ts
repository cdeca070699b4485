import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { CloudlinkError } from './errors.js';

export type Sealed = { iv: string; tag: string; data: string; keyId: string };

/** What a sealed value is: a certificate's private key (an account's, a renewal's or an open setup's) or a webhook's signing secret. */
export type SealedKind = 'certificate' | 'webhook';

// Short enough to survive whole where an error is kept (a webhook delivery's lastError keeps 200 characters).
const FIXES: Record<SealedKind, { subject: string; instead: string }> = {
  certificate: { subject: "This certificate's private key", instead: 'renew the certificate (start_certificate_rotation) or start a new setup' },
  webhook: { subject: "This webhook's signing secret", instead: 're-create the webhook to give it a new secret' },
};

/** AES-256-GCM with the configured key: private keys are stored only in this form. */
export class SecretBox {
  readonly keyId: string;
  private readonly macKeys = new Map<string, Buffer>();

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the encryption key must be 32 bytes');
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 12);
  }

  seal(plaintext: string): Sealed {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64'), keyId: this.keyId };
  }

  /**
   * HMAC-SHA256 of `data` under a key derived (HKDF-SHA256) from the sealing key for `purpose`: signed
   * links need a key kept exactly like the sealing key (the same on every instance, backed up with it),
   * and separate from it, so what verifies a link can never open a sealed private key.
   */
  mac(purpose: string, data: string): Buffer {
    let key = this.macKeys.get(purpose);
    if (!key) this.macKeys.set(purpose, (key = Buffer.from(hkdfSync('sha256', this.key, Buffer.alloc(0), `cloudlink ${purpose}`, 32))));
    return createHmac('sha256', key).update(data).digest();
  }

  /** Unseals `sealed`; `what` it is (a certificate's private key by default) makes the error say what cannot be opened and how to get past it. */
  open(sealed: Sealed, what: SealedKind = 'certificate'): string {
    const fix = FIXES[what];
    if (sealed.keyId !== this.keyId) {
      throw new CloudlinkError('PLATFORM_NOT_CONFIGURED', `${fix.subject} was sealed with another encryption key (key id ${sealed.keyId}; cloudlink has ${this.keyId}). Restore that key, or ${fix.instead}.`, {}, { reason: 'sealed-with-another-key' });
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(sealed.iv, 'base64'));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new CloudlinkError('STORE_CORRUPT', `${fix.subject} could not be decrypted: it was altered in the store. Restore the store from a backup, or ${fix.instead}.`);
    }
  }
}
