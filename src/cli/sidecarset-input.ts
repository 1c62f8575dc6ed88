// SidecarSets read from files for the `default` and `validate` commands: checked for kind and
// apiVersion (exit 2 otherwise), then defaulted when their structure allows it.
import { API_VERSION, KIND, type SidecarSet } from '../api/sidecarset.ts';
import { defaultSidecarSet } from '../defaulting.ts';
import type { FieldError } from '../field-error.ts';
import { validateStructure, withoutNulls } from '../validation/structural.ts';
import { displayName, InputError, type KubeObject, readObjects, requireKind } from './input.ts';

/** Every SidecarSet of the files, in order. `-` is stdin. */
export async function readSidecarSets(files: readonly string[]): Promise<KubeObject[]> {
  const sidecarSets: KubeObject[] = [];
  for (const file of files) {
    for (const object of await readObjects(file)) {
      requireKind(object, KIND, file);
      if (object.apiVersion !== API_VERSION) {
        throw new InputError(`${displayName(file)}: ${describe(object)}: unsupported apiVersion ${JSON.stringify(object.apiVersion ?? '')} (expected ${API_VERSION})`);
      }
      sidecarSets.push(object);
    }
  }
  return sidecarSets;
}

/** `sidecarset/<name>`, the prefix of every message about an object. */
export function describe(object: KubeObject): string {
  const name = object.metadata?.name;
  return `sidecarset/${typeof name === 'string' && name !== '' ? name : '<unnamed>'}`;
}

/**
 * The defaulted SidecarSet, or the structural errors that make defaulting meaningless (and unsafe:
 * defaulting assumes well-typed fields). Null-valued fields are dropped first, as the apiserver does.
 */
export function defaultWellFormed(object: KubeObject): { sidecarSet: SidecarSet } | { errors: FieldError[] } {
  const pruned = withoutNulls(object) as Partial<SidecarSet>;
  const errors = validateStructure(pruned);
  if (errors.length > 0) return { errors };
  return { sidecarSet: defaultSidecarSet({ ...pruned, metadata: pruned.metadata ?? {}, spec: pruned.spec ?? {} }) };
}
