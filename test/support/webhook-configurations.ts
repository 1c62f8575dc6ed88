// The Mutating- and ValidatingWebhookConfiguration the operator expects, as plain objects: what the
// integration tests register (after rewriting clientConfig to a URL, see the harness) and what the
// Helm chart's templates/webhooks.yaml renders (Kruise 1.9's layout: unversioned paths, both versions).
// Keep the two in step.
import { SERVED_VERSIONS } from '../../src/api/sidecarset.ts';
import { defaultPodWebhookSelectors } from '../../src/pod-webhook-scope.ts';
import { SIDECARSET_DEFAULTING_PATHS } from '../../webhooks/sidecarset-defaulting-webhook.ts';
import { SIDECARSET_VALIDATION_PATHS } from '../../webhooks/sidecarset-validation-webhook.ts';
import { POD_INJECTION_PATH } from '../../webhooks/pod-injection-webhook.ts';

export interface WebhookConfigurationOptions {
  /** The operator's namespace: never intercepted, and where the Service lives. */
  namespace: string;
  serviceName?: string;
  mutatingName?: string;
  validatingName?: string;
  /** Namespaces excluded besides kube-system and the operator's own. */
  excludedNamespaces?: string[];
  failurePolicy?: 'Fail' | 'Ignore';
  timeoutSeconds?: number;
}

type Webhook = Record<string, any>;

export function webhookConfigurations(options: WebhookConfigurationOptions): [Record<string, any>, Record<string, any>] {
  const { namespaceSelector, objectSelector } = defaultPodWebhookSelectors(options.namespace, options.excludedNamespaces);
  const common = {
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    matchPolicy: 'Equivalent',
    failurePolicy: options.failurePolicy ?? 'Fail',
    timeoutSeconds: options.timeoutSeconds ?? 10,
    // Never kube-system, never our own namespace: a webhook that must admit its own Pods cannot come back.
    namespaceSelector,
  };
  const clientConfig = (path: string) => ({ service: { namespace: options.namespace, name: options.serviceName ?? 'sidecarset-webhook', path, port: 443 } });
  const sidecarSetRules = [{ apiGroups: ['apps.kruise.io'], apiVersions: [...SERVED_VERSIONS], resources: ['sidecarsets'], operations: ['CREATE', 'UPDATE'], scope: 'Cluster' }];
  const mutating: Webhook[] = [
    { name: 'msidecarset.kb.io', ...common, clientConfig: clientConfig(SIDECARSET_DEFAULTING_PATHS[1]), rules: sidecarSetRules },
    {
      name: 'mpod.kb.io',
      ...common,
      // Injection is idempotent, so a later webhook's change can safely bring the Pod back to us.
      reinvocationPolicy: 'IfNeeded',
      clientConfig: clientConfig(POD_INJECTION_PATH),
      rules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE'], scope: 'Namespaced' }],
      objectSelector,
    },
  ];
  const validating: Webhook[] = [{ name: 'vsidecarset.kb.io', ...common, clientConfig: clientConfig(SIDECARSET_VALIDATION_PATHS[1]), rules: sidecarSetRules }];
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: options.mutatingName ?? 'sidecarset-mutating-webhook-configuration' },
      webhooks: mutating,
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: options.validatingName ?? 'sidecarset-validating-webhook-configuration' },
      webhooks: validating,
    },
  ];
}
