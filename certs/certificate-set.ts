// Everything the self-managed mode keeps in its Secret, as PEM, and the CA bundle derived from it.
// A CA rotation moves through three shapes:
//   stable       ca signs serving; bundle [ca]
//   introducing  next is published but signs nothing yet; bundle [ca, next]
//   retiring     ca (formerly next) signs serving; the old CA stays trusted; bundle [ca, previous]
import { X509Certificate } from 'node:crypto';
import type { KeyedCertificate } from './authority.ts';

export interface CertificateSet {
  /** The CA that signed `serving`. */
  ca: KeyedCertificate;
  serving: KeyedCertificate;
  /** A new CA already in the bundle, waiting for the bundle to reach every apiserver. */
  next?: KeyedCertificate;
  /** The replaced CA, still trusted while replicas still serving its certificate reload. */
  previous?: string;
  /** When the bundle last changed during a rotation (ms since the epoch); absent when stable. */
  stepAt?: number;
}

/** The CAs webhook clients must trust, in order: signer first. */
export function trustedCas(set: CertificateSet): string[] {
  return [set.ca.cert, set.next?.cert, set.previous].filter((pem): pem is string => pem !== undefined);
}

/** PEM concatenation of the trusted CAs: the caBundle value (before base64). */
export function caBundlePem(set: CertificateSet): string {
  return trustedCas(set).map((pem) => (pem.endsWith('\n') ? pem : `${pem}\n`)).join('');
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/** Whether a CA in `bundlePem` signed the certificate `certPem`. */
export function bundleTrusts(bundlePem: string, certPem: string): boolean {
  const leaf = new X509Certificate(certPem);
  return (bundlePem.match(PEM_CERTIFICATE) ?? []).some((caPem) => {
    const ca = new X509Certificate(caPem);
    return leaf.checkIssued(ca) && leaf.verify(ca.publicKey);
  });
}
