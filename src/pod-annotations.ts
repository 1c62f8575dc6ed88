// The bookkeeping annotations Kruise keeps on injected Pods (docs/behaviour/pod-annotations.md), read and written in
// Kruise's exact formats so that Kruise tooling and this operator read each other's Pods.
import type { Pod } from './api/core.ts';
import { ANNOTATION_INJECTED_LIST, ANNOTATION_SIDECARSET_HASH, ANNOTATION_WORKING_HOTUPGRADE_CONTAINER } from './api/sidecarset.ts';
import { goJsonString } from './go-json.ts';
import { sortedGoStrings } from './go-order.ts';
import { hotUpgradeContainerNames } from './injection/hot-upgrade.ts';
import { isJsonObject, parseJsonObject } from './json-object.ts';
import { normalizeMetaTime } from './meta-time.ts';

/**
 * One entry of `kruise.io/sidecarset-hash` (or `-without-image`): Kruise's SidecarSetUpgradeSpec. Null
 * stands for Go's zero value, which legacy entries carry after conversion.
 */
export interface SidecarSetUpgradeSpec {
  /** RFC 3339 in UTC, whole seconds; null for the zero time. */
  updateTimestamp: string | null;
  hash: string;
  sidecarSetName: string;
  /** Spec names of the SidecarSet's containers and native-sidecar init containers, sorted. */
  sidecarList: string[] | null;
  /** Name of the ControllerRevision injected; "" is not written. */
  controllerRevision: string;
}

export class PodAnnotationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PodAnnotationError';
  }
}

type JsonObject = Record<string, unknown>;
const isOptionalString = (value: unknown): value is string | null | undefined => value == null || typeof value === 'string';

/**
 * Parses a hash annotation value: the JSON map `{name: SidecarSetUpgradeSpec}`, or the legacy `{name: "hash"}`
 * (converted the way Kruise converts it). Empty or absent means no entries. Throws PodAnnotationError for
 * anything Go's decoder would refuse in both formats.
 */
export function parseUpgradeSpecs(value: string | undefined): Map<string, SidecarSetUpgradeSpec> {
  const specs = new Map<string, SidecarSetUpgradeSpec>();
  if (!value) return specs;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new PodAnnotationError((error as Error).message);
  }
  if (parsed === null) return specs;
  if (!isJsonObject(parsed)) throw new PodAnnotationError(`cannot unmarshal ${Array.isArray(parsed) ? 'array' : typeof parsed} into a map of SidecarSetUpgradeSpec`);
  const entries = Object.entries(parsed);
  if (entries.every(([, entry]) => entry === null || isJsonObject(entry))) {
    for (const [name, entry] of entries) specs.set(name, decodeUpgradeSpec(name, entry as JsonObject | null));
    return specs;
  }
  if (entries.every(([, entry]) => isOptionalString(entry))) {
    for (const [name, hash] of entries) {
      specs.set(name, { updateTimestamp: null, hash: (hash as string | null) ?? '', sidecarSetName: name, sidecarList: null, controllerRevision: '' });
    }
    return specs;
  }
  throw new PodAnnotationError('values are neither SidecarSetUpgradeSpec objects nor hash strings');
}

function decodeUpgradeSpec(name: string, entry: JsonObject | null): SidecarSetUpgradeSpec {
  const { updateTimestamp, hash, sidecarSetName, sidecarList, controllerRevision } = entry ?? {};
  if (!isOptionalString(updateTimestamp) || !isOptionalString(hash) || !isOptionalString(sidecarSetName) || !isOptionalString(controllerRevision)) {
    throw new PodAnnotationError(`entry ${JSON.stringify(name)}: a field has the wrong type`);
  }
  if (sidecarList != null && !(Array.isArray(sidecarList) && sidecarList.every(isOptionalString))) {
    throw new PodAnnotationError(`entry ${JSON.stringify(name)}: sidecarList is not a list of strings`);
  }
  let timestamp: string | null = null;
  if (updateTimestamp) {
    const normalized = normalizeMetaTime(updateTimestamp);
    if (normalized === undefined) throw new PodAnnotationError(`entry ${JSON.stringify(name)}: updateTimestamp ${JSON.stringify(updateTimestamp)} is not RFC 3339`);
    timestamp = normalized;
  }
  return {
    updateTimestamp: timestamp,
    hash: hash ?? '',
    sidecarSetName: sidecarSetName ?? '',
    sidecarList: sidecarList == null ? null : (sidecarList as (string | null)[]).map((item) => item ?? ''),
    controllerRevision: controllerRevision ?? '',
  };
}

/** Writes the map as Go's json.Marshal does: keys sorted, fields in struct order, controllerRevision omitted when empty. */
export function formatUpgradeSpecs(specs: ReadonlyMap<string, SidecarSetUpgradeSpec>): string {
  const parts = sortedGoStrings(specs.keys()).map((name) => {
    const spec = specs.get(name)!;
    const list = spec.sidecarList === null ? 'null' : `[${spec.sidecarList.map(goJsonString).join(',')}]`;
    const revision = spec.controllerRevision ? `,"controllerRevision":${goJsonString(spec.controllerRevision)}` : '';
    const timestamp = spec.updateTimestamp === null ? 'null' : goJsonString(spec.updateTimestamp);
    return `${goJsonString(name)}:{"updateTimestamp":${timestamp},"hash":${goJsonString(spec.hash)},"sidecarSetName":${goJsonString(spec.sidecarSetName)},"sidecarList":${list}${revision}}`;
  });
  return `{${parts.join(',')}}`;
}

/** `kruise.io/sidecarset-injected-list`: the comma-separated names, as a set (empty items kept, as Kruise does). */
export function parseInjectedList(value: string | undefined): Set<string> {
  return new Set(value ? value.split(',') : []);
}

export function formatInjectedList(names: Iterable<string>): string {
  return sortedGoStrings(names).join(',');
}

/**
 * `kruise.io/sidecarset-working-hotupgrade-container`: `{specName: podContainerName}`. Like Kruise, an
 * unreadable value counts as empty and entries that are not strings are dropped (null reads as "").
 */
export function parseWorkingContainers(value: string | undefined): Map<string, string> {
  const working = new Map<string, string>();
  const parsed = value ? parseJsonObject(value) : undefined;
  if (!parsed) return working;
  for (const [name, container] of Object.entries(parsed)) {
    if (isOptionalString(container)) working.set(name, container ?? '');
  }
  return working;
}

export function formatWorkingContainers(working: ReadonlyMap<string, string>): string {
  return `{${sortedGoStrings(working.keys()).map((name) => `${goJsonString(name)}:${goJsonString(working.get(name)!)}`).join(',')}}`;
}

// ---------------------------------------------------------------------------------------------
// The controller's reads of these annotations. Where the parsers above refuse a value, Kruise's
// readers see "nothing recorded", and so do these.

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
