// The bookkeeping annotations Kruise keeps on injected Pods (spec Part B §5.2), read and written in
// Kruise's exact formats so that Kruise tooling and this operator read each other's Pods.
import { goJsonString } from './hash.ts';
import { sortedGoStrings } from './go-order.ts';
import { isJsonObject } from './json-object.ts';
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
  if (!value) return working;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return working;
  }
  if (!isJsonObject(parsed)) return working;
  for (const [name, container] of Object.entries(parsed)) {
    if (isOptionalString(container)) working.set(name, container ?? '');
  }
  return working;
}

export function formatWorkingContainers(working: ReadonlyMap<string, string>): string {
  return `{${sortedGoStrings(working.keys()).map((name) => `${goJsonString(name)}:${goJsonString(working.get(name)!)}`).join(',')}}`;
}
