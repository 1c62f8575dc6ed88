// `sidecarset inject`: what the Pod webhook would do to Pods created from files, offline, for
// pipelines like `sidecarset inject -f deploy/ | kubectl apply -f -` (as `istioctl kube-inject`).
// Workloads get their Pod template injected; every other object passes through unchanged. stderr says
// what was injected where, and where nothing was.
import { exclusionMessage } from '../injection/explain-injection.ts';
import { injectPod } from '../injection/inject-pod.ts';
import { InjectionError } from '../injection/injection-error.ts';
import { injectionPatch } from '../injection/patch.ts';
import type { JsonPatchOperation } from '../json-patch.ts';
import { prepareSidecarSets, type PreparedSidecarSets } from '../injection/prepared-sidecarsets.ts';
import { podWebhookExclusion } from '../pod-webhook-scope.ts';
import type { Command, CommandValues } from './command.ts';
import { InputError, outputFormat, render, type KubeObject } from './input.ts';
import { OFFLINE_FLAGS, OFFLINE_OPTIONS, readOfflineInputs, type OfflineInputs } from './offline-inputs.ts';
import { describeObject, objectNamespace, podOf, withValueAt, WORKLOAD_KINDS } from './workloads.ts';

const USAGE = `usage: sidecarset inject -f PATH [-f PATH]... [--sidecarsets FILE]... [--revisions FILE]...
                        [--namespace NAME] [--namespace-labels k=v,...] [--operator-namespace NS]
                        [--ignore-exclusions] [-o yaml|json] [--patch]

Injects sidecars into the objects of PATH as the Pod webhook does when such Pods are created, and prints
every object: Pods injected, ${WORKLOAD_KINDS.join(', ')} with their Pod template injected, everything
else unchanged. stderr says what was injected into which object, and which Pods nothing matched
('sidecarset explain' says why).

flags:
${OFFLINE_FLAGS}
  -o, --output FORMAT         yaml (default) or json
      --patch                 print the JSON Patch (RFC 6902) of each Pod or workload instead: one patch for one,
                              a JSON array of patches for several`;

export const injectCommand: Command = {
  usage: USAGE,
  options: { ...OFFLINE_OPTIONS, output: { type: 'string', short: 'o' }, patch: { type: 'boolean' } },
  async run(values: CommandValues) {
    const format = outputFormat(values.output as string | undefined);
    const inputs = await readOfflineInputs('inject', values);
    const prepared = prepareSidecarSets(inputs.sidecarSets);
    const results = inputs.objects.map((object, index) => injectObject(object, describeObject(object, index), inputs, prepared));
    if (values.patch) {
      const patches = results.flatMap(({ patch }) => (patch ? [patch] : []));
      process.stdout.write(`${JSON.stringify(patches.length === 1 ? patches[0] : patches, null, 2)}\n`);
    } else {
      process.stdout.write(render(results.map(({ object }) => object), format));
    }
    return 0;
  },
};

function injectObject(object: KubeObject, what: string, inputs: OfflineInputs, sidecarSets: PreparedSidecarSets): { object: KubeObject; patch?: JsonPatchOperation[] } {
  const found = podOf(object, what);
  if (!found) return { object };
  const { pod, path } = found;
  const namespaceName = objectNamespace(object, inputs.defaultNamespace);
  const namespace = inputs.namespaceOf(namespaceName);
  const where = `${what} in namespace ${namespaceName}`;
  if (inputs.webhook !== 'ignored' && 'selectors' in inputs.webhook) {
    const exclusion = podWebhookExclusion(inputs.webhook.selectors, pod.metadata?.labels, namespace.labels!);
    if (exclusion) {
      const why = exclusionMessage(exclusion, namespaceName, pod.metadata?.labels, namespace.labels!);
      process.stderr.write(`${where}: not injected: ${why} (--ignore-exclusions injects anyway)\n`);
      return { object, patch: [] };
    }
  }
  let result;
  try {
    result = injectPod({ pod, namespace, sidecarSets, revisions: inputs.revisions, now: new Date(), random: Math.random });
  } catch (error) {
    if (error instanceof InjectionError) throw new InputError(`${what}: injection refused: ${error.message}`);
    throw error;
  }
  for (const warning of result.warnings) process.stderr.write(`warning: ${what}: ${warning}\n`);
  process.stderr.write(result.injected.length > 0 ? `${where}: injected ${result.injected.join(', ')}\n` : `${where}: no SidecarSet matched\n`);
  const basePath = path.map((key) => `/${key}`).join('');
  return { object: withValueAt(object, path, result.pod) as KubeObject, patch: injectionPatch(pod, result.changes, basePath) };
}
