import { createHash, randomBytes, webcrypto } from 'node:crypto';
import type * as X509 from '@peculiar/x509';
import type { CertificateIssuer, GeneratedCertificate } from '../engine/ports/certificates.js';

/** @peculiar/x509 loads on first use (it is large and not needed to start); it wants reflect-metadata. */
let x509Module: Promise<typeof X509> | undefined;
function loadX509() {
  x509Module ??= (async () => {
    await import('reflect-metadata');
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
    return x509;
  })();
  return x509Module;
}


const ALG = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };

const pem = (label: string, der: ArrayBuffer) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;

/**
 * A self-signed RSA 2048 / SHA-256 certificate, the kind Entra ID app registrations accept for
 * app-only authentication (a plain RSA key, not a CNG one, so Exchange app-only auth works too).
 */
export async function generateCertificate(opts: { commonName: string; lifetimeDays: number; now?: Date; extensions?: X509.Extension[] }): Promise<GeneratedCertificate> {
  const x509 = await loadX509();
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const notBefore = new Date((opts.now ?? new Date()).getTime() - 60_000);
  const notAfter = new Date(notBefore.getTime() + opts.lifetimeDays * 86_400_000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(16).toString('hex').replace(/^[89a-f]/, '1'),
    name: `CN=${opts.commonName.replace(/[,=+<>#;"\\]/g, ' ')}`,
    notBefore,
    notAfter,
    signingAlgorithm: ALG,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      ...(opts.extensions ?? []),
    ],
  });
  const der = cert.rawData;
  return {
    certificatePem: cert.toString('pem') + '\n',
    privateKeyPem: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)),
    thumbprint: createHash('sha1').update(Buffer.from(der)).digest('hex').toUpperCase(),
    notBefore,
    notAfter,
  };
}

/** The engine's certificate port on @peculiar/x509 and the platform's WebCrypto. */
export const x509CertificateIssuer: CertificateIssuer = { generate: (opts) => generateCertificate(opts) };
