// How a CertificateSet is laid out in the Secret: cert-manager's keys (ca.crt, ca.key, tls.crt,
// tls.key) plus the rotation-only keys, a step-time annotation and a managed-by label.
import type { Secret } from '../src/api/core.ts';
import type { CertificateSet } from './certificate-set.ts';

export const SECRET_KEYS = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  cert: 'tls.crt',
  key: 'tls.key',
  nextCaCert: 'next-ca.crt',
  nextCaKey: 'next-ca.key',
  previousCaCert: 'previous-ca.crt',
} as const;

export type SecretField = keyof typeof SECRET_KEYS;

export const STEP_AT_ANNOTATION = 'sidecarset.kruise.io/ca-rotation-step-at';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'sidecarset';

/** The Secret's contents as text, by field, plus any keys that are not ours. */
export interface DecodedSecret {
  fields: Partial<Record<SecretField, string>>;
  unexpectedKeys: string[];
  /** Raw annotation value; interpreted by inspection. */
  stepAt?: string;
}

const FIELD_BY_KEY = new Map<string, SecretField>(
  Object.entries(SECRET_KEYS).map(([field, key]) => [key, field as SecretField]),
);

export function decodeSecret(secret: Secret): DecodedSecret {
  const fields: DecodedSecret['fields'] = {};
  const unexpectedKeys: string[] = [];
  for (const [key, value] of Object.entries(secret.data ?? {})) {
    const field = FIELD_BY_KEY.get(key);
    if (field === undefined) unexpectedKeys.push(key);
    else fields[field] = Buffer.from(value, 'base64').toString('utf8');
  }
  return { fields, unexpectedKeys: unexpectedKeys.sort(), stepAt: secret.metadata?.annotations?.[STEP_AT_ANNOTATION] };
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/**
 * The Secret to write for `set`, keeping what others put in `existing` (labels, annotations,
 * owner references) and its resourceVersion for optimistic concurrency. The type stays Opaque if it
 * was (types are immutable); anything else becomes kubernetes.io/tls, cert-manager's choice.
 */
export function renderSecret(set: CertificateSet, name: string, namespace: string, existing?: Secret): Secret {
  const data: Record<string, string> = {
    [SECRET_KEYS.caCert]: b64(set.ca.cert),
    [SECRET_KEYS.caKey]: b64(set.ca.key),
    [SECRET_KEYS.cert]: b64(set.serving.cert),
    [SECRET_KEYS.key]: b64(set.serving.key),
  };
  if (set.next) {
    data[SECRET_KEYS.nextCaCert] = b64(set.next.cert);
    data[SECRET_KEYS.nextCaKey] = b64(set.next.key);
  }
  if (set.previous) data[SECRET_KEYS.previousCaCert] = b64(set.previous);

  const { [STEP_AT_ANNOTATION]: _stale, ...otherAnnotations } = existing?.metadata?.annotations ?? {};
  const annotations = set.stepAt === undefined
    ? otherAnnotations
    : { ...otherAnnotations, [STEP_AT_ANNOTATION]: new Date(set.stepAt).toISOString() };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: existing?.type === 'Opaque' ? 'Opaque' : 'kubernetes.io/tls',
    metadata: {
      name,
      namespace,
      resourceVersion: existing?.metadata?.resourceVersion,
      uid: existing?.metadata?.uid,
      ownerReferences: existing?.metadata?.ownerReferences,
      labels: { ...existing?.metadata?.labels, [MANAGED_BY_LABEL]: MANAGED_BY },
      annotations,
    },
    data,
  };
}
