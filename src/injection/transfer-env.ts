// transferEnv (docs/behaviour/injection.md step 10d, docs/behaviour/api.md): copies whole env vars (valueFrom included) from a Pod
// container into the sidecar. The source is `sourceContainerName`, or the value of the Pod label or
// annotation that `sourceContainerNameFrom.fieldRef` names. Whatever is missing is skipped, as in Kruise,
// with a warning.
import type { EnvVar } from '../api/core.ts';
import type { TransferEnvVar } from '../api/sidecarset.ts';
import { sortedGoStrings } from '../go-order.ts';
import type { Labels } from '../label-selector.ts';
import { splitSubscriptedPath } from '../validation/field-ref.ts';
import { isQualifiedName } from '../validation/names.ts';
import type { PodSources } from './pod-sources.ts';

/**
 * The env vars to transfer, in transferEnv order, the names of one entry sorted. `warn` gets
 * `.transferEnv[i]: ...`; `refuseSecret`, when given, gets the same for an env var read from a Secret.
 */
export function transferredEnvs(entries: readonly TransferEnvVar[], sources: PodSources, warn: (message: string) => void, refuseSecret?: (message: string) => never): EnvVar[] {
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
      if (env?.valueFrom?.secretKeyRef && refuseSecret) {
        refuseSecret(`.transferEnv[${index}]: Forbidden: security policy rule "secretTransferEnv": env ${JSON.stringify(name)} of container ${JSON.stringify(sourceName)} comes from Secret ${JSON.stringify(env.valueFrom.secretKeyRef.name ?? '')}`);
      }
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
  const [path, key] = subscripted;
  if (path === 'metadata.annotations') {
    if (isQualifiedName(key.toLowerCase()).length > 0) return { error: `invalid key subscript in ${fieldPath}` };
    return { name: Object.hasOwn(annotations, key) ? annotations[key] : '' };
  }
  if (path === 'metadata.labels') {
    if (isQualifiedName(key).length > 0) return { error: `invalid key subscript in ${fieldPath}` };
    return { name: Object.hasOwn(labels, key) ? labels[key] : '' };
  }
  return { error: `fieldPath ${JSON.stringify(fieldPath)} does not support subscript` };
}
