// transferEnv (spec Part B §4 step 10d, §10.15): copies whole env vars (valueFrom included) from a Pod
// container into the sidecar. The source is `sourceContainerName`, or the value of the Pod label or
// annotation that `sourceContainerNameFrom.fieldRef` names. Whatever is missing is skipped, as in Kruise,
// with a warning.
import type { EnvVar } from '../api/core.ts';
import type { TransferEnvVar } from '../api/sidecarset.ts';
import { sortedGoStrings } from '../go-order.ts';
import type { Labels } from '../label-selector.ts';
import type { PodSources } from './pod-sources.ts';

/** The env vars to transfer, in transferEnv order, the names of one entry sorted. `warn` gets `.transferEnv[i]: ...`. */
export function transferredEnvs(entries: readonly TransferEnvVar[], sources: PodSources, warn: (message: string) => void): EnvVar[] {
  const transferred: EnvVar[] = [];
  entries.forEach((entry, index) => {
    const names = new Set(entry.envNames ?? []);
    if (entry.envName) names.add(entry.envName);
    let sourceName = entry.sourceContainerName ?? '';
    const fieldRef = entry.sourceContainerNameFrom?.fieldRef;
    if (fieldRef) {
      const resolved = containerNameFromFieldPath(fieldRef.fieldPath ?? '', sources.labels, sources.annotations);
      if (resolved.error !== undefined) {
        warn(`.transferEnv[${index}]: ${resolved.error}`);
        return;
      }
      sourceName = resolved.name;
    }
    for (const name of sortedGoStrings(names)) {
      const env = sources.env(sourceName, name);
      if (env) transferred.push(env);
      else warn(`.transferEnv[${index}]: no env ${JSON.stringify(name)} in container ${JSON.stringify(sourceName)}`);
    }
  });
  return transferred;
}

type Resolved = { name: string; error?: undefined } | { error: string };

/** Reads `metadata.labels['k']` or `metadata.annotations['k']` (the only forms supported) from the Pod. */
function containerNameFromFieldPath(fieldPath: string, labels: Labels, annotations: Labels): Resolved {
  const subscripted = splitSubscriptedPath(fieldPath);
  if (!subscripted) return { error: `unsupported fieldPath: ${fieldPath}` };
  const { path, key } = subscripted;
  if (path === 'metadata.annotations') {
    if (!isQualifiedName(key.toLowerCase())) return { error: `invalid key subscript in ${fieldPath}` };
    return { name: Object.hasOwn(annotations, key) ? annotations[key] : '' };
  }
  if (path === 'metadata.labels') {
    if (!isQualifiedName(key)) return { error: `invalid key subscript in ${fieldPath}` };
    return { name: Object.hasOwn(labels, key) ? labels[key] : '' };
  }
  return { error: `fieldPath ${JSON.stringify(fieldPath)} does not support subscript` };
}

/** Kubernetes' SplitMaybeSubscriptedPath: `path['key']`. */
function splitSubscriptedPath(fieldPath: string): { path: string; key: string } | undefined {
  if (!fieldPath.endsWith("']")) return undefined;
  const inner = fieldPath.slice(0, -2);
  const open = inner.indexOf("['");
  if (open <= 0) return undefined;
  return { path: inner.slice(0, open), key: inner.slice(open + 2) };
}

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Kubernetes' IsQualifiedName: `[prefix/]name`, name at most 63 characters, prefix a DNS subdomain. */
function isQualifiedName(value: string): boolean {
  const parts = value.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  if (parts.length === 2 && (parts[0].length === 0 || parts[0].length > 253 || !DNS1123_SUBDOMAIN.test(parts[0]))) return false;
  return name.length > 0 && name.length <= 63 && QUALIFIED_NAME.test(name);
}
