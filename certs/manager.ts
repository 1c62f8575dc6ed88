// The self-managed certificate loop every replica runs. Each sync reads the shared Secret,
// publishes the CA bundle into the two webhook configurations and the SidecarSet CRD's conversion
// webhook, hands a sound serving certificate to the server (before publishing when the published
// bundle already trusts it, after otherwise), and either applies the one step the plan asks for
// (then re-reads) or sleeps until the next due time. Watches on these objects and the Secret wake it
// early: a replica reloads within moments of another writing the Secret, and an overwritten caBundle
// is restored at once. Polling covers lost watches.
import { X509Certificate } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { backoffDelay } from '../src/kube/backoff.ts';
import { errorFields, type Logger } from '../src/kube/logger.ts';
import { createWatchCache } from '../src/kube/watch-cache.ts';
import { CRD_NAME } from '../src/api/crd.ts';
import { CA_BUNDLE_RESOURCES, createCaBundleInjector, webhookConfigurationApi } from './ca-bundle.ts';
import { bundleTrusts, caBundlePem, trustedCas, type CertificateSet } from './certificate-set.ts';
import { servingIdentity } from './identity.ts';
import { inspectSecret } from './inspect.ts';
import { DEFAULT_LIFETIMES, type Lifetimes } from './lifetimes.ts';
import { planStep, type Step } from './rotation-plan.ts';
import { applyStep } from './rotation-step.ts';
import { renderSecret } from './secret-layout.ts';
import { createSecretStore, secretApi } from './secret-store.ts';

/** What the TLS server needs: PEM certificate and key, and the CA bundle clients should trust. */
export interface ServingCertificate {
  cert: string;
  key: string;
  caBundle: string;
}

export interface CertificateManagerOptions {
  kubeConfig: KubeConfig;
  /** The operator's namespace: holds the Secret and the Service. */
  namespace: string;
  secretName: string;
  serviceName: string;
  extraDnsNames?: readonly string[];
  extraIps?: readonly string[];
  mutatingWebhookConfiguration: string;
  validatingWebhookConfiguration: string;
  /** Called with every new serving certificate; a throw fails the sync, which is retried. */
  onCertificate: (certificate: ServingCertificate) => void;
  logger: Logger;
  lifetimes?: Partial<Lifetimes>;
  /** Longest sleep between syncs (watches usually wake it sooner). */
  checkIntervalMs?: number;
}

export interface CertificateManager {
  /** True once a serving certificate has been handed to onCertificate. */
  ready(): boolean;
  current(): ServingCertificate | undefined;
  /** Resolves with the first serving certificate; rejects if stopped before one exists. */
  untilReady(): Promise<ServingCertificate>;
  stop(): Promise<void>;
}

export const DEFAULT_CHECK_INTERVAL_MS = 60_000;
/** Rounds of read-decide-write per sync; each round either finishes or makes progress. */
const MAX_ROUNDS = 8;
const RETRY_BACKOFF = { baseMs: 1_000, maxMs: 60_000 };

function describeStep(step: Exclude<Step, { kind: 'none' }>): { level: 'info' | 'warn'; message: string; reason?: string } {
  switch (step.kind) {
    case 'issue-all':
      return step.expected
        ? { level: 'info', message: 'creating CA and serving certificate', reason: step.reason }
        : { level: 'warn', message: 'stored certificates unusable; replacing CA and serving certificate', reason: step.reason };
    case 'reissue-serving':
      return { level: step.reason === 'renewal is due' ? 'info' : 'warn', message: 'issuing a new serving certificate', reason: step.reason };
    case 'repair-rotation':
      return { level: 'warn', message: 'repairing CA rotation state', reason: step.reason };
    case 'introduce-ca':
      return { level: 'info', message: 'CA rotation: publishing a new CA next to the current one' };
    case 'switch-ca':
      return { level: 'info', message: 'CA rotation: serving a certificate signed by the new CA' };
    case 'retire-ca':
      return { level: 'info', message: 'CA rotation: dropping the old CA from the bundle' };
  }
}

export function startCertificateManager(options: CertificateManagerOptions): CertificateManager {
  const { kubeConfig, namespace, secretName, logger, onCertificate } = options;
  const lifetimes: Lifetimes = { ...DEFAULT_LIFETIMES, ...options.lifetimes };
  const checkIntervalMs = options.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS;
  const identity = servingIdentity(options);
  const store = createSecretStore(secretApi(kubeConfig), namespace, secretName);
  const injector = createCaBundleInjector({ ...options, customResourceDefinition: CRD_NAME, api: webhookConfigurationApi(kubeConfig) });

  let stopped = false;
  let delivered: ServingCertificate | undefined;
  const waiters: Array<{ resolve: (certificate: ServingCertificate) => void; reject: (error: Error) => void }> = [];
  /** The bundle this replica last saw in both configurations, and since when. */
  let published: { bundle: string; since: number } | undefined;

  /** Publishes `bundle`; resolves to the time since which both configurations have held it. */
  async function publish(bundle: string): Promise<number> {
    const changed = await injector.publish(bundle);
    if (changed || published?.bundle !== bundle) published = { bundle, since: Date.now() };
    return published.since;
  }

  function deliver(set: CertificateSet): void {
    const certificate: ServingCertificate = { cert: set.serving.cert, key: set.serving.key, caBundle: caBundlePem(set) };
    if (delivered && delivered.cert === certificate.cert && delivered.caBundle === certificate.caBundle) return;
    onCertificate(certificate);
    const x509 = new X509Certificate(certificate.cert);
    logger.info({ serial: x509.serialNumber, notAfter: x509.validToDate.toISOString(), issuer: x509.issuer, trustedCas: trustedCas(set).length }, 'serving certificate loaded');
    delivered = certificate;
    for (const waiter of waiters.splice(0)) waiter.resolve(certificate);
  }

  /** Brings the Secret, the configurations and the server up to date; returns when to look again. */
  async function converge(): Promise<number> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const secret = await store.read();
      const inspection = inspectSecret(secret, identity, Date.now());
      // A sound stored certificate is served at once when the bundle already in the configurations
      // trusts it (a renewal; a CA switch is written only after its bundle went out), or when this
      // replica serves nothing yet. One signed by a CA the configurations do not hold yet (a re-issue
      // after the Secret was lost) waits: the current certificate is served until the bundle is out.
      const servable = inspection.usable && 'span' in inspection.serving;
      if (servable && (!delivered || (published && bundleTrusts(published.bundle, inspection.set.serving.cert)))) deliver(inspection.set);
      // The stored bundle is always safe to publish: it trusts the stored certificate.
      const bundlePublishedAt = inspection.usable ? await publish(caBundlePem(inspection.set)) : undefined;
      if (servable) deliver(inspection.set);
      const now = Date.now();
      const step = planStep(inspection, { now, overlapMs: lifetimes.overlapMs, bundlePublishedAt });
      if (step.kind === 'none') return step.wakeAt;
      const { level, message, reason } = describeStep(step);
      logger[level]({ secret: `${namespace}/${secretName}`, step: step.kind, reason }, message);
      const body = renderSecret(applyStep(step, { identity, lifetimes, now }), secretName, namespace, secret);
      if (!(await store.write(secret, body))) {
        logger.info({ secret: `${namespace}/${secretName}`, step: step.kind }, 'another replica changed the Secret first; adopting its version');
      }
    }
    throw new Error(`certificates did not settle after ${MAX_ROUNDS} read-decide-write rounds`);
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let pending = false;
  let failures = 0;

  function requestSync(): void {
    if (stopped) return;
    if (running) {
      pending = true;
      return;
    }
    clearTimeout(timer);
    running = (async () => {
      let delayMs: number;
      try {
        delayMs = (await converge()) - Date.now();
        failures = 0;
      } catch (error) {
        failures++;
        delayMs = backoffDelay(failures, RETRY_BACKOFF);
        logger.error({ ...errorFields(error), failures, retryInMs: delayMs }, 'certificate sync failed');
      }
      running = undefined;
      if (pending) {
        pending = false;
        requestSync();
      } else if (!stopped) {
        timer = setTimeout(requestSync, Math.max(0, Math.min(delayMs, checkIntervalMs)));
      }
    })();
  }

  if (lifetimes.overlapMs < 3 * checkIntervalMs) {
    logger.warn({ overlapMs: lifetimes.overlapMs, checkIntervalMs }, 'CA rotation overlap is short next to the check interval; a replica that misses a watch event may serve a certificate its clients do not trust yet');
  }
  logger.info({ secret: `${namespace}/${secretName}`, dnsNames: identity.dnsNames, ips: identity.ips, lifetimes, checkIntervalMs }, 'certificate manager started');

  // Watches are triggers only: a sync re-reads everything it judges, so the caches keep nothing
  // but resourceVersions (no key material).
  const watched = (cacheName: string, path: string, name: string) => {
    const cache = createWatchCache({ name: cacheName, kubeConfig, path, fieldSelector: `metadata.name=${name}`, project: (raw: { metadata?: { resourceVersion?: string } }) => raw.metadata?.resourceVersion, logger });
    for (const event of ['add', 'update', 'delete'] as const) cache.on(event, requestSync);
    cache.start();
    return cache;
  };
  const watches = [
    watched('certificate-secret', `/api/v1/namespaces/${namespace}/secrets`, secretName),
    watched('mutating-webhook-configuration', CA_BUNDLE_RESOURCES.MutatingWebhookConfiguration, options.mutatingWebhookConfiguration),
    watched('validating-webhook-configuration', CA_BUNDLE_RESOURCES.ValidatingWebhookConfiguration, options.validatingWebhookConfiguration),
    watched('sidecarset-crd', CA_BUNDLE_RESOURCES.CustomResourceDefinition, CRD_NAME),
  ];
  requestSync();

  return {
    ready: () => delivered !== undefined,
    current: () => delivered,
    untilReady: () => new Promise((resolve, reject) => {
      if (delivered) resolve(delivered);
      else if (stopped) reject(new Error('certificate manager is stopped'));
      else waiters.push({ resolve, reject });
    }),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.all(watches.map((watch) => watch.stop()));
      await running;
      for (const waiter of waiters.splice(0)) waiter.reject(new Error('certificate manager stopped before a certificate was ready'));
    },
  };
}
