// Kubernetes' checks on file paths inside volumes and mounts (no '..' steps, relative where required).
import { type FieldError, type FieldPath, invalid } from '../field-error.ts';

export function validatePathNoBacksteps(target: string, path: FieldPath): FieldError[] {
  return target.replaceAll('\\', '/').split('/').includes('..') ? [invalid(path.text, target, "must not contain '..'")] : [];
}

/** A path below the mount point: relative, without '..' steps. */
export function validateLocalDescendingPath(target: string, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  if (target.startsWith('/')) errors.push(invalid(path.text, target, 'must be a relative path'));
  errors.push(...validatePathNoBacksteps(target, path));
  return errors;
}

/** A file name inside a projected volume: also may not start with '..' (reserved for the atomic writer). */
export function validateLocalNonReservedPath(target: string, path: FieldPath): FieldError[] {
  const errors = validateLocalDescendingPath(target, path);
  if (target.startsWith('..') && !target.startsWith('../')) errors.push(invalid(path.text, target, "must not start with '..'"));
  return errors;
}
