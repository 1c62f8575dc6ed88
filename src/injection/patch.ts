// The RFC 6902 JSON Patch from the original Pod to the injected one, built from the injection's change
// record rather than by diffing (docs/behaviour/injection.md): a missing parent is added whole, never written into;
// sidecars in front of the app containers are indexed adds valid at their point of the patch, so existing
// containers are not rewritten; a same-named container is replaced in place.
import type { Pod } from '../api/core.ts';
import { isJsonObject } from '../json-object.ts';
import { escapePointerToken, type JsonPatchOperation } from '../json-patch.ts';
import type { ListChange } from './container-placement.ts';
import type { PodChanges } from './pod-changes.ts';

/**
 * The patch turning `original` into the injected Pod. `basePath` locates the Pod inside a larger document,
 * e.g. `/spec/template` for a workload's Pod template.
 */
export function injectionPatch(original: Pod, changes: PodChanges, basePath = ''): JsonPatchOperation[] {
  const operations: JsonPatchOperation[] = [];
  if (changes.annotations) {
    if (!isJsonObject(original.metadata)) {
      operations.push({ op: 'add', path: `${basePath}/metadata`, value: { annotations: { ...changes.annotations } } });
    } else if (!isJsonObject(original.metadata.annotations)) {
      operations.push({ op: 'add', path: `${basePath}/metadata/annotations`, value: { ...changes.annotations } });
    } else {
      const existing = original.metadata.annotations;
      for (const [key, value] of Object.entries(changes.annotations)) {
        operations.push({ op: Object.hasOwn(existing, key) ? 'replace' : 'add', path: `${basePath}/metadata/annotations/${escapePointerToken(key)}`, value });
      }
    }
  }
  const spec = original.spec as unknown as Record<string, unknown>;
  if (changes.initContainers) listOperations(operations, `${basePath}/spec/initContainers`, spec.initContainers, changes.initContainers);
  if (changes.containers) listOperations(operations, `${basePath}/spec/containers`, spec.containers, changes.containers);
  if (changes.volumes) appendOperations(operations, `${basePath}/spec/volumes`, spec.volumes, changes.volumes);
  if (changes.imagePullSecrets) {
    const path = `${basePath}/spec/imagePullSecrets`;
    for (const index of [...changes.imagePullSecrets.removed].sort((a, b) => b - a)) operations.push({ op: 'remove', path: `${path}/${index}` });
    appendOperations(operations, path, spec.imagePullSecrets, changes.imagePullSecrets.appended);
  }
  return operations;
}

function listOperations(operations: JsonPatchOperation[], path: string, current: unknown, change: ListChange<unknown>): void {
  if (!Array.isArray(current)) {
    operations.push({ op: 'add', path, value: [...change.front, ...change.back] });
    return;
  }
  for (const [index, item] of [...change.replaced].sort(([a], [b]) => a - b)) operations.push({ op: 'replace', path: `${path}/${index}`, value: item });
  change.front.forEach((item, index) => operations.push({ op: 'add', path: `${path}/${index}`, value: item }));
  for (const item of change.back) operations.push({ op: 'add', path: `${path}/-`, value: item });
}

function appendOperations(operations: JsonPatchOperation[], path: string, current: unknown, appended: readonly unknown[]): void {
  if (appended.length === 0) return;
  if (!Array.isArray(current)) operations.push({ op: 'add', path, value: [...appended] });
  else for (const item of appended) operations.push({ op: 'add', path: `${path}/-`, value: item });
}
