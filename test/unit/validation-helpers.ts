// Shared builders for the validation tests: a valid SidecarSet to break one field at a time, and the
// formatted errors validation returns for it.
import type { SidecarSet } from '../../src/api/sidecarset.ts';
import { defaultSidecarSet } from '../../src/defaulting.ts';
import { formatFieldError } from '../../src/field-error.ts';
import { validateSidecarSet, type ValidationContext } from '../../src/validation/validate-sidecarset.ts';

/** A minimal valid SidecarSet, before defaulting. */
export function sidecarSet(name = 'log-agent'): SidecarSet {
  return {
    apiVersion: 'apps.kruise.io/v1alpha1',
    kind: 'SidecarSet',
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      containers: [{ name: 'agent', image: 'fluent/fluent-bit:3.2', volumeMounts: [{ name: 'logs', mountPath: '/var/log/app' }] }],
      volumes: [{ name: 'logs', emptyDir: {} }],
    },
  };
}

/** The valid SidecarSet changed by `change`, then defaulted as the mutating webhook would. */
export function defaulted(change: (sidecarSet: SidecarSet) => void = () => {}, name?: string): SidecarSet {
  const object = sidecarSet(name);
  change(object);
  return defaultSidecarSet(object);
}

export function context(overrides: Partial<ValidationContext> = {}): ValidationContext {
  return { operation: 'CREATE', others: [], revisions: [], allowPatchMetadataWithoutWhitelist: false, ...overrides };
}

/** Validation errors as the apiserver would print them. */
export function errorsOf(object: unknown, overrides: Partial<ValidationContext> = {}): string[] {
  return validateSidecarSet(object, context(overrides)).map(formatFieldError);
}

/** Errors of the valid SidecarSet after `change` and defaulting. */
export function errorsAfter(change: (sidecarSet: SidecarSet) => void, overrides: Partial<ValidationContext> = {}): string[] {
  return errorsOf(defaulted(change), overrides);
}

/** Kubernetes' label-value message, long enough to be worth writing once. */
export const LABEL_VALUE_MESSAGE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
export const QUALIFIED_NAME_MESSAGE =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
export const DNS1123_LABEL_MESSAGE =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
