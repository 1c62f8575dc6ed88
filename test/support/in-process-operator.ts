// The operator in this process against a test control plane, the way the integration tests drive
// it through a real kube-apiserver: a throwaway serving certificate in a cert dir (certMode
// external), watch caches the test can read (to wait until the webhooks see what it created), and
// the webhook configurations registered with their clientConfig rewritten to
// https://127.0.0.1:<port>/<path> (see the harness). Used by webhooks.test.ts and scenarios.test.ts.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClusterCaches, type ClusterCaches } from '../../src/kube/caches.ts';
import { DEFAULT_SETTINGS, startOperator, type ComponentFactory, type Operator, type OperatorSettings } from '../../src/operator/operator.ts';
import { deleteWebhooks, errorCode, newServingCert, waitFor, type Cluster } from '../control-plane/harness.ts';
import { recordingLogger } from '../unit/recording-logger.ts';
import { temporaryDirectory } from './temporary-directory.ts';
import { webhookConfigurations } from './webhook-configurations.ts';

export interface InProcessOperatorOptions extends Partial<OperatorSettings> {
  cluster: Cluster;
  /** The operator's namespace (revisions, the whitelist ConfigMap, the Lease). */
  namespace: string;
  /** What to register; default webhookConfigurations() for `namespace`. */
  configurations?: Record<string, any>[];
  /** E.g. controllerComponent, to run the controller on the same caches. */
  controller?: ComponentFactory;
}

export interface InProcessOperator {
  operator: Operator;
  caches: ClusterCaches;
  /** The configurations as registered (url clientConfigs). */
  registered: Record<string, any>[];
  /** Unregisters the webhooks, stops the operator and its caches. Safe to call more than once. */
  stop(): Promise<void>;
}

export async function startInProcessOperator(options: InProcessOperatorOptions): Promise<InProcessOperator> {
  const { cluster, namespace, configurations, controller, ...settings } = options;
  const tls = newServingCert();
  const certDir = temporaryDirectory('sidecarset-operator-it-');
  writeFileSync(join(certDir, 'tls.crt'), tls.certPem);
  writeFileSync(join(certDir, 'tls.key'), tls.keyPem);
  const caches = createClusterCaches(cluster.kubeConfig, namespace, recordingLogger(), undefined, {
    whitelistConfigMapName: settings.whitelistConfigMap ?? DEFAULT_SETTINGS.whitelistConfigMap,
  });
  caches.start();
  let operator: Operator | undefined;
  let registered: Record<string, any>[] = [];
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await deleteWebhooks(cluster.kubeConfig, registered).catch((error: unknown) => {
        if (errorCode(error) !== undefined) throw error; // the control plane may already be gone
      });
      await operator?.stop();
      await caches.stop();
      rmSync(certDir, { recursive: true, force: true });
    })();
    return stopping;
  };
  try {
    operator = await startOperator({
      port: 0,
      metricsPort: 0,
      bindAddress: '127.0.0.1',
      logLevel: 'warn',
      shutdownDrainMs: 0,
      ...settings,
      kubeConfig: cluster.kubeConfig,
      caches,
      namespace,
      certDir,
      certMode: 'external',
      controller,
    });
    const started = operator;
    await waitFor('operator ready', () => started.readiness.report().ready, { timeoutMs: 30_000 });
    registered = await cluster.registerWebhooks(configurations ?? webhookConfigurations({ namespace }), { port: operator.ports.webhook, caBundle: tls.caPem });
  } catch (error) {
    await stop();
    throw error;
  }
  return { operator, caches, registered, stop };
}

/** What a client sees of a refused request: the Status the apiserver answered with. */
export function refusal(error: unknown): { code?: number; message: string } {
  const body = (error as { body?: unknown }).body;
  const status = typeof body === 'string' ? JSON.parse(body) : body;
  return { code: errorCode(error), message: String((status as { message?: unknown })?.message ?? error) };
}
