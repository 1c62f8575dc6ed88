// Kubernetes' checks on probes and lifecycle hooks: exactly one handler, sane numbers, valid ports.
import type { Lifecycle, LifecycleHandler as Handler, Probe } from '../api/core.ts';
import { type FieldError, type FieldPath, invalid, notSupported, required } from '../field-error.ts';
import { isValidPortName, isValidPortNum } from './names.ts';
import { validateExactlyOne } from './exactly-one.ts';

type PortNumberOrName = number | string;

export type ProbeKind = 'livenessProbe' | 'readinessProbe' | 'startupProbe';

type HandlerType = 'exec' | 'httpGet' | 'tcpSocket' | 'grpc' | 'sleep';

const PROBE_HANDLER_TYPES: readonly HandlerType[] = ['exec', 'httpGet', 'tcpSocket', 'grpc'];
const LIFECYCLE_HANDLER_TYPES: readonly HandlerType[] = ['exec', 'httpGet', 'tcpSocket', 'sleep'];
const PROBE_COUNTERS = ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const;

export function validateProbe(probe: Probe, kind: ProbeKind, path: FieldPath): FieldError[] {
  const errors = validateHandler(probe, PROBE_HANDLER_TYPES, path);
  for (const counter of PROBE_COUNTERS) {
    const value = probe[counter] ?? 0;
    if (value < 0) errors.push(invalid(path.child(counter).text, value, 'must be greater than or equal to 0'));
  }
  const gracePeriod = probe.terminationGracePeriodSeconds;
  if (gracePeriod !== undefined && gracePeriod <= 0) errors.push(invalid(path.child('terminationGracePeriodSeconds').text, gracePeriod, 'must be greater than 0'));
  if (kind === 'readinessProbe') {
    if (gracePeriod !== undefined) errors.push(invalid(path.child('terminationGracePeriodSeconds').text, gracePeriod, 'must not be set for readinessProbes'));
  } else if ((probe.successThreshold ?? 0) !== 1) {
    // Only readiness may need several successes; the defaulting sets 1 for the others.
    errors.push(invalid(path.child('successThreshold').text, probe.successThreshold ?? 0, 'must be 1'));
  }
  return errors;
}

export function validateLifecycle(lifecycle: Lifecycle, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  for (const hook of ['postStart', 'preStop'] as const) {
    const handler = lifecycle[hook];
    if (handler) errors.push(...validateHandler(handler, LIFECYCLE_HANDLER_TYPES, path.child(hook)));
  }
  return errors;
}

function validateHandler(handler: Handler, allowed: readonly HandlerType[], path: FieldPath): FieldError[] {
  return validateExactlyOne(allowed, (type) => Boolean(handler[type]), path, 'handler type', (type, typePath) => validateAction(handler, type, typePath));
}

function validateAction(handler: Handler, type: HandlerType, path: FieldPath): FieldError[] {
  switch (type) {
    case 'exec':
      return (handler.exec?.command ?? []).length === 0 ? [required(path.child('command').text)] : [];
    case 'httpGet': {
      const action = handler.httpGet!;
      const errors: FieldError[] = [];
      if (!action.path) errors.push(required(path.child('path').text));
      errors.push(...validatePortNumberOrName(action.port, path.child('port')));
      if (action.scheme !== 'HTTP' && action.scheme !== 'HTTPS') errors.push(notSupported(path.child('scheme').text, action.scheme ?? '', ['HTTP', 'HTTPS']));
      return errors;
    }
    case 'tcpSocket':
      return validatePortNumberOrName(handler.tcpSocket!.port, path.child('port'));
    case 'grpc':
      return validatePortNumberOrName(handler.grpc!.port, path.child('port'));
    case 'sleep': {
      // The grace period of the Pods we inject into is unknown here; only the sign can be checked.
      const seconds = handler.sleep!.seconds;
      return seconds < 0 ? [invalid(path.text, seconds, 'must be non-negative')] : [];
    }
  }
}

function validatePortNumberOrName(port: PortNumberOrName, path: FieldPath): FieldError[] {
  const messages = typeof port === 'number' ? isValidPortNum(port) : isValidPortName(port);
  return messages.map((message) => invalid(path.text, port, message));
}
