// Merging what a sidecar takes from the Pod into its own env, mounts and devices (Kruise's
// MergeEnvVar / MergeVolumeMounts and the device equivalent): its own entries always stay, an added
// entry is skipped when its name or path is already taken.
import type { EnvVar, VolumeDevice, VolumeMount } from '../api/core.ts';

const NOTHING_BLOCKED: ReadonlySet<string> = new Set();

/** Appends the added items whose key is neither taken by an earlier item nor blocked (first one wins). */
function appendUntaken<T>(own: readonly T[], added: readonly T[], key: (item: T) => string, blocked: ReadonlySet<string>): T[] {
  const taken = new Set(own.map(key));
  const merged = [...own];
  for (const item of added) {
    const itemKey = key(item);
    if (taken.has(itemKey) || blocked.has(itemKey)) continue;
    taken.add(itemKey);
    merged.push(item);
  }
  return merged;
}

/** Appends the env vars whose name is not present yet (first one wins). */
export function mergeEnvVars(own: readonly EnvVar[], added: readonly EnvVar[]): EnvVar[] {
  return appendUntaken(own, added, (env) => env.name, NOTHING_BLOCKED);
}

/** Appends shared mounts whose mountPath is neither mounted yet nor one of the container's device paths. */
export function mergeVolumeMounts(own: readonly VolumeMount[], shared: readonly VolumeMount[], devicePaths: ReadonlySet<string>): VolumeMount[] {
  return appendUntaken(own, shared, (mount) => mount.mountPath, devicePaths);
}

/** Appends shared devices whose devicePath is neither used yet nor one of the container's mount paths. */
export function mergeVolumeDevices(own: readonly VolumeDevice[], shared: readonly VolumeDevice[], mountPaths: ReadonlySet<string>): VolumeDevice[] {
  return appendUntaken(own, shared, (device) => device.devicePath, mountPaths);
}
