// `sidecarset explain`: for every SidecarSet, whether the Pod webhook injects it into a Pod and why,
// in plain words, from the code the webhook runs. Offline from files (-f), or against the cluster
// (pod/NAME, deployment/NAME, ..., sidecarset/NAME), which the composition root answers since it
// needs the Kubernetes client.
import { explainInjection } from '../injection/explain-injection.ts';
import type { Command, CommandValues } from './command.ts';
import { InputError } from './input.ts';
import { explainFormat, renderExplanations, type ExplainedObject } from './explain-text.ts';
import { OFFLINE_FLAGS, OFFLINE_OPTIONS, readOfflineInputs } from './offline-inputs.ts';
import { describeObject, objectNamespace, podOf, WORKLOAD_KINDS } from './workloads.ts';

const USAGE = `usage: sidecarset explain -f PATH [-f PATH]... [--sidecarsets FILE]... [--revisions FILE]...
                         [--namespace NAME] [--namespace-labels k=v,...] [--operator-namespace NS]
                         [--ignore-exclusions] [-o text|json]
       sidecarset explain pod/NAME -n NS          the Pod as it is: would it be injected, does it run each
                                                  SidecarSet's current version, can it be upgraded in place
       sidecarset explain deployment/NAME -n NS   its Pod template (also ${WORKLOAD_KINDS.filter((kind) => kind !== 'Deployment').map((kind) => kind.toLowerCase()).join(', ')})
       sidecarset explain sidecarset/NAME         the Pods it matches: up to date, or outdated and why
         [--kubeconfig FILE] [--webhook-configuration NAME] [-o text|json]

For every SidecarSet: injected or not, and why: the Pod webhook registration's namespaceSelector and
objectSelector (kube-system, the operator namespace, the opt-out label), an inactive Pod, paused
injection, spec.namespace, spec.namespaceSelector and spec.selector (which requirement fails), a
pinned revision that is missing, a container name two SidecarSets add, a sidecar replacing a Pod
container of the same name.

flags (offline):
${OFFLINE_FLAGS}

flags (cluster):
  -n, --namespace NAME            namespace of the Pod or workload (default "default")
      --kubeconfig FILE           default: in-cluster, else $KUBECONFIG, else ~/.kube/config
      --webhook-configuration N   the operator's MutatingWebhookConfiguration (default "sidecarset-mutating-webhook-configuration")
  -o, --output FORMAT             text (default) or json`;

export const explainCommand: Command = {
  usage: USAGE,
  positionals: true,
  options: {
    ...OFFLINE_OPTIONS,
    namespace: { type: 'string', short: 'n' },
    kubeconfig: { type: 'string' },
    'webhook-configuration': { type: 'string' },
    output: { type: 'string', short: 'o' },
  },
  async run(values: CommandValues, positionals: string[] = []) {
    const format = explainFormat(values.output as string | undefined);
    if (positionals.length > 1) throw new InputError(`explain: one TYPE/NAME at a time, got ${positionals.join(' ')}`);
    if (positionals.length === 1) {
      if (values.filename) throw new InputError('explain: either -f PATH or TYPE/NAME, not both');
      const { explainInCluster } = await import('../operator/explain-cluster.ts');
      process.stdout.write(await explainInCluster(positionals[0], values, format));
      return 0;
    }
    process.stdout.write(renderExplanations(await explainFiles(values), format));
    return 0;
  },
};

/** The offline answer for every Pod and workload of the files. */
export async function explainFiles(values: CommandValues): Promise<ExplainedObject[]> {
  const inputs = await readOfflineInputs('explain', values);
  const explained: ExplainedObject[] = [];
  inputs.objects.forEach((object, index) => {
    const what = describeObject(object, index);
    const found = podOf(object, what);
    if (!found) return;
    const explanation = explainInjection({
      pod: found.pod,
      namespace: inputs.namespaceOf(objectNamespace(object, inputs.defaultNamespace)),
      sidecarSets: inputs.sidecarSets,
      revisions: inputs.revisions,
      webhook: inputs.webhook,
      // A Pod read back from a cluster (it has a uid) can be asked whether it runs the current versions.
      existing: object.kind === 'Pod' && typeof found.pod.metadata?.uid === 'string',
      now: new Date(),
      random: Math.random,
    });
    explained.push({ object: what, ...explanation });
  });
  if (explained.length === 0) throw new InputError(`explain: no Pod or workload (${WORKLOAD_KINDS.join(', ')}, Pod) in the input`);
  return explained;
}
