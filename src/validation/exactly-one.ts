// Kubernetes' "exactly one of" rule, shared by probe/lifecycle handlers and volume sources: the
// first member set is validated, every further one is forbidden, none at all is required.
import { type FieldError, type FieldPath, forbidden, required } from '../field-error.ts';

export function validateExactlyOne<K extends string>(
  members: readonly K[],
  isSet: (member: K) => boolean,
  path: FieldPath,
  kind: string,
  validateMember: (member: K, path: FieldPath) => FieldError[],
): FieldError[] {
  const errors: FieldError[] = [];
  let found = false;
  for (const member of members) {
    if (!isSet(member)) continue;
    if (found) {
      errors.push(forbidden(path.child(member).text, `may not specify more than 1 ${kind}`));
      continue;
    }
    found = true;
    errors.push(...validateMember(member, path.child(member)));
  }
  if (!found) errors.push(required(path.text, `must specify a ${kind}`));
  return errors;
}
