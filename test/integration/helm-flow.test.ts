// The newcomer's flow, end to end, on a real kube-apiserver:
//   helm install -> operator up -> kubectl apply -f deploy/examples/ -> injected Pods ->
//   kubectl get sidecarsets -> helm upgrade -> helm uninstall.
//
// Everything the chart renders is installed by the real helm, untouched: the webhook
// configurations keep their `service:` clientConfig, the operator creates its own certificate
// (self mode) for <service>.<namespace>.svc and patches the caBundle itself. There is no kubelet
// and no kube-proxy, so two pieces stand in for them:
//   - the operator runs as a child process, `node src/cli/main.ts` with the Deployment's args
//     (only the listening ports, the cert dir, the bind address and the kubeconfig differ), as
//     the chart's ServiceAccount (a TokenRequest token): a verb missing from the chart's RBAC
//     breaks the flow;
//   - the apiserver's egress selector sends its connections to Services ("cluster" traffic)
//     through an HTTP CONNECT proxy on a unix socket in this process, which routes the webhook
//     and conversion Services' ClusterIP:443 -> targetPort -> the operator's port, as kube-proxy would.
// This file starts a control plane of its own: cluster-wide webhooks must not reach other suites.

import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AdmissionregistrationV1Api,
  ApiextensionsV1Api,
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  KubernetesObjectApi,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesObject,
  type V1Pod,
} from '@kubernetes/client-node';
import YAML from 'yaml';
import {
  ANNOTATION_INJECTED_LIST,
  ANNOTATION_SIDECARSET_HASH,
  LABEL_INJECT,
  LABEL_INJECT_OPT_OUT_VALUE,
  type SidecarSet,
} from '../../src/api/sidecarset.ts';
import {
  REQUIRE_ENV,
  SKIP_REASON,
  binariesAvailable,
  errorCode,
  freePorts,
  startControlPlane,
  waitFor,
  type ControlPlane,
} from '../control-plane/harness.ts';
import { CHART_DIR, REPO_ROOT, ensureHelmTools, runHelm, type HelmResult } from '../support/helm.ts';

const RELEASE = 'sidecarset';
const NS = 'sidecarset-system';
const EXAMPLES = path.join(REPO_ROOT, 'deploy/examples');
const GVR = { group: 'apps.kruise.io', version: 'v1alpha1', plural: 'sidecarsets' };
/** The storage version: read without the conversion webhook. */
const STORAGE_GVR = { ...GVR, version: 'v1beta1' };
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

const available = binariesAvailable();
if (!available && (process.env[REQUIRE_ENV] === '1' || process.env.SIDECARSET_REQUIRE_INTEGRATION === '1')) {
  throw new Error(`integration tier required but ${SKIP_REASON}`);
}

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: any }; [k: string]: any };

function readExamples(): Obj[] {
  const files = fs.existsSync(EXAMPLES) ? fs.readdirSync(EXAMPLES).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
  return files.flatMap((f) =>
    YAML.parseAllDocuments(fs.readFileSync(path.join(EXAMPLES, f), 'utf8'))
      .map((d) => d.toJS() as Obj | null)
      .filter((o): o is Obj => o !== null && typeof o === 'object'),
  );
}

/** Labels that satisfy a label selector (matchLabels plus the first value of each In). */
function labelsFor(selector: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> }): Record<string, string> {
  const labels = { ...(selector.matchLabels ?? {}) };
  for (const e of selector.matchExpressions ?? []) {
    if (e.operator === 'In') labels[e.key] = e.values![0]!;
    else if (e.operator === 'Exists') labels[e.key] = 'x';
  }
  return labels;
}

// ---------------------------------------------------------------------------------------------
// kube-proxy stand-in: the apiserver's "cluster" egress, as an HTTP CONNECT proxy on a unix socket

interface EgressProxy {
  socketPath: string;
  /** ClusterIP:port -> local port, filled in once the Service and the operator exist. */
  routes: Map<string, number>;
  /** Every CONNECT target, for the assertion that the apiserver really came through here. */
  seen: string[];
  close(): Promise<void>;
}

async function startEgressProxy(dir: string): Promise<EgressProxy> {
  const socketPath = path.join(dir, 'egress.sock');
  const routes = new Map<string, number>();
  const seen: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = req.url ?? '';
    seen.push(target);
    const port = routes.get(target);
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (port === undefined) {
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    const upstream = net.connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    socketPath,
    routes,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// The operator, as the Deployment would run it

interface OperatorProcess {
  child: ChildProcess;
  logFile: string;
  ports: { webhook: number; metrics: number };
  exited: Promise<number | null>;
  /** Rejects as soon as the operator logs an RBAC denial (a verb missing from the chart). */
  denied: Promise<never>;
  stopWatching(): void;
}

const DENIAL = /is forbidden: User \\?"system:serviceaccount:[^"\\]+\\?" cannot [^}]{0,200}/;

function logTail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function httpStatus(url: string): Promise<number> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return res.status;
}

/**
 * The Deployment's container args with the in-Pod paths and ports swapped for local ones. Every
 * other flag is passed exactly as rendered, so a flag the CLI does not know fails here.
 */
function localArgs(deploymentArgs: string[], local: { webhook: number; metrics: number; certDir: string; kubeconfig: string }): string[] {
  const [command, ...flags] = deploymentArgs;
  assert.equal(command, 'serve');
  const replaced = new Map([
    ['--port', String(local.webhook)],
    ['--metrics-port', String(local.metrics)],
    ['--cert-dir', local.certDir],
  ]);
  const out = flags.map((f) => {
    const name = f.split('=')[0]!;
    return replaced.has(name) ? `${name}=${replaced.get(name)}` : f;
  });
  for (const name of replaced.keys()) assert.ok(flags.some((f) => f.startsWith(`${name}=`)), `Deployment passes ${name}`);
  // Not in the Deployment: in-cluster config and all interfaces are right there, not here.
  return ['serve', ...out, `--kubeconfig=${local.kubeconfig}`, '--bind-address=127.0.0.1'];
}

async function startOperatorProcess(args: string[], env: Record<string, string>, logFile: string): Promise<OperatorProcess> {
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'src/cli/main.ts'), ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.tmpdir(), ...env },
    stdio: ['ignore', fd, fd],
  });
  fs.closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const flag = (name: string): number => Number(args.find((a) => a.startsWith(`${name}=`))!.split('=')[1]);
  let timer: NodeJS.Timeout | undefined;
  const denied = new Promise<never>((_resolve, reject) => {
    timer = setInterval(() => {
      const match = DENIAL.exec(fs.readFileSync(logFile, 'utf8'));
      if (match) {
        clearInterval(timer);
        reject(new Error(`the chart's RBAC denied the operator: ${match[0]}`));
      }
    }, 250);
  });
  denied.catch(() => {}); // observed through guard(); never an unhandled rejection
  return { child, logFile, exited, denied, stopWatching: () => clearInterval(timer), ports: { webhook: flag('--port'), metrics: flag('--metrics-port') } };
}

// ---------------------------------------------------------------------------------------------

describe('helm install, then the newcomer flow, on a real kube-apiserver', { skip: available ? false : SKIP_REASON, timeout: 600_000 }, () => {
  let dir: string;
  let proxy: EgressProxy;
  let cp: ControlPlane;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let objects: CustomObjectsApi;
  let admission: AdmissionregistrationV1Api;
  let operator: OperatorProcess | undefined;
  let deploymentArgs: string[];
  let serviceAccount: string;
  let sidecarSet: SidecarSet;
  let appNamespace: string;
  /** A Pod like the examples' workload would create, selected by the SidecarSet. */
  let podNamed: (name: string, extraLabels?: Record<string, string>) => V1Pod;
  const tools = available ? ensureHelmTools() : undefined;

  const helm = (...args: string[]): HelmResult => runHelm([...args, '--kubeconfig', cp.kubeconfigPath]);
  const kubectl = (...args: string[]): string => {
    const res = spawnSync(tools!.kubectl, ['--kubeconfig', cp.kubeconfigPath, ...args], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(res.status, 0, `kubectl ${args.join(' ')}:\n${res.stderr}`);
    return res.stdout;
  };
  const operatorLog = (): string => (operator ? `\n--- operator log (tail) ---\n${logTail(operator.logFile)}` : '');
  /** Waits for p, failing at once if the operator meanwhile hits an RBAC denial. */
  const guard = <T>(p: Promise<T>): Promise<T> => (operator ? Promise.race([p, operator.denied]) : p);

  // The steps build on each other: after a failure the rest are skipped, not failed again.
  let broken: string | undefined;
  const step = (name: string, fn: () => Promise<void>): void => {
    it(name, async (t) => {
      if (broken) return t.skip(`an earlier step failed: ${broken}`);
      try {
        await fn();
      } catch (e) {
        broken = name;
        throw e;
      }
    });
  };

  async function newNamespace(name: string): Promise<void> {
    await core.createNamespace({ body: { metadata: { name } } });
    // The ServiceAccount admission plugin needs it before it admits Pods (no controller-manager here).
    await core.createNamespacedServiceAccount({ namespace: name, body: { metadata: { name: 'default' } } }).catch((e) => {
      if (errorCode(e) !== 409) throw e;
    });
  }

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sidecarset-helm-flow-'));
    proxy = await startEgressProxy(dir);
    const egressConfig = path.join(dir, 'egress-selector.yaml');
    fs.writeFileSync(egressConfig, YAML.stringify({
      apiVersion: 'apiserver.k8s.io/v1beta1',
      kind: 'EgressSelectorConfiguration',
      egressSelections: [{ name: 'cluster', connection: { proxyProtocol: 'HTTPConnect', transport: { uds: { udsName: proxy.socketPath } } } }],
    }));
    cp = await startControlPlane({ extraApiserverArgs: [`--egress-selector-config-file=${egressConfig}`] });
    kc = cp.kubeConfig;
    core = kc.makeApiClient(CoreV1Api);
    objects = kc.makeApiClient(CustomObjectsApi);
    admission = kc.makeApiClient(AdmissionregistrationV1Api);
  });

  after(async () => {
    operator?.stopWatching();
    if (operator && operator.child.exitCode === null && operator.child.signalCode === null) operator.child.kill('SIGKILL');
    await cp?.stop();
    await proxy?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  step('helm install renders and applies the chart (CRD included) and prints the next steps', async () => {
    const res = helm('install', RELEASE, CHART_DIR, '--namespace', NS, '--create-namespace');
    assert.equal(res.status, 0, `helm install:\n${res.stderr}`);
    assert.match(res.stdout, /STATUS: deployed/);
    assert.match(res.stdout, /kubectl apply -f deploy\/examples\//, 'NOTES tell what to do next');
    assert.match(res.stdout, /kubectl get sidecarsets/);

    await waitFor('CRD Established', async () => {
      const crd = await kc.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name: 'sidecarsets.apps.kruise.io' });
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    });
    await waitFor('sidecarsets served', async () => {
      await objects.listClusterCustomObject(STORAGE_GVR);
      return true;
    });

    const deployment = await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: RELEASE, namespace: NS });
    const container = deployment.spec!.template.spec!.containers[0]!;
    deploymentArgs = container.args!;
    serviceAccount = deployment.spec!.template.spec!.serviceAccountName!;
    await core.readNamespacedServiceAccount({ name: serviceAccount, namespace: NS });
    // No controller-manager: create the namespace's default ServiceAccount for the Pod below.
    await core.createNamespacedServiceAccount({ namespace: NS, body: { metadata: { name: 'default' } } }).catch((e) => {
      if (errorCode(e) !== 409) throw e;
    });
  });

  step('the operator starts with the Deployment flags, as the chart ServiceAccount, and becomes ready', async () => {
    // The Service routes 443 -> targetPort (a named container port) -> the Pod; here the Pod is us.
    const service = await core.readNamespacedService({ name: `${RELEASE}-webhook`, namespace: NS });
    const servicePort = service.spec!.ports!.find((p) => p.port === 443)!;
    const deployment = await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: RELEASE, namespace: NS });
    const containerPort = deployment.spec!.template.spec!.containers[0]!.ports!.find((p) => p.name === servicePort.targetPort)!.containerPort;
    assert.equal(deploymentArgs.find((a) => a.startsWith('--port=')), `--port=${containerPort}`, 'Service targetPort is the --port');

    const token = await core.createNamespacedServiceAccountToken({
      name: serviceAccount,
      namespace: NS,
      body: { spec: { audiences: [], expirationSeconds: 3600 } },
    });
    const cluster = kc.getCurrentCluster()!;
    const kubeconfig = path.join(dir, 'operator.kubeconfig');
    const user = `system:serviceaccount:${NS}:${serviceAccount}`;
    fs.writeFileSync(kubeconfig, YAML.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'test', cluster: { server: cluster.server, 'certificate-authority-data': cluster.caData } }],
      users: [{ name: user, user: { token: token.status!.token } }],
      contexts: [{ name: 'operator', context: { cluster: 'test', user } }],
      'current-context': 'operator',
    }), { mode: 0o600 });

    const [webhookPort, metricsPort] = await freePorts(2);
    const certDir = path.join(dir, 'webhook-certs');
    const args = localArgs(deploymentArgs, { webhook: webhookPort!, metrics: metricsPort!, certDir, kubeconfig });
    operator = await startOperatorProcess(args, { POD_NAMESPACE: NS, POD_NAME: `${RELEASE}-test` }, path.join(dir, 'operator.log'));
    proxy.routes.set(`${service.spec!.clusterIP}:443`, webhookPort!);
    const conversionService = await core.readNamespacedService({ name: `${RELEASE}-conversion`, namespace: NS });
    proxy.routes.set(`${conversionService.spec!.clusterIP}:443`, webhookPort!);

    // Fail at once, with the operator's log, if it exits instead of becoming ready.
    const exited = operator.exited.then((code) => assert.fail(`operator exited (${code})${operatorLog()}`));
    for (const probe of ['healthz', 'readyz']) {
      await Promise.race([
        exited,
        operator.denied,
        waitFor(`operator /${probe}`, async () => (await httpStatus(`http://127.0.0.1:${metricsPort}/${probe}`)) === 200, { timeoutMs: 60_000 })
          .catch((e) => assert.fail(`${(e as Error).message}${operatorLog()}`)),
      ]);
    }
    exited.catch(() => {}); // a later exit is the SIGTERM step's business
  });

  step('self mode: the operator keeps its certificate in a Secret and fills every caBundle', async () => {
    const secretName = deploymentArgs.find((a) => a.startsWith('--secret-name='))!.split('=')[1]!;
    await guard(waitFor(`Secret ${secretName}`, () => core.readNamespacedSecret({ name: secretName, namespace: NS }), { timeoutMs: 30_000 }))
      .catch((e) => assert.fail(`${(e as Error).message}${operatorLog()}`));
    const configs = await guard(waitFor('caBundle in both webhook configurations', async () => {
      const m = await admission.readMutatingWebhookConfiguration({ name: `${RELEASE}-mutating-webhook-configuration` });
      const v = await admission.readValidatingWebhookConfiguration({ name: `${RELEASE}-validating-webhook-configuration` });
      const all = [...(m.webhooks ?? []), ...(v.webhooks ?? [])];
      return all.length === 3 && all.every((w) => w.clientConfig.caBundle) ? all : undefined;
    }, { timeoutMs: 30_000 })).catch((e) => assert.fail(`${(e as Error).message}${operatorLog()}`));
    // Only the caBundle changed: the Service reference is the chart's.
    for (const w of configs) {
      assert.equal(w.clientConfig.url, undefined);
      assert.equal(w.clientConfig.service?.name, `${RELEASE}-webhook`);
      assert.equal(w.clientConfig.service?.namespace, NS);
    }
  });

  step('kubectl apply -f deploy/examples/: the SidecarSet is defaulted and validated by the webhooks', async () => {
    const examples = readExamples();
    const sets = examples.filter((o) => o.kind === 'SidecarSet');
    assert.ok(sets.length >= 1, 'deploy/examples/ holds a SidecarSet');
    // `kubectl apply -n demo -f deploy/examples/`: SidecarSets first (cluster-scoped), then the rest
    // (ConfigMaps, workloads) in the application namespace.
    appNamespace = 'demo';
    await newNamespace(appNamespace);
    const seenBefore = proxy.seen.length;
    for (const s of sets) {
      await objects.createClusterCustomObject({ ...GVR, body: s }).catch((e) => assert.fail(`create SidecarSet ${s.metadata.name}: ${String((e as { body?: unknown }).body ?? e)}${operatorLog()}`));
    }
    const generic = KubernetesObjectApi.makeApiClient(kc);
    for (const o of examples.filter((x) => x.kind !== 'SidecarSet')) {
      await generic.create({ ...o, metadata: { ...o.metadata, namespace: appNamespace } } as KubernetesObject);
    }
    sidecarSet = (await objects.getClusterCustomObject({ ...GVR, name: sets[0]!.metadata.name })) as SidecarSet;
    assert.ok(sidecarSet.metadata.annotations?.[ANNOTATION_SIDECARSET_HASH], 'defaulting webhook set the hash annotation');
    assert.equal(sidecarSet.spec.updateStrategy?.type ?? 'unset', sets[0]!.spec.updateStrategy?.type ?? 'RollingUpdate');
    assert.equal(sidecarSet.spec.revisionHistoryLimit ?? 'unset', sets[0]!.spec.revisionHistoryLimit ?? 10);
    for (const c of sidecarSet.spec.containers ?? []) assert.ok(c.podInjectPolicy, `containers[${c.name}].podInjectPolicy defaulted`);
    assert.ok(proxy.seen.length > seenBefore, 'the apiserver reached the webhook through the Service');

    // The validating webhook refuses what the schema alone lets through (duplicate container names).
    const bad = structuredClone(sets[0]!);
    bad.metadata = { name: 'invalid-duplicate-containers' };
    const first = bad.spec.containers[0];
    bad.spec.containers = [first, { ...first }];
    await assert.rejects(objects.createClusterCustomObject({ ...GVR, body: bad }), (e: unknown) => {
      const body = JSON.stringify((e as { body?: unknown }).body ?? '');
      assert.match(body, /vsidecarset\.kb\.io/, body);
      assert.equal(errorCode(e), 422, body);
      return true;
    });
  });

  step('Pods the SidecarSet selects are injected; opted-out Pods and the operator namespace are not', async () => {
    const containers = (sidecarSet.spec.containers ?? []).map((c) => c.name);
    assert.ok(containers.length > 0);
    const labels = labelsFor(sidecarSet.spec.selector ?? {});
    // What the examples' workload would create (no controller-manager here), else a minimal Pod.
    const workload = readExamples().find((o) => o.kind === 'Pod' || o.spec?.template?.spec);
    const template: Obj = workload?.kind === 'Pod'
      ? workload
      : workload
        ? { apiVersion: 'v1', kind: 'Pod', metadata: workload.spec.template.metadata ?? {}, spec: workload.spec.template.spec }
        : { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'app', labels }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } };
    podNamed = (name: string, extraLabels: Record<string, string> = {}): V1Pod => {
      const p = structuredClone(template) as V1Pod;
      p.metadata = { ...p.metadata, name, namespace: undefined, labels: { ...labels, ...(p.metadata?.labels ?? {}), ...extraLabels } };
      return p;
    };
    const names = (p: V1Pod): string[] => p.spec!.containers.map((c) => c.name);

    for (const name of ['app-1', 'app-2']) {
      const pod = await core.createNamespacedPod({ namespace: appNamespace, body: podNamed(name) });
      for (const c of containers) assert.ok(names(pod).includes(c), `${name} got sidecar ${c}: ${names(pod).join(',')}${operatorLog()}`);
      const injected = (pod.metadata?.annotations?.[ANNOTATION_INJECTED_LIST] ?? '').split(',');
      assert.ok(injected.includes(sidecarSet.metadata.name!), `${ANNOTATION_INJECTED_LIST} names the SidecarSet`);
    }
    const optedOut = await core.createNamespacedPod({ namespace: appNamespace, body: podNamed('opted-out', { [LABEL_INJECT]: LABEL_INJECT_OPT_OUT_VALUE }) });
    for (const c of containers) assert.ok(!names(optedOut).includes(c), 'opt-out label honoured');
    const own = await core.createNamespacedPod({ namespace: NS, body: podNamed('in-operator-namespace') });
    for (const c of containers) assert.ok(!names(own).includes(c), 'operator namespace excluded');
  });

  step('status follows the Pods: kubectl get sidecarsets shows MATCHED / UPDATED / READY', async () => {
    // The examples' own Pods were injected when applied, and count too.
    const pods = ['app-1', 'app-2', ...readExamples().filter((o) => o.kind === 'Pod').map((o) => o.metadata.name as string)];
    const count = pods.length;
    for (const name of pods) {
      const pod = await core.readNamespacedPod({ name, namespace: appNamespace });
      const now = new Date().toISOString();
      const status = {
        phase: 'Running',
        conditions: [
          { type: 'Initialized', status: 'True', lastTransitionTime: now },
          { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
          { type: 'Ready', status: 'True', lastTransitionTime: now },
        ],
        containerStatuses: pod.spec!.containers.map((c) => ({
          name: c.name,
          image: c.image,
          imageID: `docker.io/library/${c.image}@sha256:${'0'.repeat(64)}`,
          ready: true,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: now } },
        })),
      };
      await core.patchNamespacedPodStatus({ name, namespace: appNamespace, body: { status } }, MERGE_PATCH);
    }
    const name = sidecarSet.metadata.name!;
    await guard(waitFor(`SidecarSet status ${count}/${count}/${count}`, async () => {
      const s = (await objects.getClusterCustomObject({ ...GVR, name })) as SidecarSet;
      return s.status?.matchedPods === count && s.status.updatedPods === count && s.status.readyPods === count;
    }, { timeoutMs: 60_000 })).catch((e) => assert.fail(`${(e as Error).message}${operatorLog()}`));

    const table = kubectl('get', 'sidecarsets', name).trim().split('\n');
    assert.deepEqual(table[0]!.split(/\s+/), ['NAME', 'MATCHED', 'UPDATED', 'READY', 'AGE']);
    assert.deepEqual(table[1]!.split(/\s+/).slice(0, 4), [name, String(count), String(count), String(count)]);

    // Revisions live in the operator's namespace; the leader holds the chart's Lease there.
    const revisions = await kc.makeApiClient(AppsV1Api).listNamespacedControllerRevision({ namespace: NS });
    assert.ok(revisions.items.some((r) => r.metadata?.labels?.['kruise.io/sidecarset-name'] === name), 'ControllerRevision in the operator namespace');
    const leaseName = deploymentArgs.find((a) => a.startsWith('--leader-election-id='))!.split('=')[1]!;
    const lease = await kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: leaseName, namespace: NS });
    assert.ok(lease.spec?.holderIdentity, 'a leader holds the Lease');
  });

  step('helm upgrade keeps the operator-written caBundle (lookup), and injection goes on', async () => {
    const before = await admission.readMutatingWebhookConfiguration({ name: `${RELEASE}-mutating-webhook-configuration` });
    const res = helm('upgrade', RELEASE, CHART_DIR, '--namespace', NS, '--reuse-values', '--set', 'logLevel=debug');
    assert.equal(res.status, 0, `helm upgrade:\n${res.stderr}`);
    const manifest = helm('get', 'manifest', RELEASE, '--namespace', NS);
    assert.equal(manifest.status, 0, manifest.stderr);
    const rendered = YAML.parseAllDocuments(manifest.stdout).map((d) => d.toJS()).filter((o) => o?.kind === 'MutatingWebhookConfiguration');
    assert.equal(rendered.length, 1);
    for (const w of rendered[0].webhooks) {
      const live = before.webhooks!.find((x) => x.name === w.name)!;
      assert.equal(w.clientConfig.caBundle, live.clientConfig.caBundle, `${w.name}: upgrade renders the live caBundle`);
    }
    const afterUpgrade = await admission.readMutatingWebhookConfiguration({ name: `${RELEASE}-mutating-webhook-configuration` });
    for (const w of afterUpgrade.webhooks!) assert.ok(w.clientConfig.caBundle);
    const pod = await core.createNamespacedPod({ namespace: appNamespace, body: podNamed('after-upgrade') });
    for (const c of sidecarSet.spec.containers ?? []) assert.ok(pod.spec!.containers.some((x) => x.name === c.name), `after upgrade, ${c.name} injected`);
  });

  step('SIGTERM: not ready at once, still answering during the drain, exits within the grace period', async () => {
    const op = operator!;
    const deployment = await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: RELEASE, namespace: NS });
    const spec = deployment.spec!.template.spec!;
    const preStop = spec.containers[0]!.lifecycle?.preStop?.sleep?.seconds ?? 0;
    const graceMs = (spec.terminationGracePeriodSeconds! - preStop) * 1000;
    const t0 = Date.now();
    op.child.kill('SIGTERM');
    await waitFor('readyz fails after SIGTERM', async () => (await httpStatus(`http://127.0.0.1:${op.ports.metrics}/readyz`)) !== 200, { timeoutMs: 5_000, intervalMs: 100 });
    // The apiserver keeps using this replica during the drain: Pod creations still get injected.
    const pod = await core.createNamespacedPod({ namespace: appNamespace, body: podNamed('during-drain') });
    for (const c of sidecarSet.spec.containers ?? []) assert.ok(pod.spec!.containers.some((x) => x.name === c.name), `during the drain, ${c.name} injected`);
    const code = await Promise.race([op.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs))]);
    assert.equal(code, 0, `operator exit within ${graceMs} ms (took ${Date.now() - t0} ms)${operatorLog()}`);
    op.stopWatching();
    // Denials that did not break a step (an Event, a retry) still mean the chart's RBAC is short.
    assert.doesNotMatch(fs.readFileSync(op.logFile, 'utf8'), DENIAL);
  });

  step('helm uninstall removes the release but keeps the CRD and the SidecarSets', async () => {
    const res = helm('uninstall', RELEASE, '--namespace', NS);
    assert.equal(res.status, 0, `helm uninstall:\n${res.stderr}`);
    for (const read of [
      () => admission.readMutatingWebhookConfiguration({ name: `${RELEASE}-mutating-webhook-configuration` }),
      () => admission.readValidatingWebhookConfiguration({ name: `${RELEASE}-validating-webhook-configuration` }),
      () => kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: RELEASE, namespace: NS }),
    ]) {
      await assert.rejects(read(), (e: unknown) => errorCode(e) === 404);
    }
    // Read in the storage version: v1alpha1 reads need the conversion webhook, which is gone.
    const remaining = (await objects.listClusterCustomObject(STORAGE_GVR)) as { items: SidecarSet[] };
    assert.ok(remaining.items.some((s) => s.metadata.name === sidecarSet.metadata.name), 'SidecarSets survive helm uninstall');
    // Without the webhooks, Pods are admitted as they are.
    const body = podNamed('after-uninstall');
    const pod = await core.createNamespacedPod({ namespace: appNamespace, body });
    assert.deepEqual(pod.spec!.containers.map((c) => c.name), body.spec!.containers.map((c) => c.name));
  });
});
