// Label selector validation: Kubernetes' metav1 LabelSelector syntax rules, and OpenKruise's stricter
// SidecarSet variant (docs/behaviour/validation.md rule 11).
import type { LabelSelector } from '../api/core.ts';
import { type FieldError, type FieldPath, forbidden, invalid, required, tooMany } from '../field-error.ts';
import { isEmptySelector } from '../label-selector.ts';
import { isValidLabelValue } from './names.ts';
import { validateLabels, validateQualifiedName } from './object-meta.ts';

export function validateLabelSelector(selector: LabelSelector, path: FieldPath): FieldError[] {
  const errors = validateLabels(selector.matchLabels ?? {}, path.child('matchLabels'));
  (selector.matchExpressions ?? []).forEach((requirement, index) => {
    const requirementPath = path.child('matchExpressions').index(index);
    const values = requirement.values ?? [];
    switch (requirement.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errors.push(required(requirementPath.child('values').text, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errors.push(forbidden(requirementPath.child('values').text, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errors.push(invalid(requirementPath.child('operator').text, requirement.operator, 'not a valid selector operator'));
    }
    errors.push(...validateQualifiedName(requirement.key, requirementPath.child('key')));
    values.forEach((value, valueIndex) => {
      for (const message of isValidLabelValue(value)) errors.push(invalid(requirementPath.child('values').index(valueIndex).text, value, message));
    });
  });
  return errors;
}

// Our limits, not Kubernetes': a SidecarSet's selectors are compared with every other SidecarSet's on
// each write and evaluated for every Pod created, so their size is bounded (see docs/decisions/).
export const MAX_SELECTOR_REQUIREMENTS = 100;
export const MAX_SELECTOR_VALUES = 1_000;

function validateSelectorSize(selector: LabelSelector, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const labels = Object.keys(selector.matchLabels ?? {}).length;
  const expressions = selector.matchExpressions ?? [];
  if (labels > MAX_SELECTOR_REQUIREMENTS) errors.push(tooMany(path.child('matchLabels').text, labels, MAX_SELECTOR_REQUIREMENTS));
  if (expressions.length > MAX_SELECTOR_REQUIREMENTS) errors.push(tooMany(path.child('matchExpressions').text, expressions.length, MAX_SELECTOR_REQUIREMENTS));
  expressions.slice(0, MAX_SELECTOR_REQUIREMENTS).forEach((requirement, index) => {
    const values = requirement.values?.length ?? 0;
    if (values > MAX_SELECTOR_VALUES) errors.push(tooMany(path.child('matchExpressions').index(index).child('values').text, values, MAX_SELECTOR_VALUES));
  });
  return errors;
}

/**
 * Kruise's validateSelector: the syntax rules, no empty selector, and a second error at
 * `<path>.selector` whenever the selector cannot be converted, which is whenever the syntax is wrong.
 */
export function validateSidecarSetSelector(selector: LabelSelector, path: FieldPath): FieldError[] {
  // An oversized selector is refused for its size alone: checking each of its values is the work the limit prevents.
  const size = validateSelectorSize(selector, path);
  if (size.length > 0) return size;
  const errors = validateLabelSelector(selector, path);
  const syntaxIsWrong = errors.length > 0;
  if (isEmptySelector(selector)) errors.push(invalid(path.text, selector, 'empty selector is not valid for sidecarset.'));
  if (syntaxIsWrong) errors.push(invalid(path.child('selector').text, selector, ''));
  return errors;
}
