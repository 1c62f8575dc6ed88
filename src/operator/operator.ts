// One operator process: the shared watch caches, the admission server (HTTPS) and the metrics
// server (HTTP), the cert-dir watcher, and the parts other code plugs in — the certificate manager
// and the controller — as factories. `sidecarset serve` calls startOperator(); tests and the dev
// loop run it in-process.
//
// Shutdown (stop(), on SIGTERM): readiness turns false at once, so the Service stops routing
// here; the controller and the certificate manager stop; for `shutdownDrainMs` both servers keep
// answering everything, new connections included, because the apiserver goes on using its
// pooled connections to this replica for a while; then the servers stop accepting, finish the
// requests in flight, and the caches stop. Never a 503.
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import type { FastifyBaseLogger } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createClusterCaches, type ClusterCaches } from '../kube/caches.ts';
import { createWatchMetrics } from '../kube/cache-metrics.ts';
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
  whitelistConfigMap: 'sidecarset-configuration',
  allowPatchMetadataWithoutWhitelist: false,
  shutdownDrainMs: 15_000,
  excludedNamespaces: [],
};

/** What a plugged-in part (controller, certificate manager) gets to work with. */
export interface OperatorContext {
  settings: OperatorSettings;
  kubeConfig: KubeConfig;
  caches: ClusterCaches;
  registry: Registry;
  log: FastifyBaseLogger;
  readiness: Readiness;
  /** Serves a new key and certificate from the next TLS handshake on, without going through the cert dir. */
  setCertificate(pair: CertificatePair): boolean;
}

export interface Component {
  stop(): Promise<void>;
}

export type ComponentFactory = (context: OperatorContext) => Component | Promise<Component>;

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
  /** Drains and stops everything; safe to call more than once. */
  stop(): Promise<void>;
}

export async function startOperator(options: OperatorOptions): Promise<Operator> {
  const settings: OperatorSettings = { ...DEFAULT_SETTINGS, ...definedOnly(options) };
  const registry = options.registry ?? new Registry();
  if (!registry.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics({ register: registry });
  const readiness = new Readiness(registry);
  const server = createWebhookServer({ logger: { level: settings.logLevel }, readiness, metrics: createWebhookMetrics(registry) });
  const log = server.log;
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
    readiness.add(`cache/${name}`, () => ({ ok: cache.synced(), ...cache.state() }));
  }
  // Shown in /readyz for operators to read, without gating the webhooks on it.
  readiness.add('cache/pods', () => ({ ...caches.pods.state(), ok: true }));
  for (const webhook of admissionWebhooks({
    caches,
    operatorNamespace: settings.namespace,
    whitelistConfigMap: settings.whitelistConfigMap,
    allowPatchMetadataWithoutWhitelist: settings.allowPatchMetadataWithoutWhitelist,
  })) {
    server.addWebhook(webhook);
  }

  // In self mode the certificate manager hands certificates over in memory; watching the directory
  // too would make two sources overwrite each other.
  const certDir =
    settings.certMode === 'self'
      ? undefined
      : await watchCertificateDirectory({
          dir: settings.certDir,
          apply: (pair) => server.setCertificate(pair),
          info: () => server.certificate.info(),
          log,
          pollIntervalMs: options.certPollIntervalMs,
        });
  const components: Component[] = [];
  const stopComponents = async (): Promise<void> => {
    for (const component of components.splice(0).reverse()) {
      await component.stop().catch((error: unknown) => log.error({ err: error }, 'component failed to stop'));
    }
  };
  const stopAll = async (): Promise<void> => {
    await stopComponents();
    certDir?.stop();
    await Promise.all([server.close(), metricsServer.close()]);
    if (ownCaches) await caches.stop();
  };

  let ports: Operator['ports'];
  try {
    ports = {
      webhook: await server.listen(settings.port, settings.bindAddress),
      metrics: await metricsServer.listen(settings.metricsPort, settings.bindAddress),
    };
    if (ownCaches) caches.start();
    const context: OperatorContext = { settings, kubeConfig: options.kubeConfig, caches, registry, log, readiness, setCertificate: server.setCertificate };
    if (options.certificates) components.push(await options.certificates(context));
    if (options.controller) components.push(await options.controller(context));
  } catch (error) {
    await stopAll();
    throw error;
  }
  log.info({ ports, namespace: settings.namespace, certDir: settings.certDir, certMode: settings.certMode }, 'operator started');

  let stopping: Promise<void> | undefined;
  return {
    ports,
    log,
    readiness,
    registry,
    setCertificate: server.setCertificate,
    stop() {
      stopping ??= (async () => {
        readiness.shutdown();
        log.info({ drainMs: settings.shutdownDrainMs }, 'shutting down: not ready, still serving while draining');
        await Promise.all([sleep(settings.shutdownDrainMs), stopComponents()]);
        await stopAll();
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
