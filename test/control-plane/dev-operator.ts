// The operator as `npm run dev` runs it: in-process against the dev control plane, with its webhook
// configurations registered under url clientConfigs (there is no Service or kube-proxy here) and a
// self-managed certificate that also names 127.0.0.1, so the apiserver can reach it.
import { AdmissionregistrationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { certificatesComponent } from '../../src/operator/certificates-component.ts';
import { controllerComponent } from '../../src/operator/controller-component.ts';
import { DEFAULT_SETTINGS, startOperator, type Operator } from '../../src/operator/operator.ts';
import { webhookConfigurations } from '../support/webhook-configurations.ts';
import { errorCode, freePorts, log, registerWebhooks, waitFor } from './harness.ts';

export async function startDevOperator(kubeconfigPath: string): Promise<Operator> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  const namespace = DEFAULT_SETTINGS.namespace;
  try {
    await kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  } catch (error) {
    if (errorCode(error) !== 409) throw error;
  }
  const [webhookPort, metricsPort] = await freePorts(2);
  // An empty caBundle for now: the operator's certificate manager patches in its own CA.
  await registerWebhooks(kubeConfig, webhookConfigurations({ namespace }), { port: webhookPort, caBundle: '' });
  const operator = await startOperator({
    kubeConfig,
    namespace,
    port: webhookPort,
    metricsPort,
    bindAddress: '127.0.0.1',
    shutdownDrainMs: 0, // Ctrl-C ends a local session: nobody is routed here to drain
    certificates: certificatesComponent({ extraIps: ['127.0.0.1'] }),
    controller: controllerComponent,
  });
  // Ready (certificate loaded, caches synced) and trusted (caBundle patched): Pods applied from now on are injected.
  await waitFor('operator /readyz', async () => (await fetch(`http://127.0.0.1:${metricsPort}/readyz`, { signal: AbortSignal.timeout(2000) })).status === 200, { timeoutMs: 60_000 });
  const admission = kubeConfig.makeApiClient(AdmissionregistrationV1Api);
  await waitFor('caBundle in the mutating webhook configuration', async () => {
    const m = await admission.readMutatingWebhookConfiguration({ name: DEFAULT_SETTINGS.mutatingWebhookConfiguration });
    return m.webhooks?.every((w) => w.clientConfig.caBundle);
  }, { timeoutMs: 30_000 });
  log(`operator running: webhooks https://127.0.0.1:${webhookPort}, metrics http://127.0.0.1:${metricsPort}/metrics`);
  return operator;
}
