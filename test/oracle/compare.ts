// Judging one differential case: identical (after removing wall-clock noise), explained by deliberate
// differences (each normalised by name, see differences.ts), or different, which fails the tier.
import { isDeepStrictEqual } from 'node:util';
import { DIFFERENCES, type DeliberateDifference } from './differences.ts';
import type { OracleCase } from './generator.ts';
import type { Outcome } from './sides.ts';

export type Verdict =
  | { status: 'identical' }
  | { status: 'documented'; differences: string[] }
  | { status: 'different'; ours: Outcome; kruise: Outcome; diff: string };

const HASH_ANNOTATIONS = ['kruise.io/sidecarset-hash', 'kruise.io/sidecarset-hash-without-image'];

/**
 * Noise, not a difference: Kruise stamps hash entries with the current time, ours with the time it is
 * given; and Go encodes an unset creationTimestamp as null, which the apiserver replaces anyway.
 */
export function withoutNoise(outcome: Outcome): Outcome {
  const object = outcome.object as { metadata?: { annotations?: Record<string, string>; creationTimestamp?: unknown } } | undefined;
  if (!object?.metadata) return outcome;
  const copy = structuredClone(outcome);
  const metadata = (copy.object as { metadata: { annotations?: Record<string, string>; creationTimestamp?: unknown } }).metadata;
  if (metadata.creationTimestamp === null) delete metadata.creationTimestamp;
  const copied = metadata.annotations;
  if (!copied) return copy;
  for (const key of HASH_ANNOTATIONS) {
    if (!copied[key]) continue;
    try {
      const entries = JSON.parse(copied[key]) as Record<string, { updateTimestamp?: string }>;
      for (const entry of Object.values(entries)) if (entry && typeof entry === 'object' && 'updateTimestamp' in entry) entry.updateTimestamp = '<time>';
      copied[key] = JSON.stringify(entries);
    } catch {
      // not JSON: compared as is
    }
  }
  return copy;
}

/** Equal as outcomes: the structured field errors our side carries for the normalisers are not compared. */
const same = (a: Outcome, b: Outcome): boolean => isDeepStrictEqual({ ...a, fieldErrors: undefined }, { ...b, fieldErrors: undefined });

export function compareCase(c: OracleCase, oursRaw: Outcome, kruiseRaw: Outcome, differences: readonly DeliberateDifference[] = DIFFERENCES): Verdict {
  let ours = withoutNoise(oursRaw);
  let kruise = withoutNoise(kruiseRaw);
  if (same(ours, kruise)) return { status: 'identical' };
  const applied: string[] = [];
  for (const difference of differences) {
    const normalised = difference.normalise(c, structuredClone(ours), structuredClone(kruise));
    if (!normalised) continue;
    if (same(normalised.ours, ours) && same(normalised.kruise, kruise)) continue;
    applied.push(difference.name);
    ({ ours, kruise } = normalised);
    if (same(ours, kruise)) return { status: 'documented', differences: applied };
  }
  const shown = { ...ours, fieldErrors: undefined };
  return { status: 'different', ours: shown, kruise, diff: describeDifference(shown, kruise) };
}

/** The first paths where the two outcomes disagree, JSON on both sides. */
export function describeDifference(ours: unknown, kruise: unknown, path = '', found: string[] = []): string {
  walk(ours, kruise, path, found);
  return found.slice(0, 12).join('\n');
}

function walk(a: unknown, b: unknown, path: string, found: string[]): void {
  if (found.length >= 12 || isDeepStrictEqual(a, b)) return;
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (isObject(a) && isObject(b) && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) walk(a[key], b[key], Array.isArray(a) ? `${path}[${key}]` : `${path}.${key}`, found);
    return;
  }
  found.push(`${path || '(root)'}:\n    ours:   ${JSON.stringify(a)}\n    kruise: ${JSON.stringify(b)}`);
}
