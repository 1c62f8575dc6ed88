// Carries out a planned step: issues what it needs and returns the certificate set to store.
import { issueCa, issueServing, type KeyedCertificate } from './authority.ts';
import type { CertificateSet } from './certificate-set.ts';
import type { ServingIdentity } from './identity.ts';
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
      return { ...step.set, serving: servingFrom(step.set.ca, context) };
    case 'repair-rotation':
      // The bundle may have changed (a broken CA dropped): the overlap starts again.
      return stamped(step.set, now);
    case 'introduce-ca':
      return { ...step.set, next: newCa(context), stepAt: now };
    case 'switch-ca':
      return { ca: step.set.next, serving: servingFrom(step.set.next, context), previous: step.set.ca.cert, stepAt: now };
    case 'retire-ca':
      return stamped({ ...step.set, previous: undefined }, now);
  }
}
