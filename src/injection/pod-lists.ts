// Volumes and imagePullSecrets a SidecarSet adds to the Pod (docs/behaviour/injection.md steps 15-16).
import type { LocalObjectReference, Volume } from '../api/core.ts';

/** The queued volumes whose name the Pod (or an earlier queued volume) does not use yet: the Pod's own definition wins. */
export function volumesToAppend(podVolumes: readonly Volume[] | undefined, queued: readonly Volume[]): Volume[] {
  const names = new Set((podVolumes ?? []).map((volume) => volume.name));
  const appended: Volume[] = [];
  for (const volume of queued) {
    if (names.has(volume.name)) continue;
    names.add(volume.name);
    appended.push(volume);
  }
  return appended;
}

export interface PullSecretChange {
  /** Indexes of the Pod's own duplicate entries, which Kruise drops. */
  removed: number[];
  appended: LocalObjectReference[];
}

/** Kruise's mergeSidecarSecrets: the Pod's secrets de-duplicated by name, then the SidecarSets' new ones. */
export function mergePullSecrets(podSecrets: readonly LocalObjectReference[] | undefined, added: readonly LocalObjectReference[]): PullSecretChange {
  const names = new Set<string>();
  const removed: number[] = [];
  (podSecrets ?? []).forEach((secret, index) => {
    const name = secret.name ?? '';
    if (names.has(name)) removed.push(index);
    else names.add(name);
  });
  const appended: LocalObjectReference[] = [];
  for (const secret of added) {
    const name = secret.name ?? '';
    if (names.has(name)) continue;
    names.add(name);
    appended.push(secret);
  }
  return { removed, appended };
}
