// Kubernetes' checks on a container's `resources`: resource names, quantity syntax, no negative
// amounts, and no request above its limit.
import type { Quantity, ResourceRequirements } from '../api/core.ts';
import { type FieldError, type FieldPath, invalid } from '../field-error.ts';
import { isQualifiedName } from './names.ts';
import { compareQuantities, parseQuantity, QUANTITY_FORMAT_ERROR, type ParsedQuantity } from '../quantity.ts';

const STANDARD_CONTAINER_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];
/** Every resource name Kubernetes knows without a prefix (quota names included), besides hugepages. */
const STANDARD_RESOURCES = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage', 'limits.cpu', 'limits.memory',
  'limits.ephemeral-storage', 'pods', 'resourcequotas', 'services', 'replicationcontrollers', 'secrets', 'configmaps', 'persistentvolumeclaims',
  'storage', 'requests.storage', 'services.nodeports', 'services.loadbalancers',
]);
const HUGEPAGES_PREFIX = 'hugepages-';
const REQUESTS_HUGEPAGES_PREFIX = 'requests.hugepages-';
const DEFAULT_NAMESPACE_PREFIX = 'kubernetes.io/';

export function validateResources(resources: ResourceRequirements, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const limits = validateResourceList(resources.limits ?? {}, path.child('limits'), errors);
  const requests = validateResourceList(resources.requests ?? {}, path.child('requests'), errors);
  for (const [name, request] of requests) {
    const limit = limits.get(name);
    if (limit !== undefined && compareQuantities(request.value, limit.value) > 0) {
      errors.push(invalid(path.child('requests').text, request.text, `must be less than or equal to ${name} limit of ${limit.text}`));
    }
  }
  return errors;
}

interface Amount {
  text: string;
  value: ParsedQuantity;
}

/** Appends the errors of one list and returns its parseable amounts by resource name. */
function validateResourceList(list: Readonly<Record<string, Quantity>>, path: FieldPath, errors: FieldError[]): Map<string, Amount> {
  const amounts = new Map<string, Amount>();
  for (const [name, quantity] of Object.entries(list)) {
    const quantityPath = path.key(name);
    errors.push(...validateResourceName(name, quantityPath));
    const text = String(quantity);
    const value = parseQuantity(quantity);
    if (value === undefined) errors.push(invalid(quantityPath.text, text, QUANTITY_FORMAT_ERROR));
    else if (value.negative) errors.push(invalid(quantityPath.text, text, 'must be greater than or equal to 0'));
    else amounts.set(name, { text, value });
  }
  return amounts;
}

/**
 * Kubernetes' ValidateContainerResourceName: the qualified-name errors (which end the generic check),
 * else a single-segment name must be a standard resource; then, either way, a single-segment name must
 * be a container resource and a prefixed one outside kubernetes.io an extended resource name.
 */
function validateResourceName(name: string, path: FieldPath): FieldError[] {
  const errors = isQualifiedName(name).map((message) => invalid(path.text, name, message));
  const singleSegment = !name.includes('/');
  if (errors.length === 0 && singleSegment && !STANDARD_RESOURCES.has(name) && !name.startsWith(HUGEPAGES_PREFIX) && !name.startsWith(REQUESTS_HUGEPAGES_PREFIX)) {
    errors.push(invalid(path.text, name, 'must be a standard resource type or fully qualified'));
  }
  if (singleSegment) {
    if (!STANDARD_CONTAINER_RESOURCES.includes(name) && !name.startsWith(HUGEPAGES_PREFIX)) errors.push(invalid(path.text, name, 'must be a standard resource for containers'));
  } else if (!name.includes(DEFAULT_NAMESPACE_PREFIX) && !isExtendedResourceName(name)) {
    errors.push(invalid(path.text, name, "doesn't follow extended resource name standard"));
  }
  return errors;
}

/** Outside kubernetes.io, not `requests.`-prefixed, and still a qualified name with that prefix. */
const isExtendedResourceName = (name: string): boolean => !name.startsWith('requests.') && isQualifiedName(`requests.${name}`).length === 0;
