// Judges what a Secret holds: is it ours and usable, which part is broken, when does each
// certificate expire. Broken parts are classified by what repairing them costs:
//   - no usable CA (missing, foreign, corrupt, expired): everything is regenerated, and webhook
//     calls fail until the apiserver has the new caBundle;
//   - a bad serving certificate (mismatched key, broken chain, wrong SANs, expired): reissued by
//     the same CA, which every client already trusts;
//   - a bad rotation leftover (next/previous CA, step time): dropped or re-stamped.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { Secret } from '../src/api/core.ts';
import type { CertificateSet } from './certificate-set.ts';
import type { ServingIdentity } from './identity.ts';
import { decodeSecret } from './secret-layout.ts';

export interface Span {
  notBefore: number;
  notAfter: number;
}

export type ServingStatus = { span: Span } | { problem: string };

export type Inspection =
  | {
    usable: false;
    reason: string;
    /** True when nothing was lost: no Secret yet, or an empty placeholder. */
    expected: boolean;
  }
  | {
    usable: true;
    /**
     * The stored set, minus a broken next/previous CA (listed in `repairs`). `set.serving` is as
     * stored, possibly empty or broken: it is sound only when `serving` carries a span.
     */
    set: CertificateSet;
    caSpan: Span;
    serving: ServingStatus;
    /** Why the stored rotation state must be rewritten; empty when it is sound. */
    repairs: string[];
  };

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

type Checked = { x509: X509Certificate; span: Span } | { problem: string };

function spanOf(x509: X509Certificate): Span {
  return { notBefore: x509.validFromDate.getTime(), notAfter: x509.validToDate.getTime() };
}

function parseCertificate(pem: string | undefined, label: string): X509Certificate | string {
  if (!pem) return `${label} certificate is missing`;
  try {
    return new X509Certificate(pem);
  } catch {
    return `${label} certificate is not a PEM certificate`;
  }
}

function keyProblem(x509: X509Certificate, keyPem: string | undefined, label: string): string | undefined {
  if (!keyPem) return `${label} key is missing`;
  try {
    return x509.checkPrivateKey(createPrivateKey(keyPem)) ? undefined : `${label} key does not match its certificate`;
  } catch {
    return `${label} key is not a PEM private key`;
  }
}

function timeProblem(span: Span, now: number, label: string): string | undefined {
  if (now >= span.notAfter) return `${label} certificate expired at ${new Date(span.notAfter).toISOString()}`;
  if (now < span.notBefore) return `${label} certificate is not valid before ${new Date(span.notBefore).toISOString()}`;
  return undefined;
}

function checkCaCertificate(certPem: string | undefined, label: string): Checked {
  const x509 = parseCertificate(certPem, label);
  if (typeof x509 === 'string') return { problem: x509 };
  if (!x509.ca) return { problem: `${label} certificate is not a CA` };
  if (!x509.checkIssued(x509) || !x509.verify(x509.publicKey)) return { problem: `${label} certificate is not self-signed` };
  return { x509, span: spanOf(x509) };
}

/** A CA able to sign now: a current self-signed CA certificate with its key. */
function checkSigningCa(certPem: string | undefined, keyPem: string | undefined, now: number, label: string): Checked {
  const checked = checkCaCertificate(certPem, label);
  if ('problem' in checked) return checked;
  const problem = keyProblem(checked.x509, keyPem, label) ?? timeProblem(checked.span, now, label);
  return problem ? { problem } : checked;
}

/** The DNS names and IP addresses a certificate names as SANs. */
export function subjectAltNames(x509: X509Certificate): { dnsNames: string[]; ips: string[] } {
  const entries = (x509.subjectAltName ?? '').split(', ').filter(Boolean);
  return {
    dnsNames: entries.filter((e) => e.startsWith('DNS:')).map((e) => e.slice(4)),
    ips: entries.filter((e) => e.startsWith('IP Address:')).map((e) => e.slice('IP Address:'.length)),
  };
}

/**
 * A certificate is acceptable when it covers every name this replica needs; names other replicas
 * asked for may come on top (see widenedIdentity).
 */
function sanProblem(x509: X509Certificate, identity: ServingIdentity): string | undefined {
  const { dnsNames } = subjectAltNames(x509);
  const missingDns = identity.dnsNames.filter((name) => !dnsNames.includes(name));
  const missingIps = identity.ips.filter((ip) => x509.checkIP(ip) === undefined);
  if (missingDns.length === 0 && missingIps.length === 0) return undefined;
  return `serving certificate lacks DNS [${missingDns.join(', ')}] and IPs [${missingIps.join(', ')}]`;
}

function checkServing(set: Pick<CertificateSet, 'serving'>, ca: X509Certificate, identity: ServingIdentity, now: number): ServingStatus {
  const x509 = parseCertificate(set.serving.cert, 'serving');
  if (typeof x509 === 'string') return { problem: x509 };
  const span = spanOf(x509);
  const problem = (x509.ca ? 'serving certificate is a CA' : undefined)
    ?? keyProblem(x509, set.serving.key, 'serving')
    ?? (!x509.checkIssued(ca) || !x509.verify(ca.publicKey) ? 'serving certificate is not signed by the CA' : undefined)
    ?? (!(x509.keyUsage ?? []).includes(SERVER_AUTH) ? 'serving certificate lacks the serverAuth usage' : undefined)
    ?? sanProblem(x509, identity)
    ?? timeProblem(span, now, 'serving');
  return problem ? { problem } : { span };
}

export function inspectSecret(secret: Secret | undefined, identity: ServingIdentity, now: number): Inspection {
  if (!secret) return { usable: false, reason: 'Secret does not exist', expected: true };
  const { fields, unexpectedKeys, stepAt } = decodeSecret(secret);
  if (unexpectedKeys.length > 0) {
    return { usable: false, reason: `foreign Secret: unexpected keys ${unexpectedKeys.join(', ')}`, expected: false };
  }
  if (Object.keys(fields).length === 0) return { usable: false, reason: 'Secret is empty', expected: true };

  const ca = checkSigningCa(fields.caCert, fields.caKey, now, 'CA');
  if ('problem' in ca) return { usable: false, reason: ca.problem, expected: false };

  const set: CertificateSet = {
    ca: { cert: fields.caCert!, key: fields.caKey! },
    serving: { cert: fields.cert ?? '', key: fields.key ?? '' },
  };
  const repairs: string[] = [];
  if (fields.nextCaCert !== undefined || fields.nextCaKey !== undefined) {
    const next = checkSigningCa(fields.nextCaCert, fields.nextCaKey, now, 'next CA');
    if ('problem' in next) repairs.push(`dropping the next CA: ${next.problem}`);
    else set.next = { cert: fields.nextCaCert!, key: fields.nextCaKey! };
  }
  if (fields.previousCaCert !== undefined) {
    // A retiring CA may have expired already: it only has to be a CA to be worth keeping until retired.
    const previous = checkCaCertificate(fields.previousCaCert, 'previous CA');
    if ('problem' in previous) repairs.push(`dropping the previous CA: ${previous.problem}`);
    else set.previous = fields.previousCaCert;
  }
  if (set.next || set.previous) {
    const parsedStepAt = stepAt === undefined ? NaN : Date.parse(stepAt);
    if (Number.isNaN(parsedStepAt)) repairs.push('the CA rotation has no valid step time');
    else set.stepAt = parsedStepAt;
  }

  return { usable: true, set, caSpan: ca.span, serving: checkServing(set, ca.x509, identity, now), repairs };
}
