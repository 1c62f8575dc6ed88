// Kubernetes' checks on a container's volumeMounts and volumeDevices. Both may only name volumes of the
// same SidecarSet (the Pod's own volumes are unknown when the SidecarSet is admitted), and a path may
// not be used as both a mount point and a device path.
import type { Volume, VolumeDevice, VolumeMount } from '../api/core.ts';
import { type FieldError, type FieldPath, forbidden, invalid, notFound, notSupported, required } from '../field-error.ts';
import { validateLocalDescendingPath, validatePathNoBacksteps } from './paths.ts';

const MOUNT_PROPAGATIONS = ['Bidirectional', 'HostToContainer', 'None'];
const RECURSIVE_READ_ONLY_MODES = ['Disabled', 'Enabled', 'IfPossible'];

export function validateVolumeMounts(
  mounts: readonly VolumeMount[],
  devices: readonly VolumeDevice[],
  volumes: ReadonlyMap<string, Volume>,
  privileged: boolean,
  path: FieldPath,
): FieldError[] {
  const errors: FieldError[] = [];
  const deviceNames = new Set(devices.map((device) => device.name));
  const devicePaths = new Set(devices.map((device) => device.devicePath));
  const mountPaths = new Set<string>();
  mounts.forEach((mount, index) => {
    const mountPath = path.index(index);
    if (!mount.name) errors.push(required(mountPath.child('name').text));
    const volume = volumes.get(mount.name);
    if (!volume) errors.push(notFound(mountPath.child('name').text, mount.name));
    if (!mount.mountPath) errors.push(required(mountPath.child('mountPath').text));
    if (mountPaths.has(mount.mountPath)) errors.push(invalid(mountPath.child('mountPath').text, mount.mountPath, 'must be unique'));
    mountPaths.add(mount.mountPath);
    if (deviceNames.has(mount.name)) errors.push(invalid(mountPath.child('name').text, mount.name, 'must not already exist in volumeDevices'));
    if (devicePaths.has(mount.mountPath)) errors.push(invalid(mountPath.child('mountPath').text, mount.mountPath, 'must not already exist as a path in volumeDevices'));
    if (volume?.image) {
      if (mount.subPath) errors.push(invalid(mountPath.child('subPath').text, mount.subPath, 'not allowed in image volume sources'));
      if (mount.subPathExpr) errors.push(invalid(mountPath.child('subPathExpr').text, mount.subPathExpr, 'not allowed in image volume sources'));
    }
    if (mount.subPath) errors.push(...validateLocalDescendingPath(mount.subPath, mountPath.child('subPath')));
    if (mount.subPathExpr) {
      if (mount.subPath) errors.push(invalid(mountPath.child('subPathExpr').text, mount.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errors.push(...validateLocalDescendingPath(mount.subPathExpr, mountPath.child('subPathExpr')));
    }
    errors.push(...validateMountPropagation(mount, privileged, mountPath.child('mountPropagation')));
    errors.push(...validateRecursiveReadOnly(mount, mountPath.child('recursiveReadOnly')));
  });
  return errors;
}

function validateMountPropagation(mount: VolumeMount, privileged: boolean, path: FieldPath): FieldError[] {
  const propagation = mount.mountPropagation as string | undefined;
  if (propagation === undefined) return [];
  if (!MOUNT_PROPAGATIONS.includes(propagation)) return [notSupported(path.text, propagation, MOUNT_PROPAGATIONS)];
  if (propagation === 'Bidirectional' && !privileged) return [forbidden(path.text, 'Bidirectional mount propagation is available only to privileged containers')];
  return [];
}

function validateRecursiveReadOnly(mount: VolumeMount, path: FieldPath): FieldError[] {
  const mode = mount.recursiveReadOnly as string | undefined;
  if (mode === undefined || mode === 'Disabled') return [];
  if (!RECURSIVE_READ_ONLY_MODES.includes(mode)) return [notSupported(path.text, mode, RECURSIVE_READ_ONLY_MODES)];
  const errors: FieldError[] = [];
  if (!mount.readOnly) errors.push(forbidden(path.text, 'may only be specified when readOnly is true'));
  if (mount.mountPropagation !== undefined && mount.mountPropagation !== 'None') {
    errors.push(forbidden(path.text, 'may only be specified when mountPropagation is None or not specified'));
  }
  return errors;
}

export function validateVolumeDevices(
  devices: readonly VolumeDevice[],
  mounts: readonly VolumeMount[],
  volumes: ReadonlyMap<string, Volume>,
  path: FieldPath,
): FieldError[] {
  const errors: FieldError[] = [];
  const mountNames = new Set(mounts.map((mount) => mount.name));
  const mountPaths = new Set(mounts.map((mount) => mount.mountPath));
  const names = new Set<string>();
  const devicePaths = new Set<string>();
  devices.forEach((device, index) => {
    const devicePath = path.index(index);
    const volume = volumes.get(device.name);
    if (!device.name) errors.push(required(devicePath.child('name').text));
    if (names.has(device.name)) errors.push(invalid(devicePath.child('name').text, device.name, 'must be unique'));
    if (!volume) errors.push(notFound(devicePath.child('name').text, device.name));
    else if (!volume.persistentVolumeClaim && !volume.ephemeral) {
      errors.push(invalid(devicePath.child('name').text, device.name, 'can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode'));
    }
    if (!device.devicePath) errors.push(required(devicePath.child('devicePath').text));
    if (devicePaths.has(device.devicePath)) errors.push(invalid(devicePath.child('devicePath').text, device.devicePath, 'must be unique'));
    if (device.devicePath && validatePathNoBacksteps(device.devicePath, devicePath).length > 0) {
      errors.push(invalid(devicePath.child('devicePath').text, device.devicePath, "can not contain backsteps ('..')"));
    } else {
      devicePaths.add(device.devicePath);
    }
    if (mountNames.has(device.name)) errors.push(invalid(devicePath.child('name').text, device.name, 'must not already exist in volumeMounts'));
    if (mountPaths.has(device.devicePath)) errors.push(invalid(devicePath.child('devicePath').text, device.devicePath, 'must not already exist as a path in volumeMounts'));
    if (device.name) names.add(device.name);
  });
  return errors;
}
