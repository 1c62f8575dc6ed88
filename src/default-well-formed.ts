// Defaulting guarded by the structural check, for the defaulting webhook and the CLI: defaulting
// assumes well-typed fields (it writes into objects and iterates lists), so a SidecarSet with
// structural errors is not defaulted at all; whoever validates it next names those errors.
import { parseApiVersion } from './api/conversion.ts';
import { type SidecarSet, V1ALPHA1 } from './api/sidecarset.ts';
import { defaultSidecarSet } from './defaulting.ts';
import type { FieldError } from './field-error.ts';
import { validateStructure, withoutNulls } from './validation/structural.ts';

/**
 * The defaulted SidecarSet, or the structural errors that make defaulting meaningless. Null-valued
 * fields are dropped first, as the apiserver does; the object is checked against the schema of its
 * own version and stays in it (defaulting touches only the fields both versions share).
 */
export function defaultWellFormed(object: unknown): { sidecarSet: SidecarSet } | { errors: FieldError[] } {
  const pruned = withoutNulls(object) as Partial<SidecarSet>;
  const errors = validateStructure(pruned, parseApiVersion(pruned.apiVersion) ?? V1ALPHA1);
  if (errors.length > 0) return { errors };
  return { sidecarSet: defaultSidecarSet({ ...pruned, metadata: pruned.metadata ?? {}, spec: pruned.spec ?? {} }) };
}
