// The Pods that objects from files stand for: a Pod itself, or the Pod template of a workload.
import type { Pod } from '../api/core.ts';
import { isJsonObject } from '../json-object.ts';
import { InputError, type KubeObject } from './input.ts';

/** Where each kind keeps the Pod it creates: the object itself for a Pod, else its Pod template. */
export const POD_PATHS: Record<string, readonly string[]> = {
  Pod: [],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

export const WORKLOAD_KINDS = Object.keys(POD_PATHS).filter((kind) => kind !== 'Pod');

/** The Pod an object stands for and where it sits, undefined for kinds that create no Pod. */
export function podOf(object: KubeObject, what: string): { pod: Pod; path: readonly string[] } | undefined {
  const path = object.kind === undefined ? undefined : POD_PATHS[object.kind];
  if (!path) return undefined;
  const pod = path.reduce<unknown>((value, key) => (isJsonObject(value) ? value[key] : undefined), object);
  if (!isJsonObject(pod) || !isJsonObject(pod.spec)) throw new InputError(`${what}: no Pod spec at ${[...path, 'spec'].join('.')}`);
  return { pod: pod as unknown as Pod, path };
}

/** A copy of `object` with `value` at `path`, copying only the objects along the path. */
export function withValueAt(object: unknown, path: readonly string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [key, ...rest] = path;
  const parent = object as Record<string, unknown>;
  return { ...parent, [key]: withValueAt(parent[key], rest, value) };
}

/** `Kind/name` (or the position in the input when unnamed), the prefix of every message about an object. */
export function describeObject(object: KubeObject, index: number): string {
  const metadata = isJsonObject(object.metadata) ? object.metadata : {};
  const name = metadata.name ?? metadata.generateName ?? `#${index + 1}`;
  return `${object.kind ?? 'object'}/${String(name)}`;
}

/** The namespace an object is created in: its own, else the one given on the command line. */
export function objectNamespace(object: KubeObject, defaultNamespace: string): string {
  return (isJsonObject(object.metadata) && typeof object.metadata.namespace === 'string' && object.metadata.namespace) || defaultNamespace;
}
