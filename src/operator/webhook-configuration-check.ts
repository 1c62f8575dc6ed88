// At start, one warning per webhook configuration that is not registered: without it the apiserver
// sends this operator nothing, and it would otherwise run healthy and useless without a word.
import type { KubeConfig } from '@kubernetes/client-node';
import { requestJson, statusCodeOf } from '../kube/kube-http.ts';
import { errorFields, type Logger } from '../kube/logger.ts';
import type { OperatorSettings } from './operator.ts';

const CONFIGURATIONS = [
  { kind: 'MutatingWebhookConfiguration', resource: 'mutatingwebhookconfigurations', setting: 'mutatingWebhookConfiguration', consequence: 'no Pod is injected and no SidecarSet defaulted' },
  { kind: 'ValidatingWebhookConfiguration', resource: 'validatingwebhookconfigurations', setting: 'validatingWebhookConfiguration', consequence: 'SidecarSets are not validated' },
] as const;

export async function warnOfMissingWebhookConfigurations(kubeConfig: KubeConfig, settings: OperatorSettings, log: Logger): Promise<void> {
  for (const { kind, resource, setting, consequence } of CONFIGURATIONS) {
    const name = settings[setting];
    try {
      await requestJson(kubeConfig, { path: `/apis/admissionregistration.k8s.io/v1/${resource}/${encodeURIComponent(name)}` });
    } catch (error) {
      if (statusCodeOf(error) === 404) {
        log.warn({ kind, name }, `${kind} ${name} not found: the apiserver does not call this operator, so ${consequence}; install the Helm chart (deploy/helm/sidecarset), or use \`npm run dev\``);
      } else {
        log.warn({ kind, name, ...errorFields(error) }, `cannot check ${kind} ${name}`);
      }
    }
  }
}
