// SidecarSets read from files for the commands: checked for kind and apiVersion (either served
// version; exit 2 otherwise), then defaulted, in their own version, when their structure allows it.
import { parseApiVersion, toModel } from '../api/conversion.ts';
import { apiVersionOf, KIND, SERVED_VERSIONS, type SidecarSet, V1ALPHA1 } from '../api/sidecarset.ts';
import { defaultWellFormed } from '../default-well-formed.ts';
import { formatFieldError } from '../field-error.ts';
import { displayName, InputError, type KubeObject, readObjects, requireKind } from './input.ts';

/** Every SidecarSet of the files, in order. `-` is stdin. */
export async function readSidecarSets(files: readonly string[]): Promise<KubeObject[]> {
  const sidecarSets: KubeObject[] = [];
  for (const file of files) {
    for (const object of await readObjects(file)) {
      requireKind(object, KIND, file);
      if (!parseApiVersion(object.apiVersion)) {
        const expected = SERVED_VERSIONS.map(apiVersionOf).join(' or ');
        throw new InputError(`${displayName(file)}: ${describe(object)}: unsupported apiVersion ${JSON.stringify(object.apiVersion ?? '')} (expected ${expected})`);
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

/** Defaulted and in the operator's model, as the webhooks and the controller see it; a structurally broken SidecarSet is bad input. */
export function defaultedModel(object: KubeObject): SidecarSet {
  const result = defaultWellFormed(object);
  if ('errors' in result) throw new InputError(`${describe(object)}: ${result.errors.map(formatFieldError).join('; ')}`);
  return toModel(result.sidecarSet);
}
