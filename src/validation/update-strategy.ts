// spec.updateStrategy (docs/behaviour/validation.md rule 15). Only a RollingUpdate strategy is checked, as in
// Kruise: a NotUpdate strategy never acts, whatever its other fields say. Kruise's rule 9 (native
// sidecars force NotUpdate) is lifted: native sidecars are upgraded in place, the kubelet restarts
// them on an image change (docs/decisions/native-sidecar-in-place-upgrade.md).
import type { IntOrString, SidecarSetSpec, SidecarSetUpdateStrategy, UpdatePriorityStrategy, UpdateScatterTerm } from '../api/sidecarset.ts';
import { type FieldError, type FieldPath, formatFieldError, invalid, required, root } from '../field-error.ts';
import { isEmptySelector } from '../label-selector.ts';
import { isValidPercent } from './names.ts';
import { validateLabelSelector, validateSidecarSetSelector } from './selectors.ts';

export function validateUpdateStrategy(spec: SidecarSetSpec, path: FieldPath): FieldError[] {
  const strategy = spec.updateStrategy ?? {};
  if (strategy.type !== 'RollingUpdate') return [];
  const errors: FieldError[] = [];
  // Kruise reports this one at the bare `updateStrategy` path.
  if (isPartitionSet(strategy.partition) && strategy.selector) {
    errors.push(invalid('updateStrategy', strategy, 'Partition and Selector cannot be used together'));
  }
  if (strategy.selector) errors.push(...validateSidecarSetSelector(strategy.selector, path.child('selector')));
  if (strategy.partition !== undefined) errors.push(...validatePositiveIntOrPercent(strategy.partition, path.child('partition')));
  if (strategy.maxUnavailable !== undefined) errors.push(...validatePositiveIntOrPercent(strategy.maxUnavailable, path.child('maxUnavailable')));
  if (strategy.priorityStrategy) {
    for (const message of priorityStrategyErrors(strategy.priorityStrategy)) errors.push(required(path.child('priorityStrategy').text, message));
  }
  for (const message of scatterStrategyErrors(strategy.scatterStrategy ?? [])) errors.push(required(path.child('scatterStrategy').text, message));
  return errors;
}

/** A string partition counts as set even when it is "0%". */
const isPartitionSet = (partition: SidecarSetUpdateStrategy['partition']): boolean => typeof partition === 'string' || (partition ?? 0) !== 0;

function validatePositiveIntOrPercent(value: IntOrString, path: FieldPath): FieldError[] {
  if (typeof value === 'string') return isValidPercent(value).map((message) => invalid(path.text, value, message));
  return value < 0 ? [invalid(path.text, value, 'must be greater than or equal to 0')] : [];
}

/** Kruise stops at the first problem; we report every one, in the same words. */
function priorityStrategyErrors(strategy: UpdatePriorityStrategy): string[] {
  const messages: string[] = [];
  const weights = strategy.weightPriority ?? [];
  if (weights.length > 0 && (strategy.orderPriority ?? []).length > 0) messages.push('only one of weightPriority and orderPriority can be used');
  for (const term of weights) {
    // The message says 1-100, the check (like Kruise's) admits 0.
    if (term.weight < 0 || term.weight > 100) messages.push('weight must be valid number in the range 1-100');
    if (isEmptySelector(term.matchSelector)) messages.push('selector can not be empty');
    const [selectorError] = validateLabelSelector(term.matchSelector, root());
    if (selectorError) messages.push(`invalid selector ${formatFieldError(selectorError)}`);
  }
  for (const term of strategy.orderPriority ?? []) {
    if (!term.orderedKey) messages.push('order key can not be empty');
  }
  return messages;
}

function scatterStrategyErrors(terms: readonly UpdateScatterTerm[]): string[] {
  const messages: string[] = [];
  const seen = new Set<string>();
  for (const term of terms) {
    if (!term.key) {
      messages.push('key should not be empty');
      continue;
    }
    const id = `${term.key}:${term.value}`;
    if (seen.has(id)) messages.push(`duplicated key=${term.key} value=${term.value}`);
    seen.add(id);
  }
  return messages;
}
