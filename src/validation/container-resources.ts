// Kubernetes' checks on a container's `resources`: resource names, quantity syntax, no negative
// amounts, and no request above its limit.
import type { Quantity, ResourceRequirements } from '../api/core.ts';
import { type FieldError, type FieldPath, invalid } from '../field-error.ts';
import { isQualifiedName } from './names.ts';
import { compareQuantities, parseQuantity, QUANTITY_FORMAT_ERROR, type ParsedQuantity } from '../quantity.ts';

const STANDARD_CONTAINER_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];
const HUGEPAGES_PREFIX = 'hugepages-';

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

function validateResourceName(name: string, path: FieldPath): FieldError[] {
  const messages = isQualifiedName(name);
  if (messages.length > 0) return messages.map((message) => invalid(path.text, name, message));
  const isStandard = STANDARD_CONTAINER_RESOURCES.includes(name) || name.startsWith(HUGEPAGES_PREFIX);
  if (!name.includes('/') && !isStandard) return [invalid(path.text, name, 'must be a standard resource for containers')];
  return [];
}
