// The SidecarSet revision hash, byte-compatible with OpenKruise (docs/behaviour/pod-annotations.md).
//
// Kruise hashes `json.Marshal(map{"containers": spec.Containers[, "initContainers": ...]})` of its Go
// structs, so two things have to match Go exactly: which JSON a decoded SidecarContainer turns back
// into (go-struct-json.ts: field order, omitempty, resource.Quantity canonical strings, IntOrString)
// and how encoding/json writes strings (go-json.ts).
import { hash as digest } from 'node:crypto';
import type { SidecarSetSpec } from './api/sidecarset.ts';
import { sidecarContainerList, sidecarContainerListWithoutImage } from './go-struct-json.ts';
import { isJsonObject } from './json-object.ts';


function hasNativeSidecar(initContainers: unknown): boolean {
  if (!Array.isArray(initContainers)) return false;
  for (const c of initContainers) if (isJsonObject(c) && c.restartPolicy === 'Always') return true;
  return false;
}

/**
 * The exact JSON text Kruise hashes: `{"containers":[...]}`, plus `"initContainers"` (the whole list)
 * when at least one init container is a native sidecar (restartPolicy Always).
 */
export function sidecarSetHashInput(spec: SidecarSetSpec, withoutImage = false): string {
  const list = withoutImage ? sidecarContainerListWithoutImage : sidecarContainerList;
  let out = `{"containers":${list(spec.containers)}`;
  if (hasNativeSidecar(spec.initContainers)) out += `,"initContainers":${list(spec.initContainers)}`;
  return `${out}}`;
}

const SAFE_ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';
const SAFE_BY_CODE: string[] = Array.from({ length: 128 }, (_, c) => SAFE_ALPHANUMS[c % SAFE_ALPHANUMS.length]);

/** apimachinery rand.SafeEncodeString for ASCII input (a hex digest): each c becomes alphanums[c % 27]. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_BY_CODE[s.charCodeAt(i) & 0x7f];
  return out;
}

function hashOf(json: string): string {
  // One-shot digest: a string is hashed as UTF-8, lone surrogates becoming U+FFFD as in Go.
  return safeEncodeString(digest('sha256', json, 'hex'));
}

/** Kruise's `kruise.io/sidecarset-hash`: the revision hash of the sidecar containers. */
export function sidecarSetHash(spec: SidecarSetSpec): string {
  return hashOf(sidecarSetHashInput(spec, false));
}

/** Kruise's `kruise.io/sidecarset-hash-without-image`: the same hash with every image blanked. */
export function sidecarSetHashWithoutImage(spec: SidecarSetSpec): string {
  return hashOf(sidecarSetHashInput(spec, true));
}
