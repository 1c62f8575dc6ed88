// Kubernetes-style field errors (k8s.io/apimachinery/pkg/util/validation/field), rendered the way
// the apiserver renders them, e.g. `spec.containers[1].name: Duplicate value: "logagent"`.

export type FieldErrorType =
  | 'Not found'
  | 'Required value'
  | 'Duplicate value'
  | 'Invalid value'
  | 'Unsupported value'
  | 'Forbidden'
  | 'Too long'
  | 'Too many'
  | 'Internal error';

export interface FieldError {
  type: FieldErrorType;
  field: string;
  /** Present for the kinds that echo the offending value. */
  value?: unknown;
  detail: string;
}

/** Types whose message does not repeat the value. */
const VALUELESS: ReadonlySet<FieldErrorType> = new Set(['Required value', 'Forbidden', 'Too long', 'Internal error']);

/** Longest rendering of a value in a message: a megabyte-long value must not make a megabyte-long denial or log line. */
export const MAX_VALUE_CHARACTERS = 256;

export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  return truncated(typeof value === 'string' || typeof value === 'object' ? JSON.stringify(value) : String(value));
}

/** The text cut to MAX_VALUE_CHARACTERS, saying how long it was. */
export function truncated(text: string): string {
  return text.length > MAX_VALUE_CHARACTERS ? `${text.slice(0, MAX_VALUE_CHARACTERS)}...(${text.length} characters)` : text;
}

export function formatFieldError(error: FieldError): string {
  let body: string = error.type;
  if (!VALUELESS.has(error.type)) body += `: ${formatValue(error.value)}`;
  if (error.detail) body += `: ${error.detail}`;
  return error.field ? `${error.field}: ${body}` : body;
}

export const required = (field: string, detail = ''): FieldError => ({ type: 'Required value', field, detail });
export const invalid = (field: string, value: unknown, detail: string): FieldError => ({ type: 'Invalid value', field, value, detail });
export const duplicate = (field: string, value: unknown): FieldError => ({ type: 'Duplicate value', field, value, detail: '' });
export const forbidden = (field: string, detail: string): FieldError => ({ type: 'Forbidden', field, detail });
export const tooLong = (field: string, max: number): FieldError => ({ type: 'Too long', field, detail: `may not be more than ${max} bytes` });
export const tooMany = (field: string, actual: number, max: number): FieldError => ({ type: 'Too many', field, value: actual, detail: `must have at most ${max} items` });
export const internal = (field: string, detail: string): FieldError => ({ type: 'Internal error', field, detail });
export const notFound = (field: string, value: unknown): FieldError => ({ type: 'Not found', field, value, detail: '' });
export const notSupported = (field: string, value: unknown, supported: readonly string[]): FieldError => ({
  type: 'Unsupported value',
  field,
  value,
  detail: supported.length > 0 ? `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` : '',
});

/** Builds child paths the way field.Path does: `spec.containers[0].name`, `metadata.labels[app]`. */
export class FieldPath {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  child(name: string): FieldPath {
    return new FieldPath(this.text ? `${this.text}.${name}` : name);
  }
  index(i: number): FieldPath {
    return new FieldPath(`${this.text}[${i}]`);
  }
  key(k: string): FieldPath {
    return new FieldPath(`${this.text}[${k}]`);
  }
  toString(): string {
    return this.text;
  }
}

export const root = (name = ''): FieldPath => new FieldPath(name);
