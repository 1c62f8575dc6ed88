// What `inject` and `explain -f` read instead of a cluster: the objects, the SidecarSets (from
// --sidecarsets and from the objects themselves, as `kubectl apply` of the same files would create
// them), ControllerRevisions, namespace labels and the Pod webhook's registration.
import type { ControllerRevision } from '../api/core.ts';
import { parseApiVersion } from '../api/conversion.ts';
import { KIND, type SidecarSet } from '../api/sidecarset.ts';
import type { PodWebhookRegistration } from '../injection/explain-injection.ts';
import { DEFAULT_NAMESPACE, type PodNamespace } from '../matching.ts';
import { defaultPodWebhookSelectors, NAMESPACE_NAME_LABEL } from '../pod-webhook-scope.ts';
import type { CommandValues } from './command.ts';
import { InputError, readObjectsOfKind, readPaths, requireObjects, type KubeObject } from './input.ts';
import { defaultedModel, readSidecarSets } from './sidecarset-input.ts';

/** The operator namespace `serve` defaults to, excluded from injection like kube-system. */
export const DEFAULT_OPERATOR_NAMESPACE = 'sidecarset-system';

export const OFFLINE_OPTIONS = {
  filename: { type: 'string', short: 'f', multiple: true },
  sidecarsets: { type: 'string', multiple: true },
  revisions: { type: 'string', multiple: true },
  namespace: { type: 'string' },
  'namespace-labels': { type: 'string' },
  'operator-namespace': { type: 'string' },
  'ignore-exclusions': { type: 'boolean' },
} as const;

export const OFFLINE_FLAGS = `  -f, --filename PATH         YAML or JSON files, several documents allowed, or directories of them (repeatable; '-' for stdin)
      --sidecarsets FILE      more SidecarSets (repeatable); the input's own SidecarSets apply too. All are defaulted first,
                              as the API server would store them
      --revisions FILE        ControllerRevisions, for SidecarSets that pin one (repeatable)
      --namespace NAME        namespace of the objects that name none (default "default")
      --namespace-labels L    labels of the objects' namespace (of NAME with --namespace), for namespaceSelectors, as
                              k=v,k2=v2; ${NAMESPACE_NAME_LABEL} is always set (other namespaces are known by it only)
      --operator-namespace NS the operator's namespace, which the Pod webhook never sees (default "${DEFAULT_OPERATOR_NAMESPACE}")
      --ignore-exclusions     also inject into kube-system, the operator namespace and Pods labelled
                              sidecarset.kruise.io/inject=false, which the Pod webhook's registration excludes`;

export interface OfflineInputs {
  paths: string[];
  objects: KubeObject[];
  sidecarSets: SidecarSet[];
  revisions: ControllerRevision[];
  defaultNamespace: string;
  namespaceOf: (name: string) => PodNamespace;
  webhook: PodWebhookRegistration;
}

export async function readOfflineInputs(command: string, values: CommandValues): Promise<OfflineInputs> {
  const paths = (values.filename as string[] | undefined) ?? [];
  if (paths.length === 0) throw new InputError(`${command}: -f PATH is required`);
  const objects = await readPaths(paths);
  requireObjects(objects, paths);
  const given = await readSidecarSets((values.sidecarsets as string[] | undefined) ?? []);
  const included = objects.filter((object) => object.kind === KIND && parseApiVersion(object.apiVersion) !== undefined);
  const sidecarSets = [...given, ...included].map(defaultedModel);
  if (sidecarSets.length === 0) throw new InputError(`${command}: no SidecarSets: pass --sidecarsets FILE, or include them in the input`);
  const revisions = (await readObjectsOfKind((values.revisions as string[] | undefined) ?? [], 'ControllerRevision')) as unknown as ControllerRevision[];

  const only = values.namespace as string | undefined;
  const labels = parseLabels(values['namespace-labels'] as string | undefined);
  const operatorNamespace = (values['operator-namespace'] as string | undefined) || DEFAULT_OPERATOR_NAMESPACE;
  return {
    paths,
    objects,
    sidecarSets,
    revisions,
    defaultNamespace: only || DEFAULT_NAMESPACE,
    // Without --namespace the labels are those of every object's own namespace.
    namespaceOf: (name) => ({ name, labels: { ...(only === undefined || name === only ? labels : {}), [NAMESPACE_NAME_LABEL]: name } }),
    webhook: values['ignore-exclusions'] ? 'ignored' : { selectors: defaultPodWebhookSelectors(operatorNamespace) },
  };
}

function parseLabels(text: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const item of (text ?? '').split(',')) {
    if (item.trim() === '') continue;
    const equals = item.indexOf('=');
    const key = (equals < 0 ? item : item.slice(0, equals)).trim();
    if (equals < 0 || key === '') throw new InputError(`--namespace-labels: expected key=value, found ${JSON.stringify(item)}`);
    labels[key] = item.slice(equals + 1).trim();
  }
  return labels;
}
