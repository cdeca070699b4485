/** What the engine needs to make a certificate for an app registration; the key is sealed before it is stored. */
export type GeneratedCertificate = {
  /** Public certificate, PEM: what the user uploads to the app registration. */
  certificatePem: string;
  /** PKCS#8 private key, PEM: sealed before storing, never shown. */
  privateKeyPem: string;
  /** SHA-1 of the DER, upper-case hex: the thumbprint the Azure portal shows. */
  thumbprint: string;
  notBefore: Date;
  notAfter: Date;
};

export interface CertificateIssuer {
  /** A self-signed RSA 2048 / SHA-256 certificate Entra ID accepts for app-only sign-in. */
  generate(opts: { commonName: string; lifetimeDays: number; now: Date }): Promise<GeneratedCertificate>;
}
