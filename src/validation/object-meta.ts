// ObjectMeta validation for a cluster-scoped SidecarSet (docs/behaviour/validation.md rules 1-3): Kubernetes'
// generic ObjectMeta checks with OpenKruise's SidecarSet name rule in place of the DNS-subdomain one.
import type { ObjectMeta } from '../api/core.ts';
import { type FieldError, type FieldPath, forbidden, invalid, required, tooLong } from '../field-error.ts';
import { isQualifiedName, isValidLabelValue, maxLengthError, regexError } from './names.ts';

const SIDECARSET_NAME_FORMAT = '^[a-zA-Z0-9\\-]+$';
const SIDECARSET_NAME_PATTERN = new RegExp(SIDECARSET_NAME_FORMAT);
const SIDECARSET_NAME_MAX_LENGTH = 63;
const TOTAL_ANNOTATION_SIZE_LIMIT_BYTES = 256 * 1024;

/** Kruise accepts uppercase letters, unlike Kubernetes' usual DNS-subdomain names. */
function sidecarSetNameErrors(name: string): string[] {
  const errors: string[] = [];
  if (!SIDECARSET_NAME_PATTERN.test(name)) {
    errors.push(regexError("sidecarset name must consist of alphanumeric characters or '-'", SIDECARSET_NAME_FORMAT, 'example-com'));
  }
  if (name.length > SIDECARSET_NAME_MAX_LENGTH) errors.push(maxLengthError(SIDECARSET_NAME_MAX_LENGTH));
  return errors;
}

export function validateObjectMeta(meta: ObjectMeta, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  if (meta.generateName) {
    for (const message of sidecarSetNameErrors(meta.generateName)) errors.push(invalid(path.child('generateName').text, meta.generateName, message));
  }
  // By the time validation runs, the apiserver has turned generateName into a name.
  if (!meta.name) errors.push(required(path.child('name').text, 'name or generateName is required'));
  else for (const message of sidecarSetNameErrors(meta.name)) errors.push(invalid(path.child('name').text, meta.name, message));
  if (meta.namespace) errors.push(forbidden(path.child('namespace').text, 'not allowed on this type'));
  if (meta.generation !== undefined && meta.generation < 0) {
    errors.push(invalid(path.child('generation').text, meta.generation, 'must be greater than or equal to 0'));
  }
  errors.push(...validateLabels(meta.labels ?? {}, path.child('labels')));
  errors.push(...validateAnnotations(meta.annotations ?? {}, path.child('annotations')));
  return errors;
}

/** A label key, annotation key or similar: one Invalid error per problem. */
export function validateQualifiedName(value: string, path: FieldPath): FieldError[] {
  return isQualifiedName(value).map((message) => invalid(path.text, value, message));
}

export function validateLabels(labels: Readonly<Record<string, string>>, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(labels)) {
    errors.push(...validateQualifiedName(key, path));
    for (const message of isValidLabelValue(value)) errors.push(invalid(path.text, value, message));
  }
  return errors;
}

/** Keys are checked lowercased, as Kubernetes does; values only count towards the total size. */
export function validateAnnotations(annotations: Readonly<Record<string, string>>, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  let totalBytes = 0;
  for (const [key, value] of Object.entries(annotations)) {
    for (const message of isQualifiedName(key.toLowerCase())) errors.push(invalid(path.text, key, message));
    totalBytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (totalBytes > TOTAL_ANNOTATION_SIZE_LIMIT_BYTES) errors.push(tooLong(path.text, TOTAL_ANNOTATION_SIZE_LIMIT_BYTES));
  return errors;
}
