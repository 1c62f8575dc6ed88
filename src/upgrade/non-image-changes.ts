// Which changes of a SidecarSet UPDATE cannot reach running Pods in place (beyond Kruise: it says
// nothing until the Pods are found "not upgradable"). Only images are upgraded in place, so any
// other difference in what the without-image hash covers keeps existing Pods on their old sidecars.
import type { Pod } from '../api/core.ts';
import { ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE, type SidecarContainer, type SidecarSet } from '../api/sidecarset.ts';
import { goMarshalSidecarContainer } from '../go-struct-json.ts';
import { sidecarSetHashInput } from '../hash.ts';
import { isActivePod } from '../matching.ts';
import { isInjectedBy } from '../pod-annotations.ts';
import { canUpgradeInPlace } from './choose-pods.ts';

/** Field paths (`spec.containers[0].env`) whose change is not an image change; empty when only images changed. */
export function nonImageChanges(before: SidecarSet, after: SidecarSet): string[] {
  if (sidecarSetHashInput(before.spec, true) === sidecarSetHashInput(after.spec, true)) return [];
  const paths: string[] = [];
  const compare = (list: 'containers' | 'initContainers') => {
    const old = new Map((before.spec[list] ?? []).map((container) => [container.name, container]));
    (after.spec[list] ?? []).forEach((container: SidecarContainer, index) => {
      const previous = old.get(container.name);
      old.delete(container.name);
      if (!previous) {
        paths.push(`spec.${list}[${index}]`);
        return;
      }
      const a = JSON.parse(goMarshalSidecarContainer(previous)) as Record<string, unknown>;
      const b = JSON.parse(goMarshalSidecarContainer(container)) as Record<string, unknown>;
      for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
        if (key !== 'image' && JSON.stringify(a[key]) !== JSON.stringify(b[key])) paths.push(`spec.${list}[${index}].${key}`);
      }
    });
    for (const name of old.keys()) paths.push(`spec.${list}[name=${name}] (removed)`);
  };
  compare('containers');
  compare('initContainers');
  return paths;
}

/** Running Pods injected by this SidecarSet that the new spec cannot upgrade in place. */
export function podsKeepingPreviousVersion(after: SidecarSet, pods: Iterable<Pod>): number {
  const name = after.metadata.name ?? '';
  if (!after.metadata.annotations?.[ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE]) return 0;
  let count = 0;
  for (const pod of pods) if (isActivePod(pod) && isInjectedBy(pod, name) && !canUpgradeInPlace(pod, after)) count++;
  return count;
}

/** The admission warning for an UPDATE, or undefined when everything changed can be applied in place. */
export function nonImageChangeWarning(before: SidecarSet, after: SidecarSet, pods: Iterable<Pod>): string | undefined {
  const paths = nonImageChanges(before, after);
  if (paths.length === 0) return undefined;
  const count = podsKeepingPreviousVersion(after, pods);
  const fields = paths.map((path) => path.replace(/^spec\./, ''));
  return `${count} running Pod(s) keep the previous sidecars until recreated; not in-place: ${fields.join(', ')}`;
}
