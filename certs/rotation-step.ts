// Carries out a planned step: issues what it needs and returns the certificate set to store.
import { X509Certificate } from 'node:crypto';
import { issueCa, issueServing, type KeyedCertificate } from './authority.ts';
import type { CertificateSet } from './certificate-set.ts';
import { widenedIdentity, type ServingIdentity } from './identity.ts';
import { subjectAltNames } from './inspect.ts';
import type { Lifetimes } from './lifetimes.ts';
import type { Step } from './rotation-plan.ts';

export interface StepContext {
  identity: ServingIdentity;
  lifetimes: Lifetimes;
  now: number;
}

/** Stamps a set that is mid-rotation with the time its bundle changed; a stable set carries none. */
function stamped(set: CertificateSet, now: number): CertificateSet {
  const { stepAt: _old, ...rest } = set;
  return rest.next || rest.previous ? { ...rest, stepAt: now } : rest;
}

const newCa = ({ lifetimes, now }: StepContext): KeyedCertificate => issueCa({ now, lifetimeMs: lifetimes.caMs, backdateMs: lifetimes.backdateMs });

const servingFrom = (ca: KeyedCertificate, { identity, lifetimes, now }: StepContext): KeyedCertificate =>
  issueServing(ca, identity, { now, lifetimeMs: lifetimes.servingMs, backdateMs: lifetimes.backdateMs });

/**
 * The context with its identity widened by the SANs of `set`'s serving certificate, when that
 * certificate is one the set's CA signed (a foreign or corrupt one passes nothing on).
 */
function keepingNames(set: CertificateSet, context: StepContext): StepContext {
  let serving: X509Certificate;
  try {
    serving = new X509Certificate(set.serving.cert);
  } catch {
    return context;
  }
  const ca = new X509Certificate(set.ca.cert);
  if (!serving.checkIssued(ca) || !serving.verify(ca.publicKey)) return context;
  return { ...context, identity: widenedIdentity(context.identity, subjectAltNames(serving)) };
}

/** A new CA and a serving certificate it signs: the self-managed mode's first set, and `sidecarset certs`. */
export function issueCertificateSet(context: StepContext): CertificateSet {
  const ca = newCa(context);
  return { ca, serving: servingFrom(ca, context) };
}

export function applyStep(step: Exclude<Step, { kind: 'none' }>, context: StepContext): CertificateSet {
  const { now } = context;
  switch (step.kind) {
    case 'issue-all':
      return issueCertificateSet(context);
    case 'reissue-serving':
      return { ...step.set, serving: servingFrom(step.set.ca, keepingNames(step.set, context)) };
    case 'repair-rotation':
      // The bundle may have changed (a broken CA dropped): the overlap starts again.
      return stamped(step.set, now);
    case 'introduce-ca':
      return { ...step.set, next: newCa(context), stepAt: now };
    case 'switch-ca':
      return { ca: step.set.next, serving: servingFrom(step.set.next, keepingNames(step.set, context)), previous: step.set.ca.cert, stepAt: now };
    case 'retire-ca':
      return stamped({ ...step.set, previous: undefined }, now);
  }
}
