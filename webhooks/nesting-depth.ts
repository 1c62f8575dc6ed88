// A bound on how deeply a reviewed object may nest. Handlers, defaulting and schema validation walk
// objects recursively; an object nested thousands of levels deep (possible inside a SidecarSet's
// schemaless container fields) would overflow the stack. Real Pods and SidecarSets stay under 20
// levels, so the bound refuses only garbage, with a clear denial instead of an exception.
import { badRequest, type Denied } from './admission-outcome.ts';
import type { AdmissionRequest } from './admission-review.ts';

export const MAX_OBJECT_DEPTH = 100;

/** The depth of a JSON value (a scalar is 0), counted without recursion and stopping past `limit`. */
export function depthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/** A 400 denial when `object` or `oldObject` nests deeper than MAX_OBJECT_DEPTH. */
export function tooDeepDenial(request: AdmissionRequest): Denied | undefined {
  for (const field of ['object', 'oldObject'] as const) {
    if (depthExceeds(request[field], MAX_OBJECT_DEPTH)) return badRequest(`request.${field}: nested deeper than ${MAX_OBJECT_DEPTH} levels`);
  }
  return undefined;
}
