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

export function applyStep(step: Exclude<Step, { kind: 'none' }>, context: StepContext): CertificateSet {
  const { identity, lifetimes, now } = context;
  const newCa = (): KeyedCertificate => issueCa({ now, lifetimeMs: lifetimes.caMs, backdateMs: lifetimes.backdateMs });
  const servingFrom = (ca: KeyedCertificate): KeyedCertificate =>
    issueServing(ca, identity, { now, lifetimeMs: lifetimes.servingMs, backdateMs: lifetimes.backdateMs });

  switch (step.kind) {
    case 'issue-all': {
      const ca = newCa();
      return { ca, serving: servingFrom(ca) };
    }
    case 'reissue-serving':
      return { ...step.set, serving: servingFrom(step.set.ca) };
    case 'repair-rotation':
      // The bundle may have changed (a broken CA dropped): the overlap starts again.
      return stamped(step.set, now);
    case 'introduce-ca':
      return { ...step.set, next: newCa(), stepAt: now };
    case 'switch-ca':
      return { ca: step.set.next, serving: servingFrom(step.set.next), previous: step.set.ca.cert, stepAt: now };
    case 'retire-ca':
      return stamped({ ...step.set, previous: undefined }, now);
  }
}
