// Pod injection (docs/behaviour/injection.md, with the decisions of docs/behaviour/scope.md): the SidecarSets that match a new Pod, ordered
// by name, add their init containers, containers, volumes, pull secrets and annotations to it.
//
// Re-injection (the apiserver may call the webhook twice): injecting an already-injected Pod with the same
// SidecarSets gives the same Pod, and `changed` is false. What makes it so:
// - sidecars are rebuilt from the SidecarSet, never from the Pod, so IS_INJECTED and the hot-upgrade env
//   vars are appended once; a sidecar already present by name is replaced in place by an identical
//   container, which is no change at all;
// - when the Pod already records the hash of the SidecarSet version being injected (the hash covers its
//   containers), its injected containers (IS_INJECTED=true) present by name are kept as they are: through a
//   real apiserver they come back defaulted (`resources: {}`, fieldRef.apiVersion) and maybe changed by
//   later mutating webhooks, which replacing them would undo (container-placement.ts); missing ones are
//   injected again;
// - volumes and pull secrets already present by name are not added; the injected list is a union;
// - a hash-annotation entry whose hash, sidecarList and controllerRevision are unchanged keeps its
//   updateTimestamp (Kruise rewrites it with the current time);
// - four rules Kruise does not have, each documented where it lives: Pod containers that the injection
//   replaces are not sources for shareVolumePolicy/transferEnv (pod-sources.ts); MergePatchJson on a
//   missing annotation stores the normalised patch (pod-metadata.ts); a Partial revision draw is kept
//   (revision-choice.ts); injected containers of a recorded hash are kept (container-placement.ts).
//   Two SidecarSets adding the same new container name refuse the Pod (container-placement.ts), where
//   Kruise would hand the API server a Pod with duplicate containers.
// A SidecarSet that changed in between is applied again: changed sidecars are replaced in place and their
// hash entries get the current time.
import type { Container, ControllerRevision, LocalObjectReference, Pod, Volume } from '../api/core.ts';
import {
  ANNOTATION_INJECTED_LIST,
  ANNOTATION_SIDECARSET_HASH,
  ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE,
  ANNOTATION_WORKING_HOTUPGRADE_CONTAINER,
  type SidecarSet,
} from '../api/sidecarset.ts';
import { compareGoStrings } from '../go-order.ts';
import { LabelSelectorError } from '../label-selector.ts';
import { isActivePod, podNamespaceName, type PodNamespace } from '../matching.ts';
import { formatMetaTime } from '../meta-time.ts';
import {
  formatInjectedList,
  formatUpgradeSpecs,
  formatWorkingContainers,
  parseInjectedList,
  parseUpgradeSpecs,
  parseWorkingContainers,
  PodAnnotationError,
  type SidecarSetUpgradeSpec,
} from '../pod-annotations.ts';
import { placeSidecars, type PlacedSidecar } from './container-placement.ts';
import { hotUpgradeVersionAnnotations } from './hot-upgrade.ts';
import { InjectionError } from './injection-error.ts';
import { ResourcesPolicyError } from '../resources-policy/sidecar-resources.ts';
import { applyPodChanges, hasChanges, type PodChanges } from './pod-changes.ts';
import { mergePullSecrets, volumesToAppend } from './pod-lists.ts';
import { applyPatchPodMetadata } from './pod-metadata.ts';
import { PodSources } from './pod-sources.ts';
import { PreparedSidecarSets, prepareSidecarSets, type PreparedSidecarSet, type PreparedVersion } from './prepared-sidecarsets.ts';
import { chooseVersion } from './revision-choice.ts';
import { buildSidecarContainers, type PreparedSidecar } from './sidecar-container.ts';

export interface InjectPodInput {
  pod: Pod;
  /** The namespace the Pod is created in (the request's when the Pod names none); labels undefined when unknown. */
  namespace: PodNamespace;
  /** Every SidecarSet of the cluster, defaulted and carrying their hash annotations; or prepareSidecarSets() of them. */
  sidecarSets: readonly SidecarSet[] | PreparedSidecarSets;
  /** ControllerRevisions of the operator's namespace, for `injectionStrategy.revision` pins. */
  revisions?: readonly ControllerRevision[];
  now: Date;
  /** Uniform in [0, 1), for the Partial revision policy. */
  random: () => number;
  /** Injection happens on CREATE only; an UPDATE injects nothing (docs/behaviour/injection.md step 7). */
  operation?: 'CREATE' | 'UPDATE';
  /** The security policy's secretTransferEnv rule is on: a transferEnv of a Secret-backed env var refuses the injection. */
  refuseSecretTransferEnv?: boolean;
}

export interface InjectionResult {
  /** The injected Pod: a new object sharing unchanged parts with the input (which is left untouched); read-only. */
  pod: Pod;
  changed: boolean;
  /** Names of the SidecarSets recorded on the Pod by this injection, sorted. */
  injected: string[];
  /** What Kruise would only log: missing transferEnv sources, volumes a sidecar names but the SidecarSet lacks, ... */
  warnings: string[];
  /** The record `pod` was built from; injectionPatch() turns it into the webhook's JSON Patch. */
  changes: PodChanges;
}

interface Candidate {
  sidecarSet: PreparedSidecarSet;
  version: PreparedVersion;
  /** The Pod already records the hash of this version of the SidecarSet (re-injection). */
  recordedHash: boolean;
}

/** Throws InjectionError for what Kruise turns into a refused Pod. */
export function injectPod(input: InjectPodInput): InjectionResult {
  const { pod } = input;
  const warnings: string[] = [];
  const nothing: InjectionResult = { pod, changed: false, injected: [], warnings, changes: {} };
  if (input.operation === 'UPDATE' || !isActivePod(pod)) return nothing;

  const prepared = input.sidecarSets instanceof PreparedSidecarSets ? input.sidecarSets : prepareSidecarSets(input.sidecarSets);
  const matched = matchingSidecarSets(prepared, pod, input.namespace);
  if (matched.length === 0) return nothing;

  const podAnnotations = pod.metadata?.annotations ?? {};
  // Read before patchPodMetadata (Kruise reads them after): only a SidecarSet patching these very keys could tell.
  const hashes = readUpgradeSpecs(pod, podAnnotations, ANNOTATION_SIDECARSET_HASH);
  const hashesWithoutImage = readUpgradeSpecs(pod, podAnnotations, ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE);
  const candidates: Candidate[] = matched.map((sidecarSet) => {
    const recorded = hashes.get(sidecarSet.name);
    const version = chooseVersion(sidecarSet, { podLabels: pod.metadata?.labels, revisions: input.revisions ?? [], random: input.random, recorded });
    return { sidecarSet, version, recordedHash: version.hash !== '' && recorded?.hash === version.hash };
  });

  const annotations: Record<string, string> = { ...podAnnotations };
  for (const { sidecarSet, version } of candidates) {
    applyPatchPodMetadata(annotations, sidecarSet.name, version.spec.patchPodMetadata ?? []);
  }

  const placedNames = new Set(candidates.flatMap(({ version }) => version.podContainerNames));
  const specNames = candidates.flatMap(({ version }) => [...version.initContainers, ...version.containers].map((sidecar) => sidecar.specName));
  const sources = new PodSources(pod, annotations, placedNames, new Set([...placedNames, ...specNames]));
  const initSidecars: PlacedSidecar[] = [];
  const sidecars: PlacedSidecar[] = [];
  const volumes: Volume[] = [];
  const pullSecrets: LocalObjectReference[] = [];
  const working = parseWorkingContainers(annotations[ANNOTATION_WORKING_HOTUPGRADE_CONTAINER]);
  const hotUpgradeAnnotations: Record<string, string> = {};
  const injectedList = parseInjectedList(annotations[ANNOTATION_INJECTED_LIST]);
  const timestamp = formatMetaTime(input.now);

  const add = (sidecarSetName: string, sidecar: PreparedSidecar, into: PlacedSidecar[], keepInjected: boolean): void => {
    const warn = (message: string) => warnings.push(`SidecarSet ${JSON.stringify(sidecarSetName)}: ${sidecar.path}${message}`);
    for (const name of sidecar.unknownVolumes) warn(`: volume ${JSON.stringify(name)} is not in spec.volumes`);
    volumes.push(...sidecar.volumes);
    const refuse = input.refuseSecretTransferEnv
      ? (message: string): never => {
          throw new InjectionError(`SidecarSet ${JSON.stringify(sidecarSetName)}: ${sidecar.path}${message}`);
        }
      : undefined;
    let built: readonly Container[];
    try {
      built = buildSidecarContainers(sidecar, sources, warn, refuse);
    } catch (error) {
      if (error instanceof ResourcesPolicyError) throw new InjectionError(`SidecarSet ${JSON.stringify(sidecarSetName)}: ${sidecar.path}.resourcesPolicy: ${error.message}`, { cause: error });
      throw error;
    }
    for (const container of built) into.push({ container, beforeAppContainers: sidecar.beforeAppContainers, sidecarSetName, keepInjected });
    if (sidecar.hotUpgrade) {
      working.set(sidecar.specName, sidecar.podContainerNames[0]);
      Object.assign(hotUpgradeAnnotations, hotUpgradeVersionAnnotations(sidecar.specName));
    }
  };
  for (const { sidecarSet, version, recordedHash } of candidates) {
    injectedList.add(sidecarSet.name);
    for (const sidecar of version.initContainers) add(sidecarSet.name, sidecar, initSidecars, recordedHash);
    pullSecrets.push(...(version.spec.imagePullSecrets ?? []));
    for (const sidecar of version.containers) add(sidecarSet.name, sidecar, sidecars, recordedHash);
    if (version.initContainers.length + version.containers.length === 0) continue;
    const sidecarList = [...version.sidecarList];
    hashes.set(sidecarSet.name, keepTimestamp(hashes.get(sidecarSet.name), {
      updateTimestamp: timestamp, hash: version.hash, sidecarSetName: sidecarSet.name, sidecarList, controllerRevision: version.controllerRevision,
    }));
    hashesWithoutImage.set(sidecarSet.name, keepTimestamp(hashesWithoutImage.get(sidecarSet.name), {
      updateTimestamp: timestamp, hash: version.hashWithoutImage, sidecarSetName: sidecarSet.name, sidecarList, controllerRevision: '',
    }));
  }

  // Step 12: nothing to inject means only the metadata patch applies, without the bookkeeping annotations.
  if (initSidecars.length === 0 && sidecars.length === 0) return result(pod, { annotations: changedAnnotations(podAnnotations, annotations) }, [], warnings);

  annotations[ANNOTATION_SIDECARSET_HASH] = formatUpgradeSpecs(hashes);
  annotations[ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE] = formatUpgradeSpecs(hashesWithoutImage);
  annotations[ANNOTATION_INJECTED_LIST] = formatInjectedList(injectedList);
  if (Object.keys(hotUpgradeAnnotations).length > 0) {
    annotations[ANNOTATION_WORKING_HOTUPGRADE_CONTAINER] = formatWorkingContainers(working);
    Object.assign(annotations, hotUpgradeAnnotations);
  }
  initSidecars.sort((a, b) => compareGoStrings(a.container.name, b.container.name)); // stable
  const secrets = mergePullSecrets(pod.spec.imagePullSecrets, pullSecrets);
  const appended = volumesToAppend(pod.spec.volumes, volumes);
  const changes: PodChanges = {
    annotations: changedAnnotations(podAnnotations, annotations),
    initContainers: placeSidecars('spec.initContainers', pod.spec.initContainers, initSidecars),
    containers: placeSidecars('spec.containers', pod.spec.containers, sidecars),
    volumes: appended.length > 0 ? appended : undefined,
    imagePullSecrets: secrets.removed.length + secrets.appended.length > 0 ? secrets : undefined,
  };
  return result(pod, changes, candidates.map(({ sidecarSet }) => sidecarSet.name), warnings);
}

function result(pod: Pod, changes: PodChanges, injected: string[], warnings: string[]): InjectionResult {
  return { pod: applyPodChanges(pod, changes), changed: hasChanges(changes), injected, warnings, changes };
}

/** The namespace SidecarSets are matched against: the Pod's own, whose labels are known when it is the request's. */
export function matchedNamespace(pod: Pod, requestNamespace: PodNamespace): PodNamespace {
  const name = podNamespaceName(pod, requestNamespace.name);
  return { name, labels: name === requestNamespace.name ? requestNamespace.labels : undefined };
}

/** Steps 3-4: the non-paused SidecarSets whose namespace and selector match, in name order. */
function matchingSidecarSets(prepared: PreparedSidecarSets, pod: Pod, requestNamespace: PodNamespace): PreparedSidecarSet[] {
  const namespace = matchedNamespace(pod, requestNamespace);
  const labels = pod.metadata?.labels;
  try {
    return prepared.items.filter((sidecarSet) => sidecarSet.match(labels, namespace) === undefined);
  } catch (error) {
    if (error instanceof LabelSelectorError) throw new InjectionError(error.message, { cause: error });
    throw error;
  }
}

function readUpgradeSpecs(pod: Pod, annotations: Readonly<Record<string, string>>, key: string): Map<string, SidecarSetUpgradeSpec> {
  try {
    return parseUpgradeSpecs(annotations[key]);
  } catch (error) {
    if (!(error instanceof PodAnnotationError)) throw error;
    const podName = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? pod.metadata?.generateName ?? ''}`;
    throw new InjectionError(`pod(${podName}) invalid annotations[${key}] value ${annotations[key]}, unmarshal failed: ${error.message}`, { cause: error });
  }
}

/** resourcesPolicy is refused by validation in this wave; a SidecarSet that still carries one refuses the Pod. */
function keepTimestamp(previous: SidecarSetUpgradeSpec | undefined, fresh: SidecarSetUpgradeSpec): SidecarSetUpgradeSpec {
  const unchanged =
    previous !== undefined &&
    previous.updateTimestamp !== null &&
    previous.hash === fresh.hash &&
    previous.sidecarSetName === fresh.sidecarSetName &&
    previous.controllerRevision === fresh.controllerRevision &&
    previous.sidecarList !== null &&
    previous.sidecarList.length === fresh.sidecarList!.length &&
    previous.sidecarList.every((name, i) => name === fresh.sidecarList![i]);
  return unchanged ? { ...fresh, updateTimestamp: previous.updateTimestamp } : fresh;
}

function changedAnnotations(before: Readonly<Record<string, string>>, after: Readonly<Record<string, string>>): Record<string, string> | undefined {
  let changed: Record<string, string> | undefined;
  for (const [key, value] of Object.entries(after)) {
    if (Object.hasOwn(before, key) && before[key] === value) continue;
    (changed ??= {})[key] = value;
  }
  return changed;
}
