// One operator process, composed on the manager (src/kube/manager.ts): the shared watch caches,
// the admission server (HTTPS) and the metrics server (HTTP), the cert-dir watcher, and the parts
// plugged in as factories — the certificate manager and the controller. `sidecarset serve` calls
// startOperator(); tests and the dev loop run it in-process.
//
// Shutdown (stop(), on SIGTERM): readiness turns false at once, so the Service stops routing
// here; the controllers stop and the Lease is released; for `shutdownDrainMs` both servers keep
// answering everything, new connections included, because the apiserver goes on using its
// pooled connections to this replica for a while; then the parts stop in reverse order of start:
// the certificate manager, the servers (which finish the requests in flight), the caches.
// Never a 503.
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import type { FastifyBaseLogger } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createClusterCaches, type ClusterCaches } from '../kube/caches.ts';
import { createWatchMetrics } from '../kube/cache-metrics.ts';
import { DEFAULT_WHITELIST_CONFIGMAP } from '../validation/patch-metadata-whitelist.ts';
import { createManager, type Manager, type Runnable } from '../kube/manager.ts';
import { kubeUserName } from '../kube/kube-config.ts';
import { warnOfMissingWebhookConfigurations } from './webhook-configuration-check.ts';
import { admissionWebhooks } from '../../webhooks/admission-webhooks.ts';
import { watchCertificateDirectory } from '../../webhooks/certificate-directory.ts';
import { createMetricsServer } from '../../webhooks/metrics-server.ts';
import { Readiness } from '../../webhooks/readiness.ts';
import { createWebhookServer } from '../../webhooks/server.ts';
import type { CertificatePair } from '../../webhooks/serving-certificate.ts';
import { createWebhookMetrics } from '../../webhooks/webhook-metrics.ts';

export type CertMode = 'self' | 'cert-manager' | 'external';
export const CERT_MODES: readonly CertMode[] = ['self', 'cert-manager', 'external'];

/** What the `serve` flags set (serve-command.ts), with their defaults. */
export interface OperatorSettings {
  port: number;
  metricsPort: number;
  bindAddress: string;
  certDir: string;
  certMode: CertMode;
  /** The operator's namespace: revisions, the whitelist ConfigMap, the Secret and the Lease live there. */
  namespace: string;
  serviceName: string;
  secretName: string;
  mutatingWebhookConfiguration: string;
  validatingWebhookConfiguration: string;
  logLevel: string;
  leaderElect: boolean;
  leaderElectionId: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  workers: number;
  whitelistConfigMap: string;
  allowPatchMetadataWithoutWhitelist: boolean;
  shutdownDrainMs: number;
  /** Namespaces the webhook configuration excludes besides kube-system and the operator's: not counted as drift. */
  excludedNamespaces: string[];
}

export const DEFAULT_SETTINGS: OperatorSettings = {
  port: 9443,
  metricsPort: 8080,
  bindAddress: '0.0.0.0',
  certDir: '/tmp/sidecarset-webhook-certs',
  certMode: 'self',
  namespace: 'sidecarset-system',
  serviceName: 'sidecarset-webhook',
  secretName: 'sidecarset-webhook-certs',
  mutatingWebhookConfiguration: 'sidecarset-mutating-webhook-configuration',
  validatingWebhookConfiguration: 'sidecarset-validating-webhook-configuration',
  logLevel: 'info',
  leaderElect: true,
  leaderElectionId: 'sidecarset-controller',
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
  workers: 3,
  whitelistConfigMap: DEFAULT_WHITELIST_CONFIGMAP,
  allowPatchMetadataWithoutWhitelist: false,
  shutdownDrainMs: 15_000,
  excludedNamespaces: [],
};

/** Namespaces whose Pods are never injected: kube-system, the operator's own (it must always be able to start its Pods) and --excluded-namespaces. */
export function neverInjectedNamespaces(settings: Pick<OperatorSettings, 'namespace' | 'excludedNamespaces'>): string[] {
  return ['kube-system', settings.namespace, ...settings.excludedNamespaces];
}

/** What a plugged-in part (controller, certificate manager) gets to work with. */
export interface OperatorContext {
  settings: OperatorSettings;
  kubeConfig: KubeConfig;
  caches: ClusterCaches;
  registry: Registry;
  log: FastifyBaseLogger;
  readiness: Readiness;
  /** Runs leader-only parts (addLeaderRunnable) and knows whether this replica leads. */
  manager: Manager;
  /** Serves a new key and certificate from the next TLS handshake on, without going through the cert dir. */
  setCertificate(pair: CertificatePair): boolean;
}

export type ComponentFactory = (context: OperatorContext) => Runnable | Promise<Runnable>;

export interface OperatorOptions extends Partial<OperatorSettings> {
  kubeConfig: KubeConfig;
  /** Metrics of every part end up here; default a new Registry with the process metrics. */
  registry?: Registry;
  /** Default: watch caches of the cluster in kubeConfig, started here and stopped by stop(). */
  caches?: ClusterCaches;
  /** The certificate manager (the certs code decides what to do for each certMode). */
  certificates?: ComponentFactory;
  /** The SidecarSet controller, leader election included. */
  controller?: ComponentFactory;
  /** Cert-dir poll interval, next to its fs.watch. Default 10 s. */
  certPollIntervalMs?: number;
}

export interface Operator {
  readonly ports: { webhook: number; metrics: number };
  readonly log: FastifyBaseLogger;
  readonly readiness: Readiness;
  readonly registry: Registry;
  setCertificate(pair: CertificatePair): boolean;
  /**
   * Drains (for `drainMs`, default the `shutdownDrainMs` setting; none when never ready, as then
   * nothing routes here) and stops everything; safe to call more than once.
   */
  stop(options?: { drainMs?: number }): Promise<void>;
}

export async function startOperator(options: OperatorOptions): Promise<Operator> {
  const settings: OperatorSettings = { ...DEFAULT_SETTINGS, ...definedOnly(options) };
  const registry = options.registry ?? new Registry();
  if (!registry.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics({ register: registry });
  const readiness = new Readiness(registry);
  const server = createWebhookServer({ logger: { level: settings.logLevel }, readiness, metrics: createWebhookMetrics(registry) });
  const log = server.log;
  log.info({ apiserver: options.kubeConfig.getCurrentCluster()?.server, user: kubeUserName(options.kubeConfig), namespace: settings.namespace }, 'using the apiserver');
  const ownCaches = options.caches === undefined;
  const caches =
    options.caches ??
    createClusterCaches(options.kubeConfig, settings.namespace, log, createWatchMetrics(registry), {
      whitelistConfigMapName: settings.whitelistConfigMap,
    });
  const metricsServer = createMetricsServer({ registry, readiness, logger: log.child({ server: 'metrics' }) });

  readiness.add('certificate', () => ({ ok: server.certificate.loaded(), ...server.certificate.info() }));
  // Readiness covers what the webhooks read; the Pod cache is the controller's and may sync later.
  for (const [name, cache] of Object.entries({ sidecarSets: caches.sidecarSets, namespaces: caches.namespaces, revisions: caches.revisions, whitelist: caches.whitelist })) {
    readiness.add(`cache/${name}`, () => ({ ok: cache.synced() && !cache.stale(), ...cache.state() }));
  }
  // Shown in /readyz for operators to read, without gating the webhooks on it.
  readiness.add('cache/pods', () => ({ ...caches.pods.state(), ok: true }));
  for (const webhook of admissionWebhooks({
    caches,
    operatorNamespace: settings.namespace,
    whitelistConfigMap: settings.whitelistConfigMap,
    allowPatchMetadataWithoutWhitelist: settings.allowPatchMetadataWithoutWhitelist,
    excludedNamespaces: neverInjectedNamespaces(settings),
  })) {
    server.addWebhook(webhook);
  }

  const manager = createManager({
    kubeConfig: options.kubeConfig,
    namespace: settings.namespace,
    logger: log,
    leaderElection: {
      enabled: settings.leaderElect,
      leaseName: settings.leaderElectionId,
      leaseDurationMs: settings.leaseDurationMs,
      renewDeadlineMs: settings.renewDeadlineMs,
      retryPeriodMs: settings.retryPeriodMs,
    },
  });
  const ports = { webhook: 0, metrics: 0 };
  try {
    if (ownCaches) {
      await manager.run('caches', () => {
        caches.start();
        return caches;
      });
    }
    // In self mode the certificate manager hands certificates over in memory; watching the directory
    // too would make two sources overwrite each other.
    if (settings.certMode !== 'self') {
      await manager.run('cert-dir', async () => {
        const watcher = await watchCertificateDirectory({
          dir: settings.certDir,
          apply: (pair) => server.setCertificate(pair),
          info: () => server.certificate.info(),
          log,
          pollIntervalMs: options.certPollIntervalMs,
        });
        return { stop: async () => watcher.stop() };
      });
    }
    await manager.run('webhook-server', async () => {
      ports.webhook = await server.listen(settings.port, settings.bindAddress);
      return { stop: () => server.close() };
    });
    await manager.run('metrics-server', async () => {
      ports.metrics = await metricsServer.listen(settings.metricsPort, settings.bindAddress);
      return { stop: () => metricsServer.close() };
    });
    const context: OperatorContext = { settings, kubeConfig: options.kubeConfig, caches, registry, log, readiness, manager, setCertificate: server.setCertificate };
    const { certificates, controller } = options;
    if (certificates) await manager.run('certificates', () => certificates(context));
    if (controller) await manager.run('controller', () => controller(context));
    manager.elect();
  } catch (error) {
    await manager.stop();
    throw error;
  }
  log.info({ ports, namespace: settings.namespace, certDir: settings.certDir, certMode: settings.certMode }, 'operator started');
  // Callers that bring their own caches (tests) have no cluster of their own to ask.
  if (ownCaches) void warnOfMissingWebhookConfigurations(options.kubeConfig, settings, log);

  let stopping: Promise<void> | undefined;
  return {
    ports,
    log,
    readiness,
    registry,
    setCertificate: server.setCertificate,
    stop({ drainMs = settings.shutdownDrainMs } = {}) {
      stopping ??= (async () => {
        const drain = readiness.everReady ? drainMs : 0;
        readiness.shutdown();
        log.info({ drainMs: drain }, drain > 0 ? 'shutting down: not ready, still serving while draining' : 'shutting down');
        await Promise.all([sleep(drain), manager.resign()]);
        await manager.stop();
        log.info('operator stopped');
      })();
      return stopping;
    },
  };
}

/** Options left undefined must not override the defaults. */
function definedOnly(options: Partial<OperatorSettings>): Partial<OperatorSettings> {
  return Object.fromEntries(Object.entries(options).filter(([key, value]) => value !== undefined && key in DEFAULT_SETTINGS));
}
