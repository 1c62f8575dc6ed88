// A real etcd + kube-apiserver for integration tests and the local dev loop.
//
// Binaries come from `npm run control-plane:build` (see build.ts) or from the envtest
// conventions TEST_ASSET_KUBE_APISERVER / TEST_ASSET_ETCD / KUBEBUILDER_ASSETS.
// Everything here talks to the apiserver as an admin client (CN=admin, O=system:masters).

import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import {
  AdmissionregistrationV1Api,
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  loadYaml,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { issueCa, issueServing, type Validity } from '../../certs/authority.ts';
import { issueClient } from '../support/client-certificate.ts';
import { isExecutable, sidecarsetCacheDir } from '../support/files.ts';
import { startConversionServer, withConversionTarget, type ConversionServer, type ConversionTarget } from './conversion-server.ts';
import { startNodeComponents } from './cluster-nodes.ts';
import type { KubeletSimulator, ReadinessProbe } from './kubelet-simulator.ts';

/** Kubernetes version the tools module builds; the cache directory is keyed by it. */
export const K8S_VERSION = 'v1.37.2';
/** kwok version its tools module builds (the same cache directory holds it). */
export const KWOK_VERSION = 'v0.8.0';
/** Measured cold build of every binary on a 2-core machine (README: "Control plane"). */
export const COLD_BUILD_MINUTES = 14;
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SIDECARSET_CRD = path.join(REPO_ROOT, 'deploy/crds/apps.kruise.io_sidecarsets.yaml');

/** Env var through which the global setup hands the shared control plane to test files. */
export const SHARED_ENV = 'SIDECARSET_TEST_CONTROL_PLANE';
/** Set to 1 (CI) to turn "binaries missing" into a failure instead of a skip. */
export const REQUIRE_ENV = 'SIDECARSET_REQUIRE_CONTROL_PLANE';
/** Same meaning; the name .ci/run uses. */
export const REQUIRE_ENV_ALIAS = 'SIDECARSET_REQUIRE_INTEGRATION';

export function controlPlaneRequired(): boolean {
  return process.env[REQUIRE_ENV] === '1' || process.env[REQUIRE_ENV_ALIAS] === '1';
}
export const BUILD_HINT =
  'run `npm run control-plane:build` (builds kube-apiserver, etcd, kube-controller-manager, kube-scheduler, kubectl ' + K8S_VERSION +
  ' and kwok ' + KWOK_VERSION + ' from Go modules once, ~' + COLD_BUILD_MINUTES + ' min on 2 cores), or point the TEST_ASSET_* variables / KUBEBUILDER_ASSETS at your own';
/** Short: shown next to every skipped suite. */
export const SKIP_REASON = 'no control-plane binaries (npm run control-plane:build)';
/** Long: why the tier is skipped and how to get the binaries. */
export const MISSING_BINARIES = `no control-plane binaries; ${BUILD_HINT}`;

// ---------------------------------------------------------------------------------------------
// Binary lookup

export function cacheDir(version: string = K8S_VERSION): string {
  return sidecarsetCacheDir('k8s', version);
}

export interface BinaryLocation {
  path: string;
  /** Which rule found it, for progress output. */
  source: string;
}
export interface Binaries {
  kubeApiserver: BinaryLocation;
  etcd: BinaryLocation;
  kubeControllerManager: BinaryLocation;
  kubeScheduler: BinaryLocation;
  kubectl: BinaryLocation;
  kwok: BinaryLocation;
}

/** Every binary the cluster runs: file name and the envtest-style variable that overrides it. */
export const BINARIES: ReadonlyArray<{ key: keyof Binaries; name: string; envVar: string }> = [
  { key: 'kubeApiserver', name: 'kube-apiserver', envVar: 'TEST_ASSET_KUBE_APISERVER' },
  { key: 'etcd', name: 'etcd', envVar: 'TEST_ASSET_ETCD' },
  { key: 'kubeControllerManager', name: 'kube-controller-manager', envVar: 'TEST_ASSET_KUBE_CONTROLLER_MANAGER' },
  { key: 'kubeScheduler', name: 'kube-scheduler', envVar: 'TEST_ASSET_KUBE_SCHEDULER' },
  { key: 'kubectl', name: 'kubectl', envVar: 'TEST_ASSET_KUBECTL' },
  { key: 'kwok', name: 'kwok', envVar: 'TEST_ASSET_KWOK' },
];

function locateOne(name: string, envVar: string): BinaryLocation | undefined {
  const explicit = process.env[envVar];
  if (explicit) return isExecutable(explicit) ? { path: explicit, source: envVar } : undefined;
  const assets = process.env.KUBEBUILDER_ASSETS;
  if (assets) {
    const p = path.join(assets, name);
    if (isExecutable(p)) return { path: p, source: 'KUBEBUILDER_ASSETS' };
  }
  const cached = path.join(cacheDir(), name);
  if (isExecutable(cached)) return { path: cached, source: 'cache' };
  return undefined;
}

/**
 * Lookup order per binary: TEST_ASSET_* env, then $KUBEBUILDER_ASSETS/<name>, then the build
 * cache. All of them or none: a cache from before the cluster had nodes (apiserver and etcd
 * only) counts as missing the rest.
 */
export function locateBinaries(): { binaries?: Binaries; missing: string[] } {
  const found: Partial<Binaries> = {};
  const missing: string[] = [];
  for (const b of BINARIES) {
    const location = locateOne(b.name, b.envVar);
    if (location) found[b.key] = location;
    else missing.push(b.name);
  }
  return missing.length === 0 ? { binaries: found as Binaries, missing } : { missing };
}

export function binariesAvailable(): boolean {
  return locateBinaries().binaries !== undefined;
}

/** Whether the binaries are there; when not, throws if the run requires them, else returns false (the caller says so once). */
export function binariesOrSkip(): boolean {
  if (binariesAvailable()) return true;
  if (controlPlaneRequired()) throw new Error(`integration tier required (${REQUIRE_ENV} / ${REQUIRE_ENV_ALIAS}) but ${MISSING_BINARIES}`);
  return false;
}

/** The one line a run without binaries prints: how many suites it skipped, and how to get the binaries. */
export function skippedBanner(suites: number): string {
  return `\n*** integration tier: ${suites} suite${suites === 1 ? '' : 's'} skipped: ${MISSING_BINARIES} ***\n\n`;
}

// ---------------------------------------------------------------------------------------------
// Throwaway certificates, issued by the operator's own certs/authority.ts (one CA and leaf code
// path for the product and the tests). CA names get the issue second appended there.

export interface CertAndKey {
  certPem: string;
  keyPem: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** From an hour ago (tolerates clock skew) for `days`. */
function validity(days: number): Validity {
  return { now: Date.now(), lifetimeMs: days * DAY_MS, backdateMs: 60 * 60 * 1000 };
}

/** A self-signed CA named `<namePrefix>-<issue second>` (letters, digits and hyphens only). */
export function newCA(namePrefix: string, days = 365): CertAndKey {
  const ca = issueCa(validity(days), namePrefix);
  return { certPem: ca.cert, keyPem: ca.key };
}

export type LeafOptions =
  | {
    commonName: string;
    usage: 'server';
    /** IP SANs; default 127.0.0.1. */
    ips?: string[];
    /** DNS SANs; default localhost. */
    dnsNames?: string[];
    days?: number;
  }
  | {
    commonName: string;
    usage: 'client';
    /** Kubernetes groups, e.g. system:masters. */
    organizations?: string[];
    days?: number;
  };

/** A leaf signed by `ca` (never valid past it): serverAuth with SANs, or clientAuth without. */
export function newLeaf(ca: CertAndKey, o: LeafOptions): CertAndKey {
  const issuer = { cert: ca.certPem, key: ca.keyPem };
  const v = validity(o.days ?? 365);
  const leaf = o.usage === 'server'
    ? issueServing(issuer, { commonName: o.commonName, ips: o.ips ?? ['127.0.0.1'], dnsNames: o.dnsNames ?? ['localhost'] }, v)
    : issueClient(issuer, { commonName: o.commonName, organizations: o.organizations }, v);
  return { certPem: leaf.cert, keyPem: leaf.key };
}

/** Serving cert for a test webhook server on 127.0.0.1; pass caPem as registerWebhooks' caBundle. */
export function newServingCert(ips: string[] = ['127.0.0.1']): { caPem: string; certPem: string; keyPem: string } {
  const ca = newCA('sidecarset-test-webhook-ca');
  const leaf = newLeaf(ca, { commonName: 'sidecarset-webhook', usage: 'server', ips });
  return { caPem: ca.certPem, certPem: leaf.certPem, keyPem: leaf.keyPem };
}

// ---------------------------------------------------------------------------------------------
// Small utilities

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function log(msg: string): void {
  process.stderr.write(`[control-plane] ${msg}\n`);
}

/** HTTP status of an ApiException-like error, if any. */
export function errorCode(e: unknown): number | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'number' ? c : undefined;
}

/** Thrown from a waitFor callback to give up at once (e.g. the process being waited for died). */
export class GiveUp extends Error {}

/** Poll fn until it returns a truthy value; throws with the last error after timeoutMs. */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  opts: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as T;
    } catch (e) {
      if (e instanceof GiveUp) throw e;
      last = e;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? `: ${last.message.split('\n')[0]}` : '';
      throw new Error(`timed out after ${opts.timeoutMs ?? 30_000} ms waiting for ${what}${detail}`);
    }
    await sleep(opts.intervalMs ?? 250);
  }
}

/** Ports are found by binding to :0 together (so they differ), then released for the child. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<net.Server>((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

interface TlsClient { ca: string; cert?: string; key?: string }

function httpsGet(url: string, tls: TlsClient, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ...tls, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function httpGetStatus(url: string): Promise<number> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  await res.arrayBuffer();
  return res.status;
}

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

// ---------------------------------------------------------------------------------------------
// Process ownership: every control plane started by this process is killed when it exits.

interface Owned {
  name: string;
  children: ChildProcess[];
  watchdog?: ChildProcess;
  conversion?: ConversionServer;
  dir: string;
  stop(): Promise<void>;
}
const owned = new Set<Owned>();
let exitHookInstalled = false;
let signalHooksInstalled = false;

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal); // detached children lead their own process group
  } catch {
    /* already gone */
  }
}

function killAllNow(): void {
  for (const o of owned) {
    for (const c of o.children) killGroup(c.pid, 'SIGKILL');
    killGroup(o.watchdog?.pid, 'SIGKILL');
    fs.rmSync(o.dir, { recursive: true, force: true });
  }
  owned.clear();
}

function installExitHooks(signals: boolean): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // 'exit' covers normal ends and uncaught exceptions; it must be synchronous, hence SIGKILL.
    process.on('exit', killAllNow);
  }
  if (!signals || signalHooksInstalled) return;
  signalHooksInstalled = true;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      log(`${sig}: stopping ${owned.size} control plane(s)`);
      void Promise.allSettled([...owned].map((o) => o.stop())).finally(() => process.exit(128 + os.constants.signals[sig]));
    });
  }
}

/**
 * Covers the one case exit hooks cannot: this process being SIGKILLed (e.g. a runner timeout).
 * A detached shell polls our pid and kills the groups listed in <dir>/pgids once we are gone.
 */
function startWatchdog(dir: string): ChildProcess {
  const script =
    'while kill -0 "$OWNER" 2>/dev/null; do sleep 1; done; ' +
    'for p in $(cat "$DIR/pgids" 2>/dev/null); do kill -KILL "-$p" 2>/dev/null; done; rm -rf "$DIR"';
  const wd = spawn('/bin/sh', ['-c', script], {
    detached: true,
    stdio: 'ignore',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', OWNER: String(process.pid), DIR: dir },
  });
  wd.unref();
  return wd;
}

// ---------------------------------------------------------------------------------------------
// Cluster helpers: API calls only, usable against a control plane owned by another process.

/**
 * Typed client-node calls serialize through generated models that read camelCase names:
 * a raw object's `x-kubernetes-*` keys (and any unknown key) would be silently dropped.
 * loadYaml() deserializes wire JSON into that model form first (JSON is valid YAML).
 */
function toModel<T>(raw: K8sObject): T {
  return loadYaml<T>(JSON.stringify(raw));
}

/** An ApiException reduced to code + the apiserver's message (the full one embeds headers). */
export function apiError(what: string, e: unknown): Error {
  const body = (e as { body?: unknown }).body;
  let msg: string | undefined;
  try {
    msg = (typeof body === 'string' ? JSON.parse(body) : body)?.message;
  } catch {
    msg = typeof body === 'string' ? body : undefined;
  }
  const err = new Error(`${what}: ${errorCode(e) ?? ''} ${msg ?? (e instanceof Error ? e.message.split('\n')[0] : String(e))}`);
  (err as Error & { code?: number }).code = errorCode(e);
  return err;
}

export type K8sObject = { apiVersion?: string; kind?: string; metadata?: { name?: string; [k: string]: unknown }; [k: string]: any };

export function readYamlObjects(file: string): K8sObject[] {
  return YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null && typeof o === 'object');
}

/**
 * Create or update each CRD in the file (idempotent), its conversion webhook sent to `conversion`,
 * then wait until all are Established and served.
 */
export async function installCRDs(kc: KubeConfig, source: string | K8sObject[], conversion: ConversionTarget, timeoutMs = 30_000): Promise<V1CustomResourceDefinition[]> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const objects = kc.makeApiClient(CustomObjectsApi);
  const objs = (typeof source === 'string' ? readYamlObjects(source) : source)
    .filter((o) => o.kind === 'CustomResourceDefinition')
    .map((o) => withConversionTarget(o, conversion));
  if (objs.length === 0) throw new Error(`no CustomResourceDefinition in ${typeof source === 'string' ? source : 'input'}`);
  const out: V1CustomResourceDefinition[] = [];
  for (const crd of objs) {
    const name = crd.metadata!.name!;
    let created = false;
    try {
      await api.createCustomResourceDefinition({ body: toModel(crd) });
      created = true;
    } catch (e) {
      if (errorCode(e) !== 409) throw apiError(`create CRD ${name}`, e);
      // Another test file (or an earlier dev run) installed it: update in place.
      const cur = await api.readCustomResourceDefinition({ name });
      const body = { ...crd, metadata: { ...crd.metadata, resourceVersion: cur.metadata?.resourceVersion } };
      await api.replaceCustomResourceDefinition({ name, body: toModel(body) }).catch((e2: unknown) => {
        throw apiError(`replace CRD ${name}`, e2);
      });
    }
    const established = await waitFor(`CRD ${name} Established`, async () => {
      const cur = await api.readCustomResourceDefinition({ name });
      const ok = cur.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
      return ok ? cur : undefined;
    }, { timeoutMs });
    // Established precedes discovery, and the resource's watch cache, by a moment: until then a
    // LIST answers 429 "storage is (re)initializing". Wait until both work.
    const { group, names } = established.spec;
    for (const v of established.spec.versions.filter((x) => x.served)) {
      await waitFor(`${names.plural}.${group}/${v.name} in discovery`, async () => {
        const res = await rawGet(kc, `/apis/${group}/${v.name}`);
        return res.status === 200 && (JSON.parse(res.body).resources ?? []).some((r: { name: string }) => r.name === names.plural);
      }, { timeoutMs });
      await waitFor(`${names.plural}.${group}/${v.name} listable`, async () => {
        return (await rawGet(kc, `/apis/${group}/${v.name}/${names.plural}?limit=1`)).status === 200;
      }, { timeoutMs, intervalMs: 100 });
      // The first write to a new resource stalls ~2 s in the apiserver (even a dry run, even an
      // invalid object); pay it here so no test sees it. Outcome irrelevant. Only when new: by
      // then a test may have registered webhooks for this resource whose server is gone.
      if (!created) continue;
      const probe = { apiVersion: `${group}/${v.name}`, kind: names.kind, metadata: { name: 'install-warm-up' } };
      const gvr = { group, version: v.name, plural: names.plural, body: probe, dryRun: 'All' };
      await (established.spec.scope === 'Cluster'
        ? objects.createClusterCustomObject(gvr)
        : objects.createNamespacedCustomObject({ ...gvr, namespace: 'default' })
      ).catch(() => undefined);
    }
    out.push(established);
  }
  return out;
}

/** GET a raw API path with the kubeconfig's admin credentials. */
export async function rawGet(kc: KubeConfig, apiPath: string): Promise<{ status: number; body: string }> {
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (!cluster || !user) throw new Error('kubeconfig has no current cluster/user');
  const dec = (s?: string): string | undefined => (s ? Buffer.from(s, 'base64').toString() : undefined);
  return httpsGet(cluster.server + apiPath, { ca: dec(cluster.caData) ?? '', cert: dec(user.certData), key: dec(user.keyData) });
}

export interface WebhookTarget {
  /** Port of the webhook server listening on 127.0.0.1. */
  port: number;
  /** CA that signed the webhook server's cert: PEM, or base64 of the PEM. */
  caBundle: string;
  /** Host in the rewritten URL; 127.0.0.1 unless you know better. */
  host?: string;
  /** Optional rename of each configuration object, e.g. to run two suites side by side. */
  rename?: (name: string) => string;
}

/**
 * Rewrite each webhook's clientConfig from a Service reference to
 * `url: https://<host>:<port>/<service.path>` with the given caBundle; nothing else changes.
 */
export function rewriteWebhookConfiguration(obj: K8sObject, t: WebhookTarget): K8sObject {
  const copy = structuredClone(obj);
  const caB64 = t.caBundle.includes('-----BEGIN') ? b64(t.caBundle) : t.caBundle;
  for (const wh of copy.webhooks ?? []) {
    const cc = wh.clientConfig ?? {};
    let p = cc.service?.path ?? (cc.url ? new URL(cc.url).pathname : '/');
    if (!p.startsWith('/')) p = '/' + p;
    wh.clientConfig = { url: `https://${t.host ?? '127.0.0.1'}:${t.port}${p}`, caBundle: caB64 };
  }
  if (t.rename && copy.metadata?.name) copy.metadata.name = t.rename(copy.metadata.name);
  return copy;
}

/** Register (create or replace) the Mutating/ValidatingWebhookConfigurations in a file or list. */
export async function registerWebhooks(kc: KubeConfig, source: string | K8sObject[], target: WebhookTarget): Promise<K8sObject[]> {
  const api = kc.makeApiClient(AdmissionregistrationV1Api);
  const objs = (typeof source === 'string' ? readYamlObjects(source) : source)
    .filter((o) => o.kind === 'MutatingWebhookConfiguration' || o.kind === 'ValidatingWebhookConfiguration')
    .map((o) => rewriteWebhookConfiguration(o, target));
  if (objs.length === 0) throw new Error('no webhook configuration objects to register');
  for (const o of objs) {
    const name = o.metadata!.name!;
    const mutating = o.kind === 'MutatingWebhookConfiguration';
    try {
      if (mutating) await api.createMutatingWebhookConfiguration({ body: toModel(o) });
      else await api.createValidatingWebhookConfiguration({ body: toModel(o) });
    } catch (e) {
      if (errorCode(e) !== 409) throw apiError(`create ${o.kind} ${name}`, e);
      const cur = mutating
        ? await api.readMutatingWebhookConfiguration({ name })
        : await api.readValidatingWebhookConfiguration({ name });
      const body = { ...o, metadata: { ...o.metadata, resourceVersion: cur.metadata?.resourceVersion } };
      try {
        if (mutating) await api.replaceMutatingWebhookConfiguration({ name, body: toModel(body) });
        else await api.replaceValidatingWebhookConfiguration({ name, body: toModel(body) });
      } catch (e2) {
        throw apiError(`replace ${o.kind} ${name}`, e2);
      }
    }
  }
  return objs;
}

export async function deleteWebhooks(kc: KubeConfig, objs: K8sObject[]): Promise<void> {
  const api = kc.makeApiClient(AdmissionregistrationV1Api);
  for (const o of objs) {
    const name = o.metadata!.name!;
    try {
      if (o.kind === 'MutatingWebhookConfiguration') await api.deleteMutatingWebhookConfiguration({ name });
      else await api.deleteValidatingWebhookConfiguration({ name });
    } catch (e) {
      if (errorCode(e) !== 404) throw e;
    }
  }
}

/**
 * A fresh namespace (on a bare apiserver namespace deletion never completes, so never reuse one)
 * plus its `default` ServiceAccount, which the ServiceAccount admission plugin needs before it
 * admits Pods (a cluster with nodes makes it too; whoever is first wins).
 */
export async function createNamespace(kc: KubeConfig, opts: { prefix?: string; labels?: Record<string, string> } = {}): Promise<string> {
  const core = kc.makeApiClient(CoreV1Api);
  const name = `${(opts.prefix ?? 'test').toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 40)}-${randomBytes(4).toString('hex')}`;
  await core.createNamespace({ body: { metadata: { name, labels: opts.labels } } });
  try {
    await core.createNamespacedServiceAccount({ namespace: name, body: { metadata: { name: 'default' } } });
  } catch (e) {
    if (errorCode(e) !== 409) throw e;
  }
  return name;
}

// ---------------------------------------------------------------------------------------------
// Control plane

/** What a test needs; implemented both by an owned control plane and by a connection to a shared one. */
export interface Cluster {
  readonly server: string;
  readonly kubeconfigPath: string;
  readonly kubeConfig: KubeConfig;
  /** The conversion webhook the control plane's CRDs use unless a test says otherwise. */
  readonly conversion: ConversionTarget;
  installCRDs(source?: string | K8sObject[], conversion?: ConversionTarget): Promise<V1CustomResourceDefinition[]>;
  registerWebhooks(source: string | K8sObject[], target: WebhookTarget): Promise<K8sObject[]>;
  createNamespace(opts?: { prefix?: string; labels?: Record<string, string> }): Promise<string>;
}

export interface ControlPlane extends Cluster {
  readonly dir: string;
  readonly etcdUrl: string;
  readonly pids: { etcd: number; kubeApiserver: number };
  /** Log file per component: etcd, kubeApiserver, and with nodes kube-controller-manager, kube-scheduler, kwok. */
  readonly logs: { etcd: string; kubeApiserver: string; [component: string]: string };
  /** The simulated Nodes' names; empty for a bare apiserver. */
  readonly nodeNames: string[];
  readonly binaries: Binaries;
  stop(): Promise<void>;
}

export interface StartOptions {
  binaries?: Binaries;
  /** Where to write the admin kubeconfig; default <dir>/kubeconfig. */
  kubeconfigPath?: string;
  /** Fixed apiserver port (dev loop); default a free one. */
  apiserverPort?: number;
  readyTimeoutMs?: number;
  /** Install SIGINT/SIGTERM/SIGHUP handlers that stop and exit (default true). */
  handleSignals?: boolean;
  extraApiserverArgs?: string[];
  quiet?: boolean;
  /**
   * Simulated Nodes (kwok) plus kube-controller-manager, kube-scheduler and the kubelet
   * simulator, so workloads make Pods that go Running and Ready. Default 0: apiserver and etcd only.
   */
  nodes?: number;
  /** How long a (re)started container stays not ready on a simulated node; default 1000 ms. */
  containerReadyDelayMs?: number;
  /** Readiness probe for containers a test runs itself (see kubelet-simulator.ts). */
  readinessProbe?: ReadinessProbe;
  /** SIGTERM -> SIGKILL grace per component on stop; default 10 s (dev: short, nothing to keep). */
  stopGraceMs?: number;
}

function clusterFrom(server: string, kubeconfigPath: string, kubeConfig: KubeConfig, conversion: ConversionTarget): Cluster {
  return {
    server,
    kubeconfigPath,
    kubeConfig,
    conversion,
    installCRDs: (source = SIDECARSET_CRD, target = conversion) => installCRDs(kubeConfig, source, target),
    registerWebhooks: (source, target) => registerWebhooks(kubeConfig, source, target),
    createNamespace: (opts) => createNamespace(kubeConfig, opts),
  };
}

function spawnLogged(bin: string, args: string[], logFile: string, dir: string): ChildProcess {
  const fd = fs.openSync(logFile, 'a');
  try {
    // detached: own process group, so stop() can kill anything the binary forks, and a
    // terminal Ctrl-C reaches us first (we then stop it in order).
    const child = spawn(bin, args, { detached: true, stdio: ['ignore', fd, fd], cwd: dir });
    child.unref(); // never keep a finished test process alive; exit hooks kill it
    if (child.pid) fs.appendFileSync(path.join(dir, 'pgids'), `${child.pid}\n`);
    return child;
  } finally {
    fs.closeSync(fd);
  }
}

function exited(c: ChildProcess): boolean {
  return c.exitCode !== null || c.signalCode !== null;
}

async function terminate(c: ChildProcess, graceMs: number): Promise<void> {
  if (!c.pid || exited(c)) return;
  const done = new Promise<void>((r) => c.once('exit', () => r()));
  c.ref(); // keep the loop alive until the exit is seen (and the child reaped)
  killGroup(c.pid, 'SIGTERM');
  const t = setTimeout(() => killGroup(c.pid, 'SIGKILL'), graceMs);
  await done;
  clearTimeout(t);
  killGroup(c.pid, 'SIGKILL'); // stragglers in the group
}

/**
 * Start etcd + kube-apiserver on free 127.0.0.1 ports with throwaway certificates and wait until
 * the apiserver is ready and namespace `default` exists. Free ports are probed then released, so
 * another process can grab one first: a start that dies of that is retried with new ports.
 */
export async function startControlPlane(opts: StartOptions = {}): Promise<ControlPlane> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (e) {
      const msg = (e as Error).message;
      const fixedPortTaken = opts.apiserverPort !== undefined && msg.includes(`:${opts.apiserverPort}: bind`);
      const portRace = /address already in use/i.test(msg) && !fixedPortTaken;
      if (!portRace || attempt >= 3) throw e;
      log(`port taken by someone else during startup (attempt ${attempt}); retrying with new ports`);
    }
  }
}

async function startOnce(opts: StartOptions): Promise<ControlPlane> {
  const t0 = performance.now();
  const say = opts.quiet ? () => {} : log;
  const binaries = opts.binaries ?? locateBinaries().binaries;
  if (!binaries) throw new Error(`kube-apiserver/etcd not found: ${BUILD_HINT}`);
  installExitHooks(opts.handleSignals !== false);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sidecarset-cp-'));
  const self: Owned = { name: dir, children: [], dir, stop: async () => {} };
  owned.add(self);
  self.watchdog = startWatchdog(dir);

  let stopping: Promise<void> | undefined;
  let simulator: KubeletSimulator | undefined;
  const grace = opts.stopGraceMs ?? 10_000;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await simulator?.stop();
      const [etcd, api, ...components] = self.children; // started in this order; stop in reverse
      await Promise.all(components.map((c) => terminate(c, Math.min(grace, 5_000))));
      await self.conversion?.close();
      if (api) await terminate(api, grace);
      if (etcd) await terminate(etcd, Math.min(grace, 5_000));
      killGroup(self.watchdog?.pid, 'SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
      owned.delete(self);
      say(`stopped (${dir})`);
    })();
    return stopping;
  };
  self.stop = stop;

  try {
    // Certificates: one CA for serving, one for client auth, plus the service-account signing key.
    const tc = performance.now();
    const servingCA = newCA('sidecarset-test-serving-ca');
    const serving = newLeaf(servingCA, { commonName: 'kube-apiserver', usage: 'server', ips: ['127.0.0.1'], dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'] });
    const clientCA = newCA('sidecarset-test-client-ca');
    const admin = newLeaf(clientCA, { commonName: 'admin', organizations: ['system:masters'], usage: 'client' });
    // The service-account token signing key is a bare key pair: no certificate.
    const sa = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    });
    const file = (name: string, content: string): string => {
      const p = path.join(dir, name);
      fs.writeFileSync(p, content, { mode: 0o600 });
      return p;
    };
    const f = {
      servingCert: file('serving.crt', serving.certPem),
      servingKey: file('serving.key', serving.keyPem),
      clientCA: file('client-ca.crt', clientCA.certPem),
      saPub: file('sa.pub', sa.publicKey),
      saKey: file('sa.key', sa.privateKey),
      servingCA: file('serving-ca.crt', servingCA.certPem),
    };
    say(`certificates ready in ${Math.round(performance.now() - tc)} ms`);

    const [etcdClientPort, etcdPeerPort, freeApiPort] = await freePorts(3);
    const apiPort = opts.apiserverPort ?? freeApiPort;
    const etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
    const peerUrl = `http://127.0.0.1:${etcdPeerPort}`;
    const logs: ControlPlane['logs'] = { etcd: path.join(dir, 'etcd.log'), kubeApiserver: path.join(dir, 'kube-apiserver.log') };

    const te = performance.now();
    const etcd = spawnLogged(binaries.etcd.path, [
      '--name', 'default',
      '--data-dir', path.join(dir, 'etcd-data'),
      '--listen-client-urls', etcdUrl,
      '--advertise-client-urls', etcdUrl,
      '--listen-peer-urls', peerUrl,
      '--initial-advertise-peer-urls', peerUrl,
      '--initial-cluster', `default=${peerUrl}`,
      '--unsafe-no-fsync', // throwaway data: durability only costs time
      '--log-level', 'warn',
    ], logs.etcd, dir);
    self.children.push(etcd);
    await waitFor('etcd /health', async () => {
      if (exited(etcd)) throw new GiveUp(`etcd exited (${etcd.exitCode ?? etcd.signalCode})`);
      return (await httpGetStatus(`${etcdUrl}/health`)) === 200;
    }, { timeoutMs: 30_000, intervalMs: 100 }).catch((e) => {
      throw new Error(`${(e as Error).message}\n--- etcd log ---\n${tail(logs.etcd)}`);
    });
    say(`etcd ${binaries.etcd.path} (${binaries.etcd.source}) ready at ${etcdUrl} in ${Math.round(performance.now() - te)} ms`);

    const ta = performance.now();
    const server = `https://127.0.0.1:${apiPort}`;
    const api = spawnLogged(binaries.kubeApiserver.path, [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1', // without it the apiserver dies on hosts with no default route
      // The lease reconciler refuses a loopback advertise address; nothing here needs the
      // `kubernetes` Service endpoints, so skip reconciling them.
      '--endpoint-reconciler-type=none',
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${f.servingCert}`,
      `--tls-private-key-file=${f.servingKey}`,
      `--cert-dir=${dir}`,
      `--client-ca-file=${f.clientCA}`,
      '--authorization-mode=RBAC',
      '--service-cluster-ip-range=10.0.0.0/24',
      `--service-account-issuer=${server}/`,
      `--service-account-key-file=${f.saPub}`,
      `--service-account-signing-key-file=${f.saKey}`,
      '--allow-privileged=true',
      '--profiling=false',
      ...(opts.extraApiserverArgs ?? []),
    ], logs.kubeApiserver, dir);
    self.children.push(api);

    const tls: TlsClient = { ca: servingCA.certPem, cert: admin.certPem, key: admin.keyPem };
    const readyTimeoutMs = opts.readyTimeoutMs ?? 120_000;
    const check = async (what: string, p: string): Promise<void> => {
      await waitFor(what, async () => {
        if (exited(api)) throw new GiveUp(`kube-apiserver exited (${api.exitCode ?? api.signalCode})`);
        return (await httpsGet(server + p, tls)).status === 200;
      }, { timeoutMs: readyTimeoutMs, intervalMs: 250 }).catch((e) => {
        throw new Error(`${(e as Error).message}\n--- kube-apiserver log (tail) ---\n${tail(logs.kubeApiserver)}`);
      });
    };
    await check('kube-apiserver /readyz', '/readyz');
    await check('namespace default', '/api/v1/namespaces/default');
    say(`kube-apiserver ${binaries.kubeApiserver.path} (${binaries.kubeApiserver.source}) ready at ${server} in ${Math.round(performance.now() - ta)} ms`);

    const kubeconfigPath = opts.kubeconfigPath ?? path.join(dir, 'kubeconfig');
    writeKubeconfig(kubeconfigPath, server, servingCA.certPem, admin.certPem, admin.keyPem);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfigPath);
    self.conversion = await startConversionServer();
    let nodeNames: string[] = [];
    if (opts.nodes) {
      const components = await startNodeComponents({
        binaries: { kubeControllerManager: binaries.kubeControllerManager.path, kubeScheduler: binaries.kubeScheduler.path, kwok: binaries.kwok.path },
        kubeConfig,
        kubeconfigPath,
        files: { servingCA: f.servingCA, saKey: f.saKey },
        nodes: opts.nodes,
        readyDelayMs: opts.containerReadyDelayMs,
        readinessProbe: opts.readinessProbe,
        spawn: (name, bin, args) => {
          logs[name] = path.join(dir, `${name}.log`);
          const child = spawnLogged(bin, args, logs[name]!, dir);
          self.children.push(child);
          return child;
        },
        say,
        log,
        waitFor: (what, fn, o) => waitFor(what, async () => {
          const dead = self.children.find(exited);
          if (dead) {
            const name = Object.keys(logs)[self.children.indexOf(dead)]!;
            throw new GiveUp(`${name} exited (${dead.exitCode ?? dead.signalCode})\n--- ${name} log (tail) ---\n${tail(logs[name]!)}`);
          }
          return fn();
        }, o),
      });
      simulator = components.simulator;
      nodeNames = components.nodeNames;
    }
    say(`control plane up in ${Math.round(performance.now() - t0)} ms; KUBECONFIG=${kubeconfigPath}`);

    return {
      ...clusterFrom(server, kubeconfigPath, kubeConfig, { url: self.conversion.url, caPem: self.conversion.caPem }),
      dir,
      etcdUrl,
      pids: { etcd: etcd.pid!, kubeApiserver: api.pid! },
      logs,
      nodeNames,
      binaries,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

export function writeKubeconfig(file: string, server: string, caPem: string, certPem: string, keyPem: string): void {
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'sidecarset-test', cluster: { server, 'certificate-authority-data': b64(caPem) } }],
    users: [{ name: 'admin', user: { 'client-certificate-data': b64(certPem), 'client-key-data': b64(keyPem) } }],
    contexts: [{ name: 'sidecarset-test', context: { cluster: 'sidecarset-test', user: 'admin' } }],
    'current-context': 'sidecarset-test',
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, YAML.stringify(doc), { mode: 0o600 });
}

// ---------------------------------------------------------------------------------------------
// Sharing one control plane across test files

/** Written by the global setup, read by test files (paths only: the files live in the owner's dir). */
export interface SharedState {
  server: string;
  kubeconfigPath: string;
  ownerPid: number;
  /** Served by the owner process for the whole run. */
  conversion: ConversionTarget;
}

export function connectCluster(state: SharedState): Cluster {
  const kc = new KubeConfig();
  kc.loadFromFile(state.kubeconfigPath);
  return clusterFrom(state.server, state.kubeconfigPath, kc, state.conversion);
}

let privatePlane: Promise<Cluster | undefined> | undefined;

/**
 * The control plane for an integration test file: the shared one when the run has the global
 * setup (test/control-plane/global-setup.ts), else one private to this process (slower: use the
 * npm script). Resolves undefined when binaries are missing, after printing one loud line,
 * unless SIDECARSET_REQUIRE_CONTROL_PLANE=1 (or SIDECARSET_REQUIRE_INTEGRATION=1): then it throws.
 * Pass `SKIP_REASON` as the suite's `skip` option when it resolves undefined.
 */
export async function testControlPlane(): Promise<Cluster | undefined> {
  const shared = process.env[SHARED_ENV];
  if (shared === 'unavailable') return undefined; // the global setup already said why, once
  if (shared) return connectCluster(JSON.parse(fs.readFileSync(shared, 'utf8')) as SharedState);
  privatePlane ??= (async () => {
    if (!binariesOrSkip()) {
      process.stderr.write(skippedBanner(1));
      return undefined;
    }
    log('no shared control plane (run through `npm run test:integration` to share one); starting a private one');
    const cp = await startControlPlane();
    const { after } = await import('node:test');
    after(() => cp.stop());
    return cp;
  })();
  return privatePlane;
}
