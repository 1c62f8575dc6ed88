// Kubernetes' checks on a container's `env` and `envFrom`.
import type { EnvVar, ObjectFieldSelector } from '../api/core.ts';
import { type FieldError, type FieldPath, invalid, notSupported, required } from '../field-error.ts';
import { convertPodFieldPath, validateFieldRef } from './field-ref.ts';
import { isConfigMapKey, isDns1123Subdomain, isEnvVarName } from './names.ts';

interface KeySelector {
  name?: string;
  key: string;
}

interface ResourceFieldSelector {
  containerName?: string;
  resource: string;
}

interface EnvVarSource {
  fieldRef?: ObjectFieldSelector;
  resourceFieldRef?: ResourceFieldSelector;
  configMapKeyRef?: KeySelector;
  secretKeyRef?: KeySelector;
  fileKeyRef?: unknown;
}

export interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name?: string };
  secretRef?: { name?: string };
}

const ENV_FIELD_PATHS = [
  'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName',
  'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
];

const CONTAINER_RESOURCE_FIELD_PATHS = [
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage',
];
const HUGEPAGES_RESOURCE_PREFIXES = ['requests.hugepages-', 'limits.hugepages-'];

export function validateEnv(env: readonly EnvVar[], path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  env.forEach((variable, index) => {
    const variablePath = path.index(index);
    if (!variable.name) errors.push(required(variablePath.child('name').text));
    else for (const message of isEnvVarName(variable.name)) errors.push(invalid(variablePath.child('name').text, variable.name, message));
    if (variable.valueFrom) errors.push(...validateEnvVarSource(variable.valueFrom as EnvVarSource, variable.value, variablePath.child('valueFrom')));
  });
  return errors;
}

function validateEnvVarSource(source: EnvVarSource, value: string | undefined, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  let sources = 0;
  if (source.fieldRef) {
    sources++;
    errors.push(...validateFieldRef(source.fieldRef, ENV_FIELD_PATHS, convertPodFieldPath, path.child('fieldRef')));
  }
  if (source.resourceFieldRef) {
    sources++;
    errors.push(...validateResourceFieldRef(source.resourceFieldRef, false, path.child('resourceFieldRef')));
  }
  if (source.configMapKeyRef) {
    sources++;
    errors.push(...validateKeySelector(source.configMapKeyRef, path.child('configMapKeyRef')));
  }
  if (source.secretKeyRef) {
    sources++;
    errors.push(...validateKeySelector(source.secretKeyRef, path.child('secretKeyRef')));
  }
  if (source.fileKeyRef) sources++;
  if (sources === 0) errors.push(invalid(path.text, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  else if (value) errors.push(invalid(path.text, '', 'may not be specified when `value` is not empty'));
  else if (sources > 1) errors.push(invalid(path.text, '', 'may not have more than one field specified at a time'));
  return errors;
}

/** A container resource reference; in a downward API volume it must also name the container. */
export function validateResourceFieldRef(selector: ResourceFieldSelector, inVolume: boolean, path: FieldPath): FieldError[] {
  if (inVolume && !selector.containerName) return [required(path.child('containerName').text)];
  if (!selector.resource) return [required(path.child('resource').text)];
  const known = CONTAINER_RESOURCE_FIELD_PATHS.includes(selector.resource) || HUGEPAGES_RESOURCE_PREFIXES.some((prefix) => selector.resource.startsWith(prefix));
  return known ? [] : [notSupported(path.child('resource').text, selector.resource, CONTAINER_RESOURCE_FIELD_PATHS)];
}

function validateKeySelector(selector: KeySelector, path: FieldPath): FieldError[] {
  const name = selector.name ?? '';
  const errors = isDns1123Subdomain(name).map((message) => invalid(path.child('name').text, name, message));
  if (!selector.key) errors.push(required(path.child('key').text));
  else for (const message of isConfigMapKey(selector.key)) errors.push(invalid(path.child('key').text, selector.key, message));
  return errors;
}

export function validateEnvFrom(sources: readonly EnvFromSource[], path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  sources.forEach((source, index) => {
    const sourcePath = path.index(index);
    if (source.prefix) for (const message of isEnvVarName(source.prefix)) errors.push(invalid(sourcePath.child('prefix').text, source.prefix, message));
    const references = [
      ['configMapRef', source.configMapRef],
      ['secretRef', source.secretRef],
    ] as const;
    let count = 0;
    for (const [field, reference] of references) {
      if (!reference) continue;
      count++;
      const namePath = sourcePath.child(field).child('name');
      if (!reference.name) errors.push(required(namePath.text));
      else for (const message of isDns1123Subdomain(reference.name)) errors.push(invalid(namePath.text, reference.name, message));
    }
    if (count === 0) errors.push(invalid(path.text, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (count > 1) errors.push(invalid(path.text, '', 'may not have more than one field specified at a time'));
  });
  return errors;
}
