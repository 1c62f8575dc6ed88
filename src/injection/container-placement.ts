// Where sidecars go in the Pod's container lists (Kruise's mergeSidecarContainers, docs/behaviour/injection.md
// steps 13-14): a sidecar named like a Pod container replaces it in place; the others go in front of the
// Pod's containers (BeforeAppContainer) or behind them (anything else), each group in injection order.
//
// Two sidecars adding the same new name would give the Pod duplicate containers, which the API server
// refuses; Kruise leaves that to the API server, we refuse the Pod with a message naming the SidecarSets.
//
// Re-injecting a version whose hash the Pod already records (webhook reinvocation) keeps a same-named
// container that was injected (IS_INJECTED=true) as it is: the API server defaulted it and later webhooks
// may have changed it since, and replacing it with the rebuilt sidecar would undo their changes.
import { isDeepStrictEqual } from 'node:util';
import type { Container } from '../api/core.ts';
import { InjectionError } from './injection-error.ts';
import { isInjectedContainer } from './pod-sources.ts';

export interface PlacedSidecar {
  container: Container;
  beforeAppContainers: boolean;
  sidecarSetName: string;
  /** The Pod already records the hash of this version of the SidecarSet: an injected container of the same name stays. */
  keepInjected?: boolean;
}

/** How a list changed: replacements by original index, then insertions in front and appends behind. */
export interface ListChange<T> {
  replaced: ReadonlyMap<number, T>;
  front: readonly T[];
  back: readonly T[];
}

/** How placing the sidecars changes the list; undefined when it changes nothing (e.g. on re-injection). */
export function placeSidecars(field: string, original: readonly Container[] | undefined, sidecars: readonly PlacedSidecar[]): ListChange<Container> | undefined {
  const existing = original ?? [];
  const indexByName = new Map<string, number>();
  existing.forEach((container, index) => indexByName.set(container.name, index)); // the last duplicate wins, as in Kruise
  const replaced = new Map<number, Container>();
  const front: Container[] = [];
  const back: Container[] = [];
  const addedBy = new Map<string, string>();
  for (const { container, beforeAppContainers, sidecarSetName, keepInjected } of sidecars) {
    const index = indexByName.get(container.name);
    if (index !== undefined) {
      if (!(keepInjected && isInjectedContainer(existing[index]))) replaced.set(index, container);
      continue;
    }
    const earlier = addedBy.get(container.name);
    if (earlier !== undefined) {
      throw new InjectionError(`${field}: SidecarSets ${JSON.stringify(earlier)} and ${JSON.stringify(sidecarSetName)} both add a container named ${JSON.stringify(container.name)}`, { reason: 'conflict' });
    }
    addedBy.set(container.name, sidecarSetName);
    (beforeAppContainers ? front : back).push(container);
  }
  for (const [index, container] of replaced) {
    if (isDeepStrictEqual(existing[index], container)) replaced.delete(index);
  }
  if (replaced.size === 0 && front.length === 0 && back.length === 0) return undefined;
  return { replaced, front, back };
}

/** The list after the change. */
export function applyListChange<T>(original: readonly T[] | null | undefined, change: ListChange<T>): T[] {
  return [...change.front, ...(original ?? []).map((item, index) => change.replaced.get(index) ?? item), ...change.back];
}
