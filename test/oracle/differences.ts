// The deliberate differences from OpenKruise v1.9.0, in one place: each has a name, the reason we
// decided differently, and the normalisation that removes exactly that difference from a case's two
// outcomes (undefined: does not apply). docs/kruise-differences.md is the same list for readers; a
// test keeps the two in step. Anything not removed by one of these fails the differential tier.
import type { Container, LocalObjectReference, Pod, Volume } from '../../src/api/core.ts';
import type { OracleCase } from './generator.ts';
import type { Outcome } from './sides.ts';

export interface DeliberateDifference {
  name: string;
  reason: string;
  normalise(c: OracleCase, ours: Outcome, kruise: Outcome): { ours: Outcome; kruise: Outcome } | undefined;
}

/** Both refusals reduced to "refused for these reasons"; the reasons our side gives for an explained refusal. */
const explainedRefusal = (marker: RegExp) => (c: OracleCase, ours: Outcome, kruise: Outcome) => {
  if (ours.allowed || !(ours.errors ?? []).some((error) => marker.test(error))) return undefined;
  const explained: Outcome = { allowed: false, errors: [`<${marker.source}>`] };
  return { ours: explained, kruise: explained };
};

/** The SidecarSet each injected container came from, by the hash annotation's sidecarList (hot-upgrade names carry -1/-2). */
function sidecarSetOf(pod: Pod): (container: Container) => string {
  const owners = new Map<string, string>();
  try {
    const entries = JSON.parse(pod.metadata?.annotations?.['kruise.io/sidecarset-hash'] ?? '{}') as Record<string, { sidecarList?: string[] }>;
    for (const [name, entry] of Object.entries(entries)) for (const sidecar of entry?.sidecarList ?? []) owners.set(sidecar, name);
  } catch {
    // unparsable: nothing to reorder by
  }
  return (container) => owners.get(container.name) ?? owners.get(container.name.replace(/-[12]$/, '')) ?? '';
}

/** Stable-sorts the runs of containers the injection added (absent from `before`) by their SidecarSet's name. */
function sortInjectedRuns(list: Container[] | undefined, before: readonly { name: string }[] | undefined, owner: (c: Container) => string): Container[] | undefined {
  if (!list) return list;
  const original = new Set((before ?? []).map((item) => item.name));
  const result: Container[] = [];
  let run: Container[] = [];
  const flush = (): void => {
    result.push(...run.map((c, i) => ({ c, i })).sort((a, b) => (owner(a.c) < owner(b.c) ? -1 : owner(a.c) > owner(b.c) ? 1 : a.i - b.i)).map(({ c }) => c));
    run = [];
  };
  for (const container of list) {
    if (original.has(container.name)) {
      flush();
      result.push(container);
    } else run.push(container);
  }
  flush();
  return result;
}

/** The items appended after the original ones, sorted by name (which SidecarSet came first decides their order). */
function sortAppended<T extends { name?: string }>(list: T[] | undefined, before: readonly T[] | undefined): T[] | undefined {
  if (!list) return list;
  const kept = before?.length ?? 0;
  return [...list.slice(0, kept), ...list.slice(kept).sort((a, b) => ((a.name ?? '') < (b.name ?? '') ? -1 : (a.name ?? '') > (b.name ?? '') ? 1 : 0))];
}

function inSidecarSetNameOrder(c: OracleCase, outcome: Outcome): Outcome {
  if (c.kind !== 'inject' || !outcome.allowed || !outcome.object) return outcome;
  const pod = structuredClone(outcome.object) as Pod;
  const owner = sidecarSetOf(pod);
  pod.spec.containers = sortInjectedRuns(pod.spec.containers, c.pod.spec.containers, owner)!;
  pod.spec.volumes = sortAppended<Volume>(pod.spec.volumes, c.pod.spec.volumes);
  pod.spec.imagePullSecrets = sortAppended<LocalObjectReference>(pod.spec.imagePullSecrets, c.pod.spec.imagePullSecrets);
  return { ...outcome, object: pod };
}

export const DIFFERENCES: readonly DeliberateDifference[] = [
  {
    name: 'name-ordered injection',
    reason: 'SidecarSets are injected in name order, so a Pod always comes out the same; Kruise takes its cache\'s order (namespace-scoped SidecarSets first, then the others, in map order in a real informer)',
    normalise: (c, ours, kruise) => (c.kind === 'inject' ? { ours: inSidecarSetNameOrder(c, ours), kruise: inSidecarSetNameOrder(c, kruise) } : undefined),
  },
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
