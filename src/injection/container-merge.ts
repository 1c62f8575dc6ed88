// Merging what a sidecar takes from the Pod into its own env, mounts and devices (Kruise's
// MergeEnvVar / MergeVolumeMounts and the device equivalent): its own entries always stay, an added
// entry is skipped when its name or path is already taken.
import type { EnvVar, VolumeDevice, VolumeMount } from '../api/core.ts';

/** Appends the env vars whose name is not present yet (first one wins). */
export function mergeEnvVars(own: readonly EnvVar[], added: readonly EnvVar[]): EnvVar[] {
  const names = new Set(own.map((env) => env.name));
  const merged = [...own];
  for (const env of added) {
    if (names.has(env.name)) continue;
    names.add(env.name);
    merged.push(env);
  }
  return merged;
}

/** Appends shared mounts whose mountPath is neither mounted yet nor one of the container's device paths. */
export function mergeVolumeMounts(own: readonly VolumeMount[], shared: readonly VolumeMount[], devicePaths: ReadonlySet<string>): VolumeMount[] {
  const paths = new Set(own.map((mount) => mount.mountPath));
  const merged = [...own];
  for (const mount of shared) {
    if (paths.has(mount.mountPath) || devicePaths.has(mount.mountPath)) continue;
    paths.add(mount.mountPath);
    merged.push(mount);
  }
  return merged;
}

/** Appends shared devices whose devicePath is neither used yet nor one of the container's mount paths. */
export function mergeVolumeDevices(own: readonly VolumeDevice[], shared: readonly VolumeDevice[], mountPaths: ReadonlySet<string>): VolumeDevice[] {
  const paths = new Set(own.map((device) => device.devicePath));
  const merged = [...own];
  for (const device of shared) {
    if (paths.has(device.devicePath) || mountPaths.has(device.devicePath)) continue;
    paths.add(device.devicePath);
    merged.push(device);
  }
  return merged;
}
