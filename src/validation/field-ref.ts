// Downward API field references (`fieldRef: {apiVersion, fieldPath}`), checked the way Kubernetes'
// validateObjectFieldSelector does. Callers differ in which field paths they accept.
import type { ObjectFieldSelector } from '../api/core.ts';
import { type FieldError, type FieldPath, invalid, notSupported, required } from '../field-error.ts';
import { validateQualifiedName } from './object-meta.ts';

/** Converts a field path for one API version; returns an error text when it cannot. */
export type FieldPathConverter = (apiVersion: string, fieldPath: string) => string | undefined;

/** `metadata.labels['key']` → ['metadata.labels', 'key']; undefined when not subscripted. */
export function splitSubscriptedPath(fieldPath: string): [path: string, subscript: string] | undefined {
  if (!fieldPath.endsWith("']")) return undefined;
  const inner = fieldPath.slice(0, -2);
  const open = inner.indexOf("['");
  if (open <= 0) return undefined;
  return [inner.slice(0, open), inner.slice(open + 2)];
}

const SUBSCRIPTED_POD_PATHS = ['metadata.annotations', 'metadata.labels'];
const POD_FIELD_PATHS = [
  'metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName',
  'spec.restartPolicy', 'spec.serviceAccountName', 'spec.schedulerName', 'status.phase', 'status.hostIP', 'status.hostIPs',
  'status.podIP', 'status.podIPs', 'spec.host',
];

/** Kubernetes' ConvertDownwardAPIFieldLabel for Pods. */
export const convertPodFieldPath: FieldPathConverter = (apiVersion, fieldPath) => {
  if (apiVersion !== 'v1') return `unsupported pod version: ${apiVersion}`;
  const subscripted = splitSubscriptedPath(fieldPath);
  if (subscripted) return SUBSCRIPTED_POD_PATHS.includes(subscripted[0]) ? undefined : `field label does not support subscript: ${fieldPath}`;
  return POD_FIELD_PATHS.includes(fieldPath) ? undefined : `field label not supported: ${fieldPath}`;
};

export function validateFieldRef(
  fieldRef: ObjectFieldSelector,
  supportedPaths: readonly string[],
  convert: FieldPathConverter,
  path: FieldPath,
): FieldError[] {
  if (!fieldRef.apiVersion) return [required(path.child('apiVersion').text)];
  if (!fieldRef.fieldPath) return [required(path.child('fieldPath').text)];
  const conversionError = convert(fieldRef.apiVersion, fieldRef.fieldPath);
  if (conversionError !== undefined) return [invalid(path.child('fieldPath').text, fieldRef.fieldPath, `error converting fieldPath: ${conversionError}`)];
  const subscripted = splitSubscriptedPath(fieldRef.fieldPath);
  if (!subscripted) {
    return supportedPaths.includes(fieldRef.fieldPath) ? [] : [notSupported(path.child('fieldPath').text, fieldRef.fieldPath, [...supportedPaths].sort())];
  }
  const [subscriptedPath, key] = subscripted;
  switch (subscriptedPath) {
    case 'metadata.annotations':
      return validateQualifiedName(key.toLowerCase(), path);
    case 'metadata.labels':
      return validateQualifiedName(key, path);
    default:
      return [invalid(path.text, subscriptedPath, 'does not support subscript')];
  }
}
