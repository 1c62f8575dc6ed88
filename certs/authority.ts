// Issues the self-managed CA and the certificates it signs (RSA-2048, SHA-256): the webhook's
// serving certificates here; the tests' throwaway control plane also issues client certificates
// for its admin through issueLeaf (test/support/client-certificate.ts).
// Keys come from node's native generator (tens of ms); forge only assembles and signs the
// certificates, because its own key generation is pure JavaScript and takes seconds.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import type { ServingIdentity } from './identity.ts';

/** A certificate and its private key, both PEM. */
export interface KeyedCertificate {
  cert: string;
  key: string;
}

/** Who a leaf certificate names: CN and O in the subject, DNS names and IPs as SANs. */
export interface LeafSubject {
  commonName: string;
  organizations?: readonly string[];
  dnsNames?: readonly string[];
  ips?: readonly string[];
}

export interface Validity {
  now: number;
  lifetimeMs: number;
  backdateMs: number;
}

const SERIAL_BYTES = 16;
const CA_NAME_PREFIX = 'sidecarset-webhook-ca';

/**
 * 16 random bytes as a positive DER INTEGER. The first byte lies in 1..127: a clear top bit keeps
 * the value positive, a non-zero byte keeps the encoding minimal (strict parsers such as Go's
 * reject a leading zero byte).
 */
export function randomSerialHex(): string {
  const bytes = randomBytes(SERIAL_BYTES);
  bytes[0] = (bytes[0] % 0x7f) + 1;
  return bytes.toString('hex');
}

/** forge writes CRLF line ends; files and Secrets read better with LF. */
const lf = (pem: string): string => pem.replace(/\r\n/g, '\n');

function newRsaKey(): { pem: string; forgePrivate: forge.pki.rsa.PrivateKey; forgePublic: forge.pki.rsa.PublicKey } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    pem: privateKey,
    forgePrivate: forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey,
    forgePublic: forge.pki.publicKeyFromPem(publicKey) as forge.pki.rsa.PublicKey,
  };
}

function unsignedCertificate(publicKey: forge.pki.rsa.PublicKey, subject: forge.pki.CertificateField[], validity: Validity, notAfterCap = Infinity): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = randomSerialHex();
  cert.validity.notBefore = new Date(validity.now - validity.backdateMs);
  cert.validity.notAfter = new Date(Math.min(validity.now + validity.lifetimeMs, notAfterCap));
  cert.setSubject(subject);
  return cert;
}

const commonName = (value: string): forge.pki.CertificateField => ({ name: 'commonName', value });

/**
 * A self-signed CA. Its CommonName carries the issue time so that, during a rotation, the old and
 * the new CA in one caBundle have distinct subjects. forge encodes names as PrintableString, which
 * has no '@' or '_' (Go's parser rejects the whole bundle over one such character): keep to
 * letters, digits and hyphens. `namePrefix` lets the tests tell their throwaway CAs apart.
 */
export function issueCa(validity: Validity, namePrefix = CA_NAME_PREFIX): KeyedCertificate {
  if (!/^[A-Za-z0-9-]+$/.test(namePrefix)) throw new Error(`CA name prefix "${namePrefix}" must be letters, digits and hyphens`);
  const key = newRsaKey();
  const cert = unsignedCertificate(key.forgePublic, [commonName(`${namePrefix}-${Math.floor(validity.now / 1000)}`)], validity);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    // pathLen 0: the CA signs leaves only; a stolen serving key can never act as an intermediate CA.
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key.forgePrivate, forge.md.sha256.create());
  return { cert: lf(forge.pki.certificateToPem(cert)), key: key.pem };
}

/**
 * A leaf signed by the CA, never valid past the CA, for one extended key usage. Without DNS names
 * or IPs there is no subjectAltName extension (client certificates).
 */
export function issueLeaf(ca: KeyedCertificate, leaf: LeafSubject, validity: Validity, usage: 'serverAuth' | 'clientAuth'): KeyedCertificate {
  const subject = [commonName(leaf.commonName), ...(leaf.organizations ?? []).map((value): forge.pki.CertificateField => ({ name: 'organizationName', value }))];
  const altNames = [...(leaf.dnsNames ?? []).map((value) => ({ type: 2, value })), ...(leaf.ips ?? []).map((ip) => ({ type: 7, ip }))];
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const caKey = forge.pki.privateKeyFromPem(ca.key) as forge.pki.rsa.PrivateKey;
  const key = newRsaKey();
  const cert = unsignedCertificate(key.forgePublic, subject, validity, caCert.validity.notAfter.getTime());
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', [usage]: true },
    ...(altNames.length > 0 ? [{ name: 'subjectAltName', altNames }] : []),
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { cert: lf(forge.pki.certificateToPem(cert)), key: key.pem };
}

/** A serving certificate for the identity, signed by the CA, never valid past the CA. */
export function issueServing(ca: KeyedCertificate, identity: ServingIdentity, validity: Validity): KeyedCertificate {
  return issueLeaf(ca, { commonName: identity.commonName, dnsNames: identity.dnsNames, ips: identity.ips }, validity, 'serverAuth');
}
