// SidecarSets by one label their Pod selector requires, so that the SidecarSets that may select a
// Pod are found from the Pod's own labels instead of by trying every SidecarSet: with 1,000
// SidecarSets, a Pod event or a drift scan otherwise pays 1,000 selector tests per Pod. Pure: fed
// by the SidecarSet cache's events. The answer is a superset: callers still run the full match.
import type { SidecarSet } from './api/sidecarset.ts';
import { compileRequirements, type Labels } from './label-selector.ts';

export interface SidecarSetSelectorIndex {
  /** Adds the SidecarSet, or replaces the one filed under the same name. */
  upsert(sidecarSet: SidecarSet): void;
  remove(sidecarSet: SidecarSet): void;
  /** Names of the SidecarSets whose selectors may select Pods with these labels; each once. */
  candidates(labels: Labels | undefined): Iterable<string>;
}

interface Filed {
  key: string;
  value: string;
}

export function createSidecarSetSelectorIndex(): SidecarSetSelectorIndex {
  const byLabel = new Map<string, Map<string, Set<string>>>();
  /** SidecarSets with no required label (expressions only, or a selector that does not compile): candidates for every Pod. */
  const everywhere = new Set<string>();
  const filed = new Map<string, Filed | undefined>();

  const remove = (sidecarSet: SidecarSet): void => {
    const name = sidecarSet.metadata.name ?? '';
    if (!filed.has(name)) return;
    const label = filed.get(name);
    filed.delete(name);
    if (!label) {
      everywhere.delete(name);
      return;
    }
    const byValue = byLabel.get(label.key)!;
    const names = byValue.get(label.value)!;
    names.delete(name);
    if (names.size === 0) byValue.delete(label.value);
    if (byValue.size === 0) byLabel.delete(label.key);
  };

  return {
    upsert(sidecarSet) {
      remove(sidecarSet);
      const name = sidecarSet.metadata.name ?? '';
      const label = requiredLabel(sidecarSet);
      filed.set(name, label);
      if (!label) {
        everywhere.add(name);
        return;
      }
      let byValue = byLabel.get(label.key);
      if (!byValue) byLabel.set(label.key, (byValue = new Map()));
      let names = byValue.get(label.value);
      if (!names) byValue.set(label.value, (names = new Set()));
      names.add(name);
    },
    remove,
    *candidates(labels) {
      yield* everywhere;
      if (!labels) return;
      for (const key in labels) {
        const names = byLabel.get(key)?.get(labels[key]);
        if (names) yield* names;
      }
    },
  };
}

/** One label=value every selected Pod carries, when the selector compiles and has matchLabels. */
function requiredLabel(sidecarSet: SidecarSet): Filed | undefined {
  const selector = sidecarSet.spec?.selector;
  const first = Object.entries(selector?.matchLabels ?? {})[0];
  if (!selector || !first || typeof first[1] !== 'string') return undefined;
  try {
    compileRequirements(selector);
  } catch {
    return undefined; // the full match reports it; filed everywhere, it is still tried on every Pod
  }
  return { key: first[0], value: first[1] };
}
