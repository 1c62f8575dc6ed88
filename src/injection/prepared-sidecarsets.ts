// Everything injection needs from the SidecarSets that does not depend on the Pod, computed once. The
// webhook keeps the result for as long as its SidecarSet cache does not change.
import type { ControllerRevision, Volume } from '../api/core.ts';
import type { SidecarSet } from '../api/sidecarset.ts';
import { compareGoStrings, sortedGoStrings } from '../go-order.ts';
import { compileSidecarSetMatch, type SidecarSetPodMatch } from '../matching.ts';
import { prepareSidecar, type PreparedSidecar } from './sidecar-container.ts';
import { historicalVersion, latestVersion, type SidecarSetVersion } from './sidecarset-version.ts';

/** One version of a SidecarSet (latest, or restored from a revision), ready to inject. */
export interface PreparedVersion extends SidecarSetVersion {
  readonly initContainers: readonly PreparedSidecar[];
  readonly containers: readonly PreparedSidecar[];
  /** Spec names of containers and native-sidecar init containers, sorted: the hash annotation's sidecarList. */
  readonly sidecarList: readonly string[];
  /** Every Pod container name this version places (hot-upgrade halves included). */
  readonly podContainerNames: readonly string[];
}

function prepareVersion(version: SidecarSetVersion): PreparedVersion {
  const volumesByName = new Map<string, Volume>((version.spec.volumes ?? []).map((volume) => [volume.name, volume]));
  const initContainers = (version.spec.initContainers ?? []).map((container, i) => prepareSidecar(container, `spec.initContainers[${i}]`, true, volumesByName));
  const containers = (version.spec.containers ?? []).map((container, i) => prepareSidecar(container, `spec.containers[${i}]`, false, volumesByName));
  const listed = [...initContainers.filter((sidecar) => sidecar.nativeSidecar), ...containers];
  return {
    ...version,
    initContainers,
    containers,
    sidecarList: sortedGoStrings(new Set(listed.map((sidecar) => sidecar.specName))),
    podContainerNames: [...initContainers, ...containers].flatMap((sidecar) => sidecar.podContainerNames),
  };
}

export class PreparedSidecarSet {
  readonly name: string;
  readonly sidecarSet: SidecarSet;
  /** undefined when the SidecarSet applies to the Pod, else why not. Throws LabelSelectorError for a malformed selector. */
  readonly match: SidecarSetPodMatch;
  readonly latest: PreparedVersion;
  private readonly historical = new WeakMap<ControllerRevision, PreparedVersion>();

  constructor(sidecarSet: SidecarSet) {
    this.name = sidecarSet.metadata.name ?? '';
    this.sidecarSet = sidecarSet;
    this.match = compileSidecarSetMatch(sidecarSet);
    this.latest = prepareVersion(latestVersion(sidecarSet));
  }

  /** The version a pinned ControllerRevision restores; kept for as long as the revision object lives. */
  fromRevision(revision: ControllerRevision): PreparedVersion {
    let prepared = this.historical.get(revision);
    if (!prepared) {
      prepared = prepareVersion(historicalVersion(revision));
      this.historical.set(revision, prepared);
    }
    return prepared;
  }
}

/** The SidecarSets that may inject (`injectionStrategy.paused` ones left out), ordered by name (docs/decisions/deterministic-order.md). */
export class PreparedSidecarSets {
  readonly items: readonly PreparedSidecarSet[];
  /** Names of the SidecarSets left out for `injectionStrategy.paused`, sorted. */
  readonly paused: readonly string[];

  constructor(sidecarSets: readonly SidecarSet[]) {
    const isPaused = (sidecarSet: SidecarSet): boolean => sidecarSet.spec?.injectionStrategy?.paused === true;
    this.items = sidecarSets
      .filter((sidecarSet) => !isPaused(sidecarSet))
      .map((sidecarSet) => new PreparedSidecarSet(sidecarSet))
      .sort((a, b) => compareGoStrings(a.name, b.name));
    this.paused = sortedGoStrings(new Set(sidecarSets.filter(isPaused).map((sidecarSet) => sidecarSet.metadata.name ?? '')));
  }
}

export function prepareSidecarSets(sidecarSets: readonly SidecarSet[]): PreparedSidecarSets {
  return new PreparedSidecarSets(sidecarSets);
}
