import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { CloudlinkError } from './errors.js';

export type Sealed = { iv: string; tag: string; data: string; keyId: string };

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

  open(sealed: Sealed): string {
    if (sealed.keyId !== this.keyId) {
      throw new CloudlinkError('PLATFORM_NOT_CONFIGURED', 'This certificate was stored with a different encryption key than the one configured now (CLOUDLINK_ENCRYPTION_KEY). Restore the original key, or start a new setup to get a new certificate.');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(sealed.iv, 'base64'));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new CloudlinkError('STORE_CORRUPT', 'A stored private key could not be decrypted (it was altered, or the key is wrong). Start a new setup to get a new certificate.');
    }
  }
}
