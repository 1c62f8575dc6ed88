// Kubernetes' ValidateVolumes for a SidecarSet's `spec.volumes` (docs/behaviour/validation.md rule 23): DNS-1123 label
// names, unique, exactly one volume source each, and the source-specific checks of the sources a
// sidecar commonly uses. Every volume source is still type-checked by the structural schema.
import type { Volume } from '../api/core.ts';
import { VOLUME_SOURCES } from '../api/volume-sources.ts';
import { duplicate, type FieldError, type FieldPath, forbidden, invalid, notSupported, required } from '../field-error.ts';
import { validateResourceFieldRef } from './container-env.ts';
import { convertPodFieldPath, validateFieldRef } from './field-ref.ts';
import { validateExactlyOne } from './exactly-one.ts';
import { isDns1123Label } from './names.ts';
import { validateLocalNonReservedPath, validatePathNoBacksteps } from './paths.ts';
import { parseQuantity, QUANTITY_FORMAT_ERROR } from '../quantity.ts';

/** Every volume source of core/v1 Volume, in Kubernetes' order of checking. */
const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];
const VOLUME_FIELD_PATHS = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];
const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';
const MIN_TOKEN_EXPIRATION_SECONDS = 10 * 60;
const MAX_TOKEN_EXPIRATION_SECONDS = 2 ** 32;

interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

interface DownwardAPIFile {
  path: string;
  fieldRef?: { apiVersion?: string; fieldPath: string };
  resourceFieldRef?: { containerName?: string; resource: string };
  mode?: number;
}

interface Projection {
  secret?: { name?: string; items?: KeyToPath[] };
  configMap?: { name?: string; items?: KeyToPath[] };
  downwardAPI?: { items?: DownwardAPIFile[] };
  serviceAccountToken?: { path: string; expirationSeconds?: number };
  clusterTrustBundle?: { path: string };
  podCertificate?: unknown;
}

/** Source fields as the structural schema guarantees them; the types in core.ts stay loose on purpose. */
interface VolumeSources {
  emptyDir?: { medium?: string; sizeLimit?: string | number };
  hostPath?: { path: string; type?: string };
  secret?: { secretName?: string; defaultMode?: number; items?: KeyToPath[] };
  configMap?: { name?: string; defaultMode?: number; items?: KeyToPath[] };
  downwardAPI?: { defaultMode?: number; items?: DownwardAPIFile[] };
  projected?: { defaultMode?: number; sources?: Projection[] };
  persistentVolumeClaim?: { claimName: string };
  nfs?: { server: string; path: string };
  csi?: { driver: string };
  ephemeral?: { volumeClaimTemplate?: unknown };
  image?: { reference?: string; pullPolicy?: string };
}

/** Validates the volumes and returns the ones without errors, by name: only those can be mounted. */
export function validateVolumes(volumes: readonly Volume[], path: FieldPath): { errors: FieldError[]; mountable: Map<string, Volume> } {
  const errors: FieldError[] = [];
  const mountable = new Map<string, Volume>();
  const names = new Set<string>();
  volumes.forEach((volume, index) => {
    const volumePath = path.index(index);
    const namePath = volumePath.child('name');
    const volumeErrors = validateVolumeSource(volume as VolumeSources, volumePath);
    if (!volume.name) volumeErrors.push(required(namePath.text));
    else for (const message of isDns1123Label(volume.name)) volumeErrors.push(invalid(namePath.text, volume.name, message));
    if (names.has(volume.name)) volumeErrors.push(duplicate(namePath.text, volume.name));
    if (volumeErrors.length === 0) {
      names.add(volume.name);
      mountable.set(volume.name, volume);
    }
    errors.push(...volumeErrors);
  });
  return { errors, mountable };
}

function validateVolumeSource(volume: VolumeSources, path: FieldPath): FieldError[] {
  const isSet = (source: string): boolean => (volume as Record<string, unknown>)[source] !== undefined;
  return validateExactlyOne(VOLUME_SOURCES, isSet, path, 'volume type', (source, sourcePath) => validateSource(volume, source, sourcePath));
}

function validateSource(volume: VolumeSources, source: string, path: FieldPath): FieldError[] {
  switch (source) {
    case 'emptyDir': {
      const sizeLimit = volume.emptyDir!.sizeLimit;
      if (sizeLimit === undefined) return [];
      const value = parseQuantity(sizeLimit);
      if (value === undefined) return [invalid(path.child('sizeLimit').text, String(sizeLimit), QUANTITY_FORMAT_ERROR)];
      return value.negative ? [forbidden(path.child('sizeLimit').text, 'SizeLimit field must be a valid resource quantity')] : [];
    }
    case 'hostPath': {
      const hostPath = volume.hostPath!;
      if (!hostPath.path) return [required(path.child('path').text)];
      const errors = validatePathNoBacksteps(hostPath.path, path.child('path'));
      if (hostPath.type !== undefined && !HOST_PATH_TYPES.includes(hostPath.type)) errors.push(notSupported(path.child('type').text, hostPath.type, HOST_PATH_TYPES));
      return errors;
    }
    case 'secret': {
      const secret = volume.secret!;
      const errors = secret.secretName ? [] : [required(path.child('secretName').text)];
      return [...errors, ...validateFileMode(secret.defaultMode, path.child('defaultMode')), ...validateKeyToPaths(secret.items ?? [], path.child('items'))];
    }
    case 'configMap': {
      const configMap = volume.configMap!;
      const errors = configMap.name ? [] : [required(path.child('name').text)];
      return [...errors, ...validateFileMode(configMap.defaultMode, path.child('defaultMode')), ...validateKeyToPaths(configMap.items ?? [], path.child('items'))];
    }
    case 'downwardAPI': {
      const downwardAPI = volume.downwardAPI!;
      const errors = validateFileMode(downwardAPI.defaultMode, path.child('defaultMode'));
      for (const file of downwardAPI.items ?? []) errors.push(...validateDownwardAPIFile(file, path));
      return errors;
    }
    case 'projected': {
      const projected = volume.projected!;
      return [...validateFileMode(projected.defaultMode, path.child('defaultMode')), ...validateProjections(projected.sources ?? [], path)];
    }
    case 'persistentVolumeClaim':
      return volume.persistentVolumeClaim!.claimName ? [] : [required(path.child('claimName').text)];
    case 'nfs': {
      const nfs = volume.nfs!;
      const errors: FieldError[] = [];
      if (!nfs.server) errors.push(required(path.child('server').text));
      if (!nfs.path) errors.push(required(path.child('path').text));
      if (!nfs.path.startsWith('/')) errors.push(invalid(path.child('path').text, nfs.path, 'must be an absolute path'));
      return errors;
    }
    case 'csi':
      return volume.csi!.driver ? [] : [required(path.child('driver').text)];
    case 'ephemeral':
      return volume.ephemeral!.volumeClaimTemplate ? [] : [required(path.child('volumeClaimTemplate').text)];
    case 'image':
      return volume.image!.reference ? [] : [required(path.child('reference').text)];
    default:
      return [];
  }
}

function validateFileMode(mode: number | undefined, path: FieldPath): FieldError[] {
  return mode !== undefined && (mode < 0 || mode > 0o777) ? [invalid(path.text, mode, FILE_MODE_ERROR)] : [];
}

function validateKeyToPaths(items: readonly KeyToPath[], path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  items.forEach((item, index) => {
    const itemPath = path.index(index);
    if (!item.key) errors.push(required(itemPath.child('key').text));
    if (!item.path) errors.push(required(itemPath.child('path').text));
    errors.push(...validateLocalNonReservedPath(item.path, itemPath.child('path')));
    errors.push(...validateFileMode(item.mode, itemPath.child('mode')));
  });
  return errors;
}

/** As in Kubernetes, a file's errors are reported at the source's path, not the item's. */
function validateDownwardAPIFile(file: DownwardAPIFile, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  if (!file.path) errors.push(required(path.child('path').text));
  errors.push(...validateLocalNonReservedPath(file.path, path.child('path')));
  if (file.fieldRef) {
    errors.push(...validateFieldRef(file.fieldRef, VOLUME_FIELD_PATHS, convertPodFieldPath, path.child('fieldRef')));
    if (file.resourceFieldRef) errors.push(invalid(path.text, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
  } else if (file.resourceFieldRef) {
    errors.push(...validateResourceFieldRef(file.resourceFieldRef, true, path.child('resourceFieldRef')));
  } else {
    errors.push(required(path.text, 'one of fieldRef and resourceFieldRef is required'));
  }
  errors.push(...validateFileMode(file.mode, path.child('mode')));
  return errors;
}

function validateProjections(projections: readonly Projection[], path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const filePaths = new Set<string>();
  const claimPath = (filePath: string, owner: string): void => {
    if (filePaths.has(filePath)) errors.push(invalid(path.text, owner, 'conflicting duplicate paths'));
    filePaths.add(filePath);
  };
  projections.forEach((projection, index) => {
    const sourcePath = path.child('sources').index(index);
    const kinds = Object.keys(projection).filter((kind) => (projection as Record<string, unknown>)[kind] !== undefined);
    for (const kind of ['secret', 'configMap'] as const) {
      const reference = projection[kind];
      if (!reference) continue;
      if (!reference.name) errors.push(required(sourcePath.child(kind).child('name').text));
      errors.push(...validateKeyToPaths(reference.items ?? [], sourcePath.child(kind).child('items')));
      for (const item of reference.items ?? []) if (item.path) claimPath(item.path, reference.name ?? '');
    }
    for (const file of projection.downwardAPI?.items ?? []) {
      errors.push(...validateDownwardAPIFile(file, sourcePath.child('downwardAPI')));
      if (file.path) claimPath(file.path, file.path);
    }
    const token = projection.serviceAccountToken;
    if (token) {
      const expiration = token.expirationSeconds ?? 0;
      const expirationPath = sourcePath.child('serviceAccountToken').child('expirationSeconds').text;
      if (expiration < MIN_TOKEN_EXPIRATION_SECONDS) errors.push(invalid(expirationPath, expiration, 'may not specify a duration less than 10 minutes'));
      if (expiration > MAX_TOKEN_EXPIRATION_SECONDS) errors.push(invalid(expirationPath, expiration, 'may not specify a duration larger than 2^32 seconds'));
      if (!token.path) errors.push(required(path.child('path').text));
      else errors.push(...validateLocalNonReservedPath(token.path, path.child('path')));
    }
    if (kinds.length > 1) errors.push(forbidden(sourcePath.text, 'may not specify more than 1 volume type per source'));
  });
  return errors;
}
