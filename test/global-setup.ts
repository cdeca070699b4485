import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

/**
 * The Microsoft fakes speak HTTPS, as @azure/identity insists on: this makes a throw-away certificate
 * for 127.0.0.1 and has every test worker (and spawned server) trust it through NODE_EXTRA_CA_CERTS,
 * which Node reads at process start, so it is set here, before the workers are forked.
 */
export default async function setup() {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=cloudlink test fakes',
    notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + 7 * 86_400_000),
    signingAlgorithm: alg,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign, true),
      new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }, { type: 'dns', value: 'localhost' }]),
    ],
  });
  const dir = await mkdtemp(join(tmpdir(), 'cloudlink-tls-'));
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  await writeFile(join(dir, 'cert.pem'), cert.toString('pem') + '\n');
  await writeFile(join(dir, 'key.pem'), `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`);
  process.env.NODE_EXTRA_CA_CERTS = join(dir, 'cert.pem');
  process.env.CLOUDLINK_TEST_TLS_DIR = dir;
}
