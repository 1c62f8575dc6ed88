// Label selector validation: Kubernetes' metav1 LabelSelector syntax rules, and OpenKruise's stricter
// SidecarSet variant (docs/behaviour/validation.md rule 11).
import type { LabelSelector } from '../api/core.ts';
import { type FieldError, type FieldPath, forbidden, invalid, required } from '../field-error.ts';
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

/**
 * Kruise's validateSelector: the syntax rules, no empty selector, and a second error at
 * `<path>.selector` whenever the selector cannot be converted, which is whenever the syntax is wrong.
 */
export function validateSidecarSetSelector(selector: LabelSelector, path: FieldPath): FieldError[] {
  const errors = validateLabelSelector(selector, path);
  const syntaxIsWrong = errors.length > 0;
  if (isEmptySelector(selector)) errors.push(invalid(path.text, selector, 'empty selector is not valid for sidecarset.'));
  if (syntaxIsWrong) errors.push(invalid(path.child('selector').text, selector, ''));
  return errors;
}
