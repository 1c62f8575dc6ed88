// The controller's reads of the SidecarSet annotations on Pods (spec Part B §5.2), over the shared
// parsers of src/pod-annotations.ts. Where those refuse a value, Kruise's readers see "nothing
// recorded", and so do these.
import type { Pod } from '../src/api/core.ts';
import { ANNOTATION_INJECTED_LIST, ANNOTATION_SIDECARSET_HASH, ANNOTATION_WORKING_HOTUPGRADE_CONTAINER } from '../src/api/sidecarset.ts';
import { hotUpgradeContainerNames } from '../src/injection/hot-upgrade.ts';
import { parseInjectedList, parseUpgradeSpecs, parseWorkingContainers } from '../src/pod-annotations.ts';

export interface RecordedUpgrade {
  hash: string;
  controllerRevision: string;
}

const NOTHING: RecordedUpgrade = Object.freeze({ hash: '', controllerRevision: '' });

// Pods of one workload carry the same annotation text, and every reconcile reads every matched
// Pod: parse each distinct text once.
const parsed = new Map<string, Map<string, RecordedUpgrade>>();
const PARSED_LIMIT = 10_000;

function recordedUpgrades(text: string): Map<string, RecordedUpgrade> {
  let upgrades = parsed.get(text);
  if (!upgrades) {
    upgrades = new Map();
    try {
      for (const [name, spec] of parseUpgradeSpecs(text)) upgrades.set(name, { hash: spec.hash, controllerRevision: spec.controllerRevision });
    } catch {
      // Unreadable in both formats: Kruise's GetPodSidecarSetUpgradeSpecInAnnotations returns the zero value.
    }
    if (parsed.size >= PARSED_LIMIT) parsed.clear();
    parsed.set(text, upgrades);
  }
  return upgrades;
}

/** This SidecarSet's entry of `kruise.io/sidecarset-hash` (or another hash annotation). */
export function readUpgradeSpec(pod: Pod, sidecarSetName: string, annotationKey: string = ANNOTATION_SIDECARSET_HASH): RecordedUpgrade {
  const text = pod.metadata.annotations?.[annotationKey];
  return (text && recordedUpgrades(text).get(sidecarSetName)) || NOTHING;
}

/** Whether `kruise.io/sidecarset-injected-list` names this SidecarSet. */
export function isInjectedBy(pod: Pod, sidecarSetName: string): boolean {
  return parseInjectedList(pod.metadata.annotations?.[ANNOTATION_INJECTED_LIST]).has(sidecarSetName);
}

/** The SidecarSet names of `kruise.io/sidecarset-injected-list`. */
export function injectedSidecarSets(pod: Pod | undefined): string[] {
  return [...parseInjectedList(pod?.metadata.annotations?.[ANNOTATION_INJECTED_LIST])].filter((name) => name !== '');
}

/** Whether `kruise.io/sidecarset-working-hotupgrade-container` has an entry for this sidecar. */
export function hasWorkingContainer(pod: Pod, sidecarName: string): boolean {
  return parseWorkingContainers(pod.metadata.annotations?.[ANNOTATION_WORKING_HOTUPGRADE_CONTAINER]).has(sidecarName);
}

/** The working and the idle container of a hot-upgrade pair: `<name>-1` works only when the annotation says so. */
export function hotUpgradeContainers(sidecarName: string, pod: Pod): { working: string; idle: string } {
  const [first, second] = hotUpgradeContainerNames(sidecarName);
  const working = parseWorkingContainers(pod.metadata.annotations?.[ANNOTATION_WORKING_HOTUPGRADE_CONTAINER]).get(sidecarName);
  return working === first ? { working: first, idle: second } : { working: second, idle: first };
}
