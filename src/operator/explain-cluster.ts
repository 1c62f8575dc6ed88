// `sidecarset explain TYPE/NAME`: the cluster's side of explain. Reads what the webhook would read
// (SidecarSets, ControllerRevisions, the namespace's labels) and what the apiserver applies before
// calling it (the registered Pod webhook's selectors), then asks the same explainInjection as offline.
import type { KubeConfig } from '@kubernetes/client-node';
import type { ControllerRevision, Namespace, Pod } from '../api/core.ts';
import { ANNOTATION_SIDECARSET_HASH, API_VERSION, GROUP, LABEL_SIDECARSET_NAME, PLURAL, type SidecarSet } from '../api/sidecarset.ts';
import type { CommandValues } from '../cli/command.ts';
import { renderExplanations, upgradeText, type ExplainedObject } from '../cli/explain-text.ts';
import { InputError, type KubeObject } from '../cli/input.ts';
import { DEFAULT_OPERATOR_NAMESPACE } from '../cli/offline-inputs.ts';
import { podOf } from '../cli/workloads.ts';
import { explainInjection, type PodWebhookRegistration } from '../injection/explain-injection.ts';
import { DEFAULT_NAMESPACE, isActivePod } from '../matching.ts';
import { CRD_MISSING } from '../kube/caches.ts';
import { loadKubeConfig } from '../kube/kube-config.ts';
import { requestJson, statusCodeOf } from '../kube/kube-http.ts';
import { listAll, listItems } from '../kube/list-pages.ts';
import { DEFAULT_SETTINGS } from './operator.ts';

/** The Pod webhook's name in the configuration, as Kruise and the Helm chart register it. */
const POD_WEBHOOK = 'mpod.kb.io';

/** Where each workload kind is served, by the lower-case name `kubectl` takes. */
const WORKLOAD_RESOURCES: Record<string, { kind: string; path: string }> = {
  pod: { kind: 'Pod', path: '/api/v1/namespaces/{ns}/pods' },
  deployment: { kind: 'Deployment', path: '/apis/apps/v1/namespaces/{ns}/deployments' },
  statefulset: { kind: 'StatefulSet', path: '/apis/apps/v1/namespaces/{ns}/statefulsets' },
  daemonset: { kind: 'DaemonSet', path: '/apis/apps/v1/namespaces/{ns}/daemonsets' },
  replicaset: { kind: 'ReplicaSet', path: '/apis/apps/v1/namespaces/{ns}/replicasets' },
  job: { kind: 'Job', path: '/apis/batch/v1/namespaces/{ns}/jobs' },
  cronjob: { kind: 'CronJob', path: '/apis/batch/v1/namespaces/{ns}/cronjobs' },
};

interface ClusterView {
  kubeConfig: KubeConfig;
  sidecarSets: SidecarSet[];
  revisions: ControllerRevision[];
  webhook: PodWebhookRegistration;
}

export async function explainInCluster(target: string, values: CommandValues, format: 'text' | 'json'): Promise<string> {
  const slash = target.indexOf('/');
  const type = target.slice(0, slash).toLowerCase();
  const name = target.slice(slash + 1);
  if (slash < 0 || name === '' || (type !== 'sidecarset' && !WORKLOAD_RESOURCES[type])) {
    throw new InputError(`explain: expected TYPE/NAME with TYPE one of ${[...Object.keys(WORKLOAD_RESOURCES), 'sidecarset'].join(', ')}, got ${JSON.stringify(target)}`);
  }
  let kubeConfig: KubeConfig;
  try {
    kubeConfig = loadKubeConfig(values.kubeconfig as string | undefined);
  } catch (error) {
    throw new InputError(`--kubeconfig: ${(error as Error).message}`);
  }
  const view = await readClusterView(kubeConfig, (values['webhook-configuration'] as string | undefined) ?? DEFAULT_SETTINGS.mutatingWebhookConfiguration);
  if (type === 'sidecarset') return explainSidecarSet(view, name, format);

  const namespace = (values.namespace as string | undefined) || DEFAULT_NAMESPACE;
  const { kind, path } = WORKLOAD_RESOURCES[type];
  const object = await requestJson<KubeObject>(kubeConfig, { path: `${path.replace('{ns}', encodeURIComponent(namespace))}/${encodeURIComponent(name)}` });
  const what = `${kind}/${name}`;
  const { pod } = podOf({ ...object, kind }, what)!;
  const labels = (await requestJson<Namespace>(kubeConfig, { path: `/api/v1/namespaces/${encodeURIComponent(namespace)}` })).metadata.labels ?? {};
  const explanation = explainInjection({
    pod: kind === 'Pod' ? pod : { ...pod, metadata: { ...pod.metadata, namespace } },
    namespace: { name: namespace, labels },
    sidecarSets: view.sidecarSets,
    revisions: view.revisions,
    webhook: view.webhook,
    existing: kind === 'Pod',
    now: new Date(),
    random: Math.random,
  });
  return renderExplanations([{ object: what, ...explanation }], format);
}

async function readClusterView(kubeConfig: KubeConfig, configuration: string): Promise<ClusterView> {
  let sidecarSets: SidecarSet[];
  try {
    sidecarSets = await listAll<SidecarSet>(kubeConfig, `/apis/${API_VERSION}/${PLURAL}`);
  } catch (error) {
    if (statusCodeOf(error) === 404) throw new Error(CRD_MISSING);
    throw error;
  }
  const { webhook, operatorNamespace } = await readRegistration(kubeConfig, configuration);
  const revisions = await listAll<ControllerRevision>(kubeConfig, `/apis/apps/v1/namespaces/${encodeURIComponent(operatorNamespace)}/controllerrevisions`, {
    labelSelector: LABEL_SIDECARSET_NAME,
  });
  return { kubeConfig, sidecarSets, revisions, webhook };
}

/** The Pod webhook as registered, and the operator's namespace its Service lives in. */
async function readRegistration(kubeConfig: KubeConfig, configuration: string): Promise<{ webhook: PodWebhookRegistration; operatorNamespace: string }> {
  let registered: { webhooks?: { name: string; namespaceSelector?: any; objectSelector?: any; clientConfig?: { service?: { namespace?: string } } }[] };
  try {
    registered = await requestJson(kubeConfig, { path: `/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/${encodeURIComponent(configuration)}` });
  } catch (error) {
    if (statusCodeOf(error) !== 404) throw error;
    return {
      webhook: { missing: `MutatingWebhookConfiguration ${configuration} is not registered: the apiserver sends no Pod to the webhook (install the Helm chart, or pass --webhook-configuration NAME)` },
      operatorNamespace: DEFAULT_OPERATOR_NAMESPACE,
    };
  }
  const pods = registered.webhooks?.find((webhook) => webhook.name === POD_WEBHOOK);
  if (!pods) return { webhook: { missing: `MutatingWebhookConfiguration ${configuration} has no ${POD_WEBHOOK} webhook: the apiserver sends no Pod to the operator` }, operatorNamespace: DEFAULT_OPERATOR_NAMESPACE };
  return {
    webhook: { selectors: { namespaceSelector: pods.namespaceSelector, objectSelector: pods.objectSelector } },
    operatorNamespace: pods.clientConfig?.service?.namespace ?? DEFAULT_OPERATOR_NAMESPACE,
  };
}

/** Every Pod the SidecarSet matches or that carries it, and whether each runs its current version. */
async function explainSidecarSet(view: ClusterView, name: string, format: 'text' | 'json'): Promise<string> {
  const sidecarSet = view.sidecarSets.find((candidate) => candidate.metadata.name === name);
  if (!sidecarSet) throw new Error(`${PLURAL}.${GROUP} "${name}" not found`);
  const namespaces = await listAll<Namespace>(view.kubeConfig, '/api/v1/namespaces');
  const labelsOf = new Map(namespaces.map((namespace) => [namespace.metadata.name ?? '', namespace.metadata.labels ?? {}]));
  const matched: ExplainedObject[] = [];
  // Page by page: only the Pods the SidecarSet concerns are kept.
  for await (const pod of listItems<Pod>(view.kubeConfig, '/api/v1/pods')) {
    if (!isActivePod(pod)) continue; // as for status.matchedPods: finished Pods are not matched
    const namespace = pod.metadata.namespace ?? '';
    const explanation = explainInjection({
      pod,
      namespace: { name: namespace, labels: labelsOf.get(namespace) },
      sidecarSets: view.sidecarSets,
      revisions: view.revisions,
      webhook: view.webhook,
      existing: true,
      now: new Date(),
      random: Math.random,
    });
    const verdict = explanation.sidecarSets.find((candidate) => candidate.sidecarSet === name);
    if (verdict && (verdict.injected || verdict.upgrade)) matched.push({ object: `Pod/${pod.metadata.name}`, ...explanation, sidecarSets: [verdict] });
  }
  const states = matched.map((item) => item.sidecarSets[0].upgrade?.state);
  const summary = {
    sidecarSet: name,
    hash: sidecarSet.metadata.annotations?.[ANNOTATION_SIDECARSET_HASH] ?? '',
    matched: matched.length,
    upToDate: states.filter((state) => state === 'current').length,
    outdated: states.filter((state) => state === 'in-place' || state === 'recreate').length,
    notInjected: states.filter((state) => state === 'not-recorded').length,
  };
  if (format === 'json') return `${JSON.stringify({ ...summary, pods: matched }, null, 2)}\n`;
  const lines = [
    `SidecarSet ${name} (hash ${summary.hash || '(none)'}): matches ${summary.matched} Pod${summary.matched === 1 ? '' : 's'}: ${summary.upToDate} up to date, ${summary.outdated} outdated, ${summary.notInjected} without it`,
    ...matched.map(({ object, namespace, sidecarSets: [verdict] }) =>
      `  ${namespace}/${object.slice('Pod/'.length)}: ${verdict.upgrade ? upgradeText(verdict.upgrade) : verdict.message}${verdict.injected ? '' : ` (now: not injected: ${verdict.message})`}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
