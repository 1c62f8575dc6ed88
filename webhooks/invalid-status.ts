// A 422 Invalid denial built from field errors the way the apiserver builds one (apierrors.NewInvalid):
// the message is the errors' aggregate — one error as is, several de-duplicated, joined by ", " and
// bracketed — and each error is listed again under details.causes. Past MAX_REPORTED_ERRORS, the
// rest is only counted: a megabyte of bad values must not become a megabyte-long denial.
import { formatFieldError, type FieldError, type FieldErrorType } from '../src/field-error.ts';
import type { AdmissionStatus } from './admission-review.ts';

const CAUSE_REASON: Record<FieldErrorType, string> = {
  'Not found': 'FieldValueNotFound',
  'Required value': 'FieldValueRequired',
  'Duplicate value': 'FieldValueDuplicate',
  'Invalid value': 'FieldValueInvalid',
  'Unsupported value': 'FieldValueNotSupported',
  Forbidden: 'FieldValueForbidden',
  'Too long': 'FieldValueTooLong',
  'Too many': 'FieldValueTooMany',
  'Internal error': 'InternalError',
};

/** utilerrors.NewAggregate(...).Error(). */
export function aggregateMessage(messages: readonly string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

export const MAX_REPORTED_ERRORS = 100;

export function invalidStatus(target: { group: string; kind: string; name?: string }, allErrors: readonly FieldError[]): AdmissionStatus {
  const errors = allErrors.slice(0, MAX_REPORTED_ERRORS);
  const unreported = allErrors.length - errors.length;
  const messages = errors.map(formatFieldError);
  return {
    code: 422,
    reason: 'Invalid',
    message: aggregateMessage(unreported > 0 ? [...messages, `and ${unreported} more errors`] : messages),
    details: {
      ...target,
      causes: errors.map((error) => ({
        reason: CAUSE_REASON[error.type],
        message: formatFieldError({ ...error, field: '' }),
        field: error.field,
      })),
    },
  };
}
