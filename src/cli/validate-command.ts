// `sidecarset validate`: defaults, then validates SidecarSets as the validating webhook would on CREATE.
import type { ControllerRevision } from '../api/core.ts';
import { toModel } from '../api/conversion.ts';
import type { SidecarSet } from '../api/sidecarset.ts';
import { formatFieldError } from '../field-error.ts';
import {
  PATCH_METADATA_WHITELIST_KEY,
  type PatchMetadataWhitelist,
  parsePatchMetadataWhitelist,
} from '../validation/patch-metadata-whitelist.ts';
import { validateSidecarSet, type ValidationContext } from '../validation/validate-sidecarset.ts';
import type { Command, CommandValues } from './command.ts';
import { InputError, readObjects, readObjectsOfKind, requireObjects } from './input.ts';
import { defaultWellFormed } from '../default-well-formed.ts';
import { describe, readSidecarSets } from './sidecarset-input.ts';

const files = (values: CommandValues, flag: string): string[] => (values[flag] as string[] | undefined) ?? [];

/** The cluster's other SidecarSets, defaulted as they would be stored; a malformed one is an input error. */
async function readExisting(paths: readonly string[]): Promise<SidecarSet[]> {
  const sidecarSets: SidecarSet[] = [];
  for (const file of paths) {
    for (const object of await readSidecarSets([file])) {
      const result = defaultWellFormed(object);
      if ('errors' in result) throw new InputError(`${file}: ${describe(object)} is not a valid SidecarSet: ${formatFieldError(result.errors[0])}`);
      sidecarSets.push(toModel(result.sidecarSet));
    }
  }
  return sidecarSets;
}

async function readRevisions(paths: readonly string[]): Promise<ControllerRevision[]> {
  const revisions: ControllerRevision[] = [];
  for (const file of paths) {
    for (const object of await readObjectsOfKind([file], 'ControllerRevision')) {
      if (typeof object.metadata?.name !== 'string' || typeof object.revision !== 'number') {
        throw new InputError(`${file}: a ControllerRevision needs metadata.name and a numeric revision`);
      }
      revisions.push(object as unknown as ControllerRevision);
    }
  }
  return revisions;
}

/** A ConfigMap holding the whitelist key, or the whitelist value itself (JSON or YAML). */
async function readWhitelist(path: string | undefined): Promise<PatchMetadataWhitelist | undefined> {
  if (path === undefined) return undefined;
  const objects = await readObjects(path);
  if (objects.length !== 1) throw new InputError(`${path}: expected one whitelist, found ${objects.length} documents`);
  const [object] = objects;
  let json: string;
  if (object.kind === 'ConfigMap') {
    const value = (object.data as Record<string, unknown> | undefined)?.[PATCH_METADATA_WHITELIST_KEY];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new InputError(`${path}: data[${PATCH_METADATA_WHITELIST_KEY}] must be a string`);
    json = value;
  } else {
    json = JSON.stringify(object);
  }
  const { whitelist, errors } = parsePatchMetadataWhitelist(json);
  if (errors.length > 0) throw new InputError(`${path}: ${errors.map(formatFieldError).join('; ')}`);
  return whitelist;
}

export const validateCommand: Command = {
  usage: `usage: sidecarset validate -f FILE [-f FILE]... [--existing FILE]... [--revisions FILE]...
                          [--patch-metadata-whitelist FILE] [--allow-patch-metadata]

Defaults every SidecarSet of the files (several YAML documents or a List each; '-' is stdin)
and validates it as a CREATE, printing 'sidecarset/<name>: valid' or one field error per line.

  -f, --filename FILE               SidecarSets to validate, repeatable
  --existing FILE                   other SidecarSets in the cluster, for the conflict rules
                                    (container, volume and patched annotation clashes), repeatable
  --revisions FILE                  ControllerRevisions of the operator's namespace, to resolve
                                    spec.injectionStrategy.revision pins, repeatable
  --patch-metadata-whitelist FILE   the patchPodMetadata whitelist: a ConfigMap with key
                                    ${PATCH_METADATA_WHITELIST_KEY}, or that key's JSON value
  --allow-patch-metadata            allow any patchPodMetadata key when no whitelist rule applies
                                    (the operator flag of the same meaning)

Exit status: 0 all valid; 1 some SidecarSet is invalid (errors on stderr); 2 unreadable or
malformed input.`,
  options: {
    filename: { type: 'string', short: 'f', multiple: true },
    existing: { type: 'string', multiple: true },
    revisions: { type: 'string', multiple: true },
    'patch-metadata-whitelist': { type: 'string' },
    'allow-patch-metadata': { type: 'boolean' },
  },
  async run(values) {
    const inputs = files(values, 'filename');
    if (inputs.length === 0) throw new InputError('validate: -f FILE is required');
    const context: ValidationContext = {
      operation: 'CREATE',
      others: await readExisting(files(values, 'existing')),
      revisions: await readRevisions(files(values, 'revisions')),
      patchMetadataWhitelist: await readWhitelist(values['patch-metadata-whitelist'] as string | undefined),
      allowPatchMetadataWithoutWhitelist: values['allow-patch-metadata'] === true,
    };
    let exitCode = 0;
    const objects = await readSidecarSets(inputs);
    requireObjects(objects, inputs, 'SidecarSets');
    for (const object of objects) {
      const defaulted = defaultWellFormed(object);
      // A structurally broken object is validated as is: that reports its structural and metadata errors.
      const errors = validateSidecarSet('sidecarSet' in defaulted ? defaulted.sidecarSet : object, context);
      if (errors.length === 0) {
        process.stdout.write(`${describe(object)}: valid\n`);
      } else {
        process.stderr.write(errors.map((error) => `${describe(object)}: ${formatFieldError(error)}\n`).join(''));
        exitCode = 1;
      }
    }
    return exitCode;
  },
};
