// Conflicts with the other SidecarSets of the cluster (docs/behaviour/validation.md rules 28-31). Only SidecarSets
// that may reach the same Pods count: overlapping namespaces and overlapping Pod selectors. The others
// come from the cluster as they are, so they are read defensively: a malformed one must not crash us.
import type { LabelSelector, Volume } from '../api/core.ts';
import type { SidecarSet } from '../api/sidecarset.ts';
import { type FieldError, type FieldPath, invalid, truncated } from '../field-error.ts';
import { compareGoStrings } from '../go-order.ts';
import { isJsonObject } from '../json-object.ts';
import { formatSelector } from '../label-selector.ts';
import { isNamespaceOverlapping, isSelectorOverlapping } from './selector-overlap.ts';

/** What the conflict rules need to know about a SidecarSet. */
interface ConflictView {
  name: string;
  namespace?: string;
  namespaceSelector?: LabelSelector;
  selector?: LabelSelector;
  /** In order, duplicates kept: each one is reported. */
  initContainerNames: string[];
  containerNames: string[];
  volumeList: Volume[];
  /** Retain patches never conflict, so they are left out. */
  patchList: { keys: string[]; overwrites: boolean }[];
  /** The same, for lookups. */
  initContainerSet: Set<string>;
  containerSet: Set<string>;
  /** By name; the first of a name counts, as a search of the list would find it. */
  volumes: Map<string, Volume>;
  /** Annotation key → whether some patch of it overwrites. */
  patchedKeys: Map<string, boolean>;
}

// Every comparison below is a Set or Map lookup: the cost is linear in the sizes of the SidecarSets,
// never their product, however large the others in the cluster are.

export function validateConflicts(sidecarSet: SidecarSet, others: readonly SidecarSet[], path: FieldPath): FieldError[] {
  const self = conflictView(sidecarSet);
  const rivals = others
    .map(conflictView)
    .filter((other) => other.name !== self.name && isNamespaceOverlapping(self, other) && isSelectorOverlapping(self.selector, other.selector))
    .sort((a, b) => compareGoStrings(a.name, b.name));
  const errors: FieldError[] = [];
  const containerClash = (name: string, other: ConflictView): FieldError =>
    invalid(path.child('containers').text, name, `container ${name} is already injected by SidecarSet ${other.name}${overlap(self, other)}`);
  for (const name of self.initContainerNames) {
    for (const other of rivals) if (other.initContainerSet.has(name)) errors.push(containerClash(name, other));
  }
  for (const name of self.containerNames) {
    for (const other of rivals) if (other.containerSet.has(name)) errors.push(containerClash(name, other));
  }
  for (const volume of self.volumeList) {
    for (const other of rivals) {
      const theirs = other.volumes.get(volume.name);
      if (theirs && !deepEqual(volume, theirs)) {
        errors.push(invalid(path.child('volumes').text, volume.name, `volume ${volume.name} is defined differently by SidecarSet ${other.name}${overlap(self, other)}`));
      }
    }
  }
  for (const patch of self.patchList) {
    for (const key of patch.keys) {
      for (const other of rivals) {
        const theirs = other.patchedKeys.get(key);
        if (theirs !== undefined && (patch.overwrites || theirs)) errors.push(invalid(path.child('patchPodMetadata').text, key, `annotation ${key} is also patched by SidecarSet ${other.name}${overlap(self, other)}`));
      }
    }
  }
  return errors;
}

// Selectors are cut to a readable length (a cached rival may hold a selector of any size) and each
// explanation is built once per rival, however many errors name it.
const explanations = new WeakMap<ConflictView, string>();

/** Why the two may reach the same Pods: their selectors, and their namespace restrictions when both have one. */
function overlap(self: ConflictView, other: ConflictView): string {
  const known = explanations.get(other);
  if (known !== undefined) return known;
  const shown = (selector: LabelSelector | undefined): string => truncated(formatSelector(selector));
  const namespaces = (view: ConflictView): string | undefined =>
    view.namespace ? `namespace ${view.namespace}` : view.namespaceSelector && `namespaceSelector ${shown(view.namespaceSelector)}`;
  const ours = namespaces(self);
  const theirs = namespaces(other);
  const namespacePart = ours && theirs ? `, and its ${theirs} overlaps this one's ${ours}` : '';
  const explanation = `: its selector ${shown(other.selector)} overlaps this one's ${shown(self.selector)}${namespacePart}`;
  explanations.set(other, explanation);
  return explanation;
}

const records = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? value.filter(isJsonObject) : []);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function conflictView(sidecarSet: SidecarSet): ConflictView {
  const metadata: Record<string, unknown> = isJsonObject(sidecarSet?.metadata) ? sidecarSet.metadata : {};
  const spec: Record<string, unknown> = isJsonObject(sidecarSet?.spec) ? sidecarSet.spec : {};
  const names = (containers: unknown): string[] => records(containers).flatMap((container) => text(container.name) ?? []);
  const initContainerNames = names(spec.initContainers);
  const containerNames = names(spec.containers);
  const volumeList = records(spec.volumes).filter((volume): volume is Volume => typeof volume.name === 'string');
  const patchList = records(spec.patchPodMetadata)
    .map((patch) => ({ keys: isJsonObject(patch.annotations) ? Object.keys(patch.annotations) : [], policy: text(patch.patchPolicy) ?? '' }))
    .filter((patch) => patch.policy !== 'Retain')
    .map((patch) => ({ keys: patch.keys, overwrites: patch.policy === 'Overwrite' }));
  const volumes = new Map<string, Volume>();
  for (const volume of volumeList) if (!volumes.has(volume.name)) volumes.set(volume.name, volume);
  const patchedKeys = new Map<string, boolean>();
  for (const patch of patchList) for (const key of patch.keys) patchedKeys.set(key, patch.overwrites || (patchedKeys.get(key) ?? false));
  return {
    name: text(metadata.name) ?? '',
    namespace: text(spec.namespace),
    namespaceSelector: labelSelector(spec.namespaceSelector),
    selector: labelSelector(spec.selector),
    initContainerNames,
    containerNames,
    volumeList,
    patchList,
    initContainerSet: new Set(initContainerNames),
    containerSet: new Set(containerNames),
    volumes,
    patchedKeys,
  };
}

/** Keeps the well-formed parts of a selector; anything else is dropped. */
function labelSelector(value: unknown): LabelSelector | undefined {
  if (!isJsonObject(value)) return undefined;
  const matchLabels = Object.fromEntries(Object.entries(isJsonObject(value.matchLabels) ? value.matchLabels : {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  const matchExpressions = records(value.matchExpressions).flatMap((requirement) => {
    const key = text(requirement.key);
    const operator = text(requirement.operator);
    if (key === undefined || operator === undefined) return [];
    return [{ key, operator, values: Array.isArray(requirement.values) ? requirement.values.filter((item): item is string => typeof item === 'string') : [] }];
  });
  return { matchLabels, matchExpressions };
}

/** Structural equality of JSON values, key order ignored (Go's reflect.DeepEqual on decoded objects). */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, index) => deepEqual(item, b[index]));
  }
  if (!isJsonObject(a) || !isJsonObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
}
