// AdmissionReview request bodies shaped like the ones kube-apiserver sends, for the webhook tests,
// the fuzzer and the benchmarks.
import { randomUUID } from 'node:crypto';

export interface RequestFields {
  uid?: string;
  operation?: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  kind?: { group: string; version: string; kind: string };
  resource?: { group: string; version: string; resource: string };
  subResource?: string;
  name?: string;
  namespace?: string;
  object?: unknown;
  oldObject?: unknown;
  dryRun?: boolean;
}

export const SIDECARSET_GVK = { group: 'apps.kruise.io', version: 'v1alpha1', kind: 'SidecarSet' };
export const SIDECARSET_GVR = { group: 'apps.kruise.io', version: 'v1alpha1', resource: 'sidecarsets' };
export const POD_GVK = { group: '', version: 'v1', kind: 'Pod' };
export const POD_GVR = { group: '', version: 'v1', resource: 'pods' };

export function review(fields: RequestFields): Record<string, any> {
  const operation = fields.operation ?? 'CREATE';
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: fields.uid ?? randomUUID(),
      kind: fields.kind,
      resource: fields.resource,
      ...(fields.subResource ? { subResource: fields.subResource } : {}),
      requestKind: fields.kind,
      requestResource: fields.resource,
      name: fields.name,
      namespace: fields.namespace,
      operation,
      userInfo: { username: 'admin', groups: ['system:masters', 'system:authenticated'] },
      object: fields.object ?? null,
      oldObject: fields.oldObject ?? null,
      dryRun: fields.dryRun ?? false,
      options: operation === 'CREATE' ? { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' } : { apiVersion: 'meta.k8s.io/v1', kind: 'UpdateOptions' },
    },
  };
}

/** A review of a SidecarSet, in the version its apiVersion names (v1alpha1 when it names none). */
export function sidecarSetReview(object: any, fields: RequestFields = {}): Record<string, any> {
  const version = typeof object?.apiVersion === 'string' && object.apiVersion.startsWith('apps.kruise.io/') ? object.apiVersion.slice('apps.kruise.io/'.length) : SIDECARSET_GVK.version;
  return review({ kind: { ...SIDECARSET_GVK, version }, resource: { ...SIDECARSET_GVR, version }, name: object?.metadata?.name, ...fields, object });
}

export function podReview(object: any, namespace: string, fields: RequestFields = {}): Record<string, any> {
  return review({ kind: POD_GVK, resource: POD_GVR, namespace, name: object?.metadata?.name, ...fields, object });
}

export function sidecarSet(name: string, spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): Record<string, any> {
  return {
    apiVersion: 'apps.kruise.io/v1alpha1',
    kind: 'SidecarSet',
    metadata: { name, ...metadata },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      containers: [{ name: `${name}-sidecar`, image: 'busybox:1.36', command: ['sleep', 'infinity'] }],
      ...spec,
    },
  };
}

export function pod(name: string | undefined, labels: Record<string, string> = { app: 'web' }, spec: Record<string, unknown> = {}): Record<string, any> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...(name ? { name } : { generateName: 'web-' }), labels },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27' }], ...spec },
  };
}
