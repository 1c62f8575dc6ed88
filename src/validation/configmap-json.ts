// A JSON document held in a ConfigMap key (the whitelist, the security policy): parsed, nulls
// dropped as Go's decoding drops them, and checked against its schema, with field errors under
// `data[<key>]`.
import { type FieldError, type FieldPath, invalid, root } from '../field-error.ts';
import { type StructureValidator, withoutNulls } from './structural.ts';

export function parseConfigMapJson(json: string, key: string, validate: StructureValidator): { document?: unknown; path: FieldPath; errors: FieldError[] } {
  const path = root('data').key(key);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    return { path, errors: [invalid(path.text, json, `invalid JSON: ${(error as Error).message}`)] };
  }
  const document = withoutNulls(parsed ?? {});
  const errors = validate(document, path);
  return errors.length > 0 ? { path, errors } : { document, path, errors };
}
