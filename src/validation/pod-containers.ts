// Kubernetes' container checks for a SidecarSet's initContainers and containers (docs/behaviour/validation.md rule 23).
// Kruise runs them by building a fake Pod from the sidecars and the SidecarSet's volumes; the field
// paths of that Pod (`spec.containers[i]`, `spec.initContainers[i]`) coincide with the SidecarSet's.
import type { Container, ContainerPort, Volume } from '../api/core.ts';
import { duplicate, type FieldError, type FieldPath, forbidden, invalid, notSupported, required } from '../field-error.ts';
import { type EnvFromSource, validateEnv, validateEnvFrom } from './container-env.ts';
import { type ProbeKind, validateLifecycle, validateProbe } from './container-probes.ts';
import { validateResources } from './container-resources.ts';
import { validateSecurityContext } from './container-security-context.ts';
import { validateVolumeDevices, validateVolumeMounts } from './container-volume-mounts.ts';
import { isDns1123Label, isValidPortName, isValidPortNum } from './names.ts';

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PROBE_KINDS: readonly ProbeKind[] = ['livenessProbe', 'readinessProbe', 'startupProbe'];

/** Kubernetes order: regular containers first, then init containers, whose names must not clash with either. */
export function validatePodContainers(
  initContainers: readonly Container[],
  containers: readonly Container[],
  volumes: ReadonlyMap<string, Volume>,
  initPath: FieldPath,
  containersPath: FieldPath,
): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  const hostPorts = new Set<string>();
  containers.forEach((container, index) => {
    const path = containersPath.index(index);
    errors.push(...validateContainerCommon(container, volumes, path));
    if (names.has(container.name)) errors.push(duplicate(path.child('name').text, container.name));
    names.add(container.name);
    errors.push(...validateHandlers(container, path));
    if (container.restartPolicy !== undefined) errors.push(forbidden(path.child('restartPolicy').text, 'may not be set for non-init containers'));
    errors.push(...validateHostPorts(container, hostPorts, path));
  });
  initContainers.forEach((container, index) => {
    const path = initPath.index(index);
    errors.push(...validateContainerCommon(container, volumes, path));
    if (container.restartPolicy !== undefined && container.restartPolicy !== 'Always') {
      errors.push(notSupported(path.child('restartPolicy').text, container.restartPolicy, ['Always']));
    }
    if (names.has(container.name)) errors.push(duplicate(path.child('name').text, container.name));
    else if (container.name) names.add(container.name);
    // Init containers run one at a time, so their host ports only need to be unique within each.
    errors.push(...validateHostPorts(container, new Set(), path));
    if (container.restartPolicy === 'Always') {
      errors.push(...validateHandlers(container, path));
    } else {
      for (const field of ['lifecycle', ...PROBE_KINDS] as const) {
        if (container[field]) errors.push(forbidden(path.child(field).text, 'may not be set for init containers without restartPolicy=Always'));
      }
    }
  });
  return errors;
}

function validateContainerCommon(container: Container, volumes: ReadonlyMap<string, Volume>, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const namePath = path.child('name');
  if (!container.name) errors.push(required(namePath.text));
  else for (const message of isDns1123Label(container.name)) errors.push(invalid(namePath.text, container.name, message));
  if (!container.image) errors.push(required(path.child('image').text));
  errors.push(...validateEnumField(container.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES, path.child('terminationMessagePolicy')));
  errors.push(...validatePorts(container.ports ?? [], path.child('ports')));
  errors.push(...validateEnv(container.env ?? [], path.child('env')));
  errors.push(...validateEnvFrom((container.envFrom as EnvFromSource[] | undefined) ?? [], path.child('envFrom')));
  const mounts = container.volumeMounts ?? [];
  const devices = container.volumeDevices ?? [];
  const privileged = (container.securityContext as { privileged?: boolean } | undefined)?.privileged === true;
  errors.push(...validateVolumeMounts(mounts, devices, volumes, privileged, path.child('volumeMounts')));
  errors.push(...validateVolumeDevices(devices, mounts, volumes, path.child('volumeDevices')));
  errors.push(...validateEnumField(container.imagePullPolicy, PULL_POLICIES, path.child('imagePullPolicy')));
  if (container.resources) errors.push(...validateResources(container.resources, path.child('resources')));
  errors.push(...validateSecurityContext(container.securityContext as Parameters<typeof validateSecurityContext>[0], path.child('securityContext')));
  return errors;
}

/** A field the defaulting always fills: empty is Required, anything unknown Unsupported. */
function validateEnumField(value: string | undefined, supported: readonly string[], path: FieldPath): FieldError[] {
  if (!value) return [required(path.text)];
  return supported.includes(value) ? [] : [notSupported(path.text, value, supported)];
}

function validateHandlers(container: Container, path: FieldPath): FieldError[] {
  const errors = container.lifecycle ? validateLifecycle(container.lifecycle, path.child('lifecycle')) : [];
  for (const kind of PROBE_KINDS) {
    const probe = container[kind];
    if (probe) errors.push(...validateProbe(probe, kind, path.child(kind)));
  }
  return errors;
}

function validatePorts(ports: readonly ContainerPort[], path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((port, index) => {
    const portPath = path.index(index);
    const name = port.name as string | undefined;
    if (name) {
      const messages = isValidPortName(name);
      if (messages.length > 0) for (const message of messages) errors.push(invalid(portPath.child('name').text, name, message));
      else if (names.has(name)) errors.push(duplicate(portPath.child('name').text, name));
      else names.add(name);
    }
    if (!port.containerPort) errors.push(required(portPath.child('containerPort').text));
    else for (const message of isValidPortNum(port.containerPort)) errors.push(invalid(portPath.child('containerPort').text, port.containerPort, message));
    const hostPort = port.hostPort as number | undefined;
    if (hostPort) for (const message of isValidPortNum(hostPort)) errors.push(invalid(portPath.child('hostPort').text, hostPort, message));
    errors.push(...validateEnumField(port.protocol, PORT_PROTOCOLS, portPath.child('protocol')));
  });
  return errors;
}

/** Records each `protocol/hostIP/hostPort` in `seen`; a second use is a Duplicate. */
function validateHostPorts(container: Container, seen: Set<string>, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  (container.ports ?? []).forEach((port, index) => {
    const hostPort = port.hostPort as number | undefined;
    if (!hostPort) return;
    const key = `${port.protocol ?? ''}/${(port.hostIP as string | undefined) ?? ''}/${hostPort}`;
    if (seen.has(key)) errors.push(duplicate(path.child('ports').index(index).child('hostPort').text, key));
    seen.add(key);
  });
  return errors;
}
