// The body of an HTTP error reply (malformed review, unknown path, body too large, ...): a
// metav1.Status, so whoever reads it, the apiserver's log included, sees a Kubernetes-shaped error.
import { STATUS_CODES } from 'node:http';

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  408: 'Timeout',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
};

export interface StatusBody {
  apiVersion: 'v1';
  kind: 'Status';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  code: number;
}

export function statusBody(code: number, message: string): StatusBody {
  const reason = REASONS[code] ?? (code >= 500 ? 'InternalError' : (STATUS_CODES[code] ?? 'Unknown').replace(/\s+/g, ''));
  return { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message, reason, code };
}
