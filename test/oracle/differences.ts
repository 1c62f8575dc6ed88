// The deliberate differences from OpenKruise v1.9.0, in one place: each has a name, the reason we
// decided differently, and the normalisation that removes exactly that difference from a case's two
// outcomes (undefined: does not apply). docs/kruise-differences.md is the same list for readers; a
// test keeps the two in step. Anything not removed by one of these fails the differential tier.
import type { OracleCase } from './generator.ts';
import type { Outcome } from './sides.ts';

export interface DeliberateDifference {
  name: string;
  reason: string;
  normalise(c: OracleCase, ours: Outcome, kruise: Outcome): { ours: Outcome; kruise: Outcome } | undefined;
}

const replaceErrors = (outcome: Outcome, keep: (error: string) => boolean): Outcome => {
  const errors = (outcome.errors ?? []).filter(keep);
  return errors.length > 0 || outcome.allowed ? { ...outcome, errors } : { allowed: true };
};

/** Both refusals reduced to "refused for these reasons"; the reasons our side gives for an explained refusal. */
const explainedRefusal = (marker: RegExp) => (c: OracleCase, ours: Outcome, kruise: Outcome) => {
  if (ours.allowed || !(ours.errors ?? []).some((error) => marker.test(error))) return undefined;
  const explained: Outcome = { allowed: false, errors: [`<${marker.source}>`] };
  return { ours: explained, kruise: explained };
};

export const DIFFERENCES: readonly DeliberateDifference[] = [
  {
    name: 'denials are 4xx',
    reason: 'a refused object is the client\'s fault: 403 (injection) or 422 (field errors), never Kruise\'s 500, which clients retry and alert on',
    normalise: (_c, ours, kruise) => (!ours.allowed && !kruise.allowed ? { ours: { ...ours, code: undefined }, kruise: { ...kruise, code: undefined } } : undefined),
  },
  {
    name: 'unknown fields refused',
    reason: 'a misspelt field (imagePullPolcy) is refused with the field named; Kruise drops it silently while decoding and injects the sidecar without it',
    normalise: explainedRefusal(/unknown field/),
  },
  {
    name: 'not supported yet',
    reason: 'resourcesPolicy and canary SidecarSets are refused clearly until we implement them, rather than accepted and ignored',
    normalise: explainedRefusal(/not supported yet/),
  },
];

export { replaceErrors };
