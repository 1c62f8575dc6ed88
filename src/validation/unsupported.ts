// Features of OpenKruise's SidecarSet that this operator does not implement yet (docs/behaviour/scope.md). They
// are refused with a clear error instead of being accepted and silently ignored.
import type { ObjectMeta } from '../api/core.ts';
import { ANNOTATION_CANARY, ANNOTATION_CANARY_BASE } from '../api/sidecarset.ts';
import { type FieldError, type FieldPath, forbidden } from '../field-error.ts';

/** Canary SidecarSets: either annotation is refused, since even half a canary setup would be ignored. */
export function refuseCanaryAnnotations(meta: ObjectMeta, path: FieldPath): FieldError[] {
  const annotations = meta.annotations ?? {};
  return [ANNOTATION_CANARY, ANNOTATION_CANARY_BASE]
    .filter((key) => Object.hasOwn(annotations, key))
    .map((key) => forbidden(path.child('annotations').key(key).text, 'canary SidecarSets are not supported yet'));
}
