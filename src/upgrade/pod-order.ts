// The order in which waiting Pods are upgraded (spec Part B §7.3 step 2, Kruise's SortUpdateIndexes):
// Kubernetes' ActivePods order first, then priorityStrategy, then scatterStrategy. Kruise's first sort
// is unstable; ours is stable over the order it is given, so the same Pods always go in the same order.
import type { Pod } from '../api/core.ts';
import type { SidecarSetUpdateStrategy, UpdatePriorityStrategy, UpdateScatterTerm } from '../api/sidecarset.ts';
import { compileSelector, type LabelPredicate } from '../label-selector.ts';
import { parseMetaTime } from '../meta-time.ts';

/** Returns the candidates (a subset of `pods`, the matched Pods) in upgrade order. */
export function sortUpgradeCandidates(strategy: SidecarSetUpdateStrategy, pods: readonly Pod[], candidates: readonly Pod[]): Pod[] {
  let ordered = [...candidates].sort(compareActivePods);
  if (strategy.priorityStrategy) ordered = sortByPriority(strategy.priorityStrategy, ordered);
  if (strategy.scatterStrategy) ordered = scatter(expandScatterTerms(strategy.scatterStrategy, pods), pods, ordered);
  return ordered;
}

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/** Kubernetes controller.ActivePods.Less as a comparator: the Pod to act on first sorts first. */
export function compareActivePods(a: Pod, b: Pod): number {
  const nodeA = a.spec.nodeName ?? '';
  const nodeB = b.spec.nodeName ?? '';
  if (nodeA !== nodeB && (nodeA === '' || nodeB === '')) return nodeA === '' ? -1 : 1;
  const phaseA = PHASE_ORDINAL[a.status?.phase ?? ''] ?? 0;
  const phaseB = PHASE_ORDINAL[b.status?.phase ?? ''] ?? 0;
  if (phaseA !== phaseB) return phaseA - phaseB;
  const readyA = readySince(a);
  const readyB = readySince(b);
  if ((readyA === undefined) !== (readyB === undefined)) return readyA === undefined ? -1 : 1;
  if (readyA !== undefined && readyB !== undefined && readyA !== readyB) return afterOrZero(readyA, readyB) ? -1 : 1;
  const [regularA, sidecarA] = maxRestarts(a);
  const [regularB, sidecarB] = maxRestarts(b);
  if (regularA !== regularB) return regularB - regularA;
  if (sidecarA !== sidecarB) return sidecarB - sidecarA;
  const createdA = timeOrZero(a.metadata.creationTimestamp);
  const createdB = timeOrZero(b.metadata.creationTimestamp);
  if (createdA !== createdB) return afterOrZero(createdA, createdB) ? -1 : 1;
  return 0;
}

/** Milliseconds since the Ready condition turned True (0 when unknown); undefined when the Pod is not ready. */
function readySince(pod: Pod): number | undefined {
  const ready = pod.status?.conditions?.find((condition) => condition.type === 'Ready');
  if (ready?.status !== 'True') return undefined;
  return timeOrZero(ready.lastTransitionTime as string | undefined);
}

function timeOrZero(text: string | undefined): number {
  return (text && parseMetaTime(text)?.getTime()) || 0;
}

/** afterOrZero: a zero time sorts first, otherwise the later time does. */
function afterOrZero(a: number, b: number): boolean {
  if (a === 0 || b === 0) return a === 0;
  return a > b;
}

/** The highest restart count of the regular containers, then of the native sidecars. */
function maxRestarts(pod: Pod): [number, number] {
  let regular = 0;
  for (const status of pod.status?.containerStatuses ?? []) regular = Math.max(regular, Number(status.restartCount ?? 0));
  const nativeSidecars = new Set((pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  let sidecar = 0;
  for (const status of pod.status?.initContainerStatuses ?? []) {
    if (nativeSidecars.has(status.name)) sidecar = Math.max(sidecar, Number(status.restartCount ?? 0));
  }
  return [regular, sidecar];
}

/**
 * Kruise's priority sorter (stable): weight mode sums the weights of the matching terms, higher first;
 * order mode takes the first orderedKey the Pod carries (lower index first, Pods with none of the keys
 * first of all) and, within a key, the number ending its value, higher first.
 */
function sortByPriority(strategy: UpdatePriorityStrategy, pods: Pod[]): Pod[] {
  const weights = strategy.weightPriority ?? [];
  const orders = strategy.orderPriority ?? [];
  if (weights.length > 0) {
    const terms = weights.flatMap((term): { weight: number; matches: LabelPredicate }[] => {
      try {
        return [{ weight: term.weight, matches: compileSelector(term.matchSelector) }];
      } catch {
        return []; // Kruise skips a term whose selector does not compile
      }
    });
    const weightOf = (pod: Pod) => terms.reduce((sum, term) => (term.matches(pod.metadata.labels) ? sum + term.weight : sum), 0);
    return stableSortBy(pods, (pod) => [-weightOf(pod)]);
  }
  if (orders.length > 0) {
    const levelOf = (pod: Pod): [number, number] => {
      const labels = pod.metadata.labels ?? {};
      for (const [index, term] of orders.entries()) {
        if (Object.hasOwn(labels, term.orderedKey)) return [index, -trailingInteger(labels[term.orderedKey])];
      }
      return [-1, 0];
    };
    return stableSortBy(pods, levelOf);
  }
  return pods;
}

function stableSortBy(pods: Pod[], key: (pod: Pod) => number[]): Pod[] {
  const keyed = pods.map((pod) => ({ pod, key: key(pod) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < a.key.length; i++) if (a.key[i] !== b.key[i]) return a.key[i] - b.key[i];
    return 0;
  });
  return keyed.map(({ pod }) => pod);
}

/** The integer the value ends with (0 when none, or when it does not fit an int64). */
function trailingInteger(value: string): number {
  const digits = /\d+$/.exec(value)?.[0];
  if (!digits) return 0;
  const parsed = BigInt(digits);
  return parsed > 9223372036854775807n ? 0 : Number(parsed);
}

/** parseUpdateScatterTerms: `value: "*"` becomes one term per value the matched Pods carry; duplicates dropped. */
export function expandScatterTerms(terms: readonly UpdateScatterTerm[], pods: readonly Pod[]): UpdateScatterTerm[] {
  const out: UpdateScatterTerm[] = [];
  const insert = (term: UpdateScatterTerm) => {
    if (!out.some((existing) => existing.key === term.key && existing.value === term.value)) out.push({ key: term.key, value: term.value });
  };
  for (const term of terms) {
    if (term.value !== '*') insert(term);
    else for (const pod of pods) if (Object.hasOwn(pod.metadata.labels ?? {}, term.key)) insert({ key: term.key, value: pod.metadata.labels![term.key] });
  }
  return out;
}

const labelIs = (pod: Pod, term: UpdateScatterTerm) => (pod.metadata.labels?.[term.key] ?? '') === term.value;

/** Kruise's scatter sorter: spreads the Pods of each term evenly through the sequence, most common term first. */
function scatter(terms: UpdateScatterTerm[], pods: readonly Pod[], ordered: Pod[]): Pod[] {
  if (terms.length === 0 || ordered.length <= 1) return ordered;
  for (const term of scatterTermsInUse(terms, ordered)) ordered = scatterByTerm(term, pods, ordered);
  return ordered;
}

function scatterTermsInUse(terms: UpdateScatterTerm[], ordered: Pod[]): UpdateScatterTerm[] {
  if (terms.length === 1) return terms;
  const counted: { term: UpdateScatterTerm; count: number }[] = [];
  for (const term of terms) {
    for (const pod of ordered) {
      if (!Object.hasOwn(pod.metadata.labels ?? {}, term.key) || pod.metadata.labels![term.key] !== term.value) continue;
      const entry = counted.find((c) => c.term.key === term.key && c.term.value === term.value);
      if (entry) entry.count++;
      else counted.push({ term, count: 1 });
    }
  }
  return counted.map((entry, index) => ({ ...entry, index })).sort((a, b) => b.count - a.count || a.index - b.index).map(({ term }) => term);
}

function scatterByTerm(term: UpdateScatterTerm, pods: readonly Pod[], ordered: Pod[]): Pod[] {
  const matched = ordered.filter((pod) => labelIs(pod, term));
  const unmatched = ordered.filter((pod) => !labelIs(pod, term));
  if (matched.length <= 1 || unmatched.length <= 1) return ordered;
  let totalMatched = pods.filter((pod) => labelIs(pod, term)).length;
  const totalUnmatched = pods.length - totalMatched;
  // The last matched Pod goes to the very end.
  const last = matched.pop()!;
  totalMatched--;
  const group = groupByDensity(totalMatched, totalUnmatched, matched.length, unmatched.length);
  const out: Pod[] = [];
  let restMatched = matched;
  let restUnmatched = unmatched;
  if (group.unmatchedRemainder > 0) {
    out.push(...restUnmatched.slice(0, group.unmatchedRemainder));
    restUnmatched = restUnmatched.slice(group.unmatchedRemainder);
  }
  for (let i = 0; i < group.groups; i++) {
    out.push(...restMatched.slice(0, group.matchedSize));
    restMatched = restMatched.slice(group.matchedSize);
    out.push(...restUnmatched.slice(0, group.unmatchedSize));
    restUnmatched = restUnmatched.slice(group.unmatchedSize);
  }
  out.push(...restMatched, ...restUnmatched, last);
  return out;
}

interface ScatterGroup {
  groups: number;
  matchedSize: number;
  unmatchedSize: number;
  unmatchedRemainder: number;
}

function evenGroups(matched: number, unmatched: number): ScatterGroup {
  const groups = Math.min(matched, unmatched);
  return { groups, matchedSize: goRound(matched / groups), unmatchedSize: goRound(unmatched / groups), unmatchedRemainder: 0 };
}

/** Groups as dense as the whole population when the waiting Pods are denser in matched ones, else as the waiting Pods. */
function groupByDensity(totalMatched: number, totalUnmatched: number, waitingMatched: number, waitingUnmatched: number): ScatterGroup {
  const total = evenGroups(totalMatched, totalUnmatched);
  const waiting = evenGroups(waitingMatched, waitingUnmatched);
  if (Math.fround(Math.fround(totalUnmatched) / Math.fround(totalMatched)) >= Math.fround(Math.fround(waitingUnmatched) / Math.fround(waitingMatched))) return waiting;
  const byMatched = Math.trunc(waitingMatched / total.matchedSize);
  const byUnmatched = Math.trunc(waitingUnmatched / total.unmatchedSize);
  const groups = byMatched < byUnmatched ? byMatched : byUnmatched;
  return { groups, matchedSize: total.matchedSize, unmatchedSize: total.unmatchedSize, unmatchedRemainder: waitingUnmatched - groups * total.unmatchedSize };
}

/** Go's math.Round: halves away from zero (only positive values occur here). */
const goRound = (value: number) => Math.floor(value + 0.5);
