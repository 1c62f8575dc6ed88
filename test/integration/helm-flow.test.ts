// The newcomer's flow, end to end, on a local cluster with 2 simulated Nodes:
//   helm install -> the chart's Deployment (default replica count) scheduled and Ready ->
//   kubectl apply -f deploy/examples/ -> injected, Ready Pods -> kubectl get sidecarsets ->
//   helm upgrade (a rolling update of the operator) -> helm uninstall.
//
// Everything the chart renders is installed by the real helm, untouched: the webhook
// configurations keep their `service:` clientConfig, the operator creates its own certificate
// (self mode) for <service>.<namespace>.svc and patches the caBundle itself. The controller-manager
// makes the Deployment's Pods, the scheduler binds them, the simulated kubelet runs them. What a
// node would do with the operator's own container, and kube-proxy, are stood in for here:
//   - each of the Deployment's Pods gets an operator child process, `node src/cli/main.ts` with
//     that Pod's container args (only the listening ports, the cert dir, the bind address and the
//     kubeconfig differ) and POD_NAME, as the chart's ServiceAccount (a TokenRequest token): a
//     verb missing from the chart's RBAC breaks the flow. A Pod that goes away has its process
//     SIGTERMed. The simulated kubelet's readiness probe for the Pod is that process' /readyz;
//   - the apiserver's egress selector sends its connections to Services ("cluster" traffic)
//     through an HTTP CONNECT proxy on a unix socket in this process, which routes the webhook
//     and conversion Services' ClusterIP:443 to the ready endpoints of their EndpointSlices,
//     round robin, as kube-proxy would, and from a Pod's IP to its process' webhook port.
// This file starts a cluster of its own: cluster-wide webhooks must not reach other suites.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
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
  DiscoveryV1Api,
  PolicyV1Api,
  type KubeConfig,
  type V1Pod,
} from '@kubernetes/client-node';
import YAML from 'yaml';
import {
  ANNOTATION_INJECTED_LIST,
  ANNOTATION_SIDECARSET_HASH,
  LABEL_INJECT,
  LABEL_INJECT_OPT_OUT_VALUE,
  LABEL_SIDECARSET_NAME,
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
import { kubectlRunner } from '../support/kubectl.ts';
import { CHART_DIR, REPO_ROOT, runHelm, type HelmResult } from '../support/helm.ts';

const RELEASE = 'sidecarset';
const NS = 'sidecarset-system';
const EXAMPLES = path.join(REPO_ROOT, 'deploy/examples');
const GVR = { group: 'apps.kruise.io', version: 'v1alpha1', plural: 'sidecarsets' };
/** The storage version: read without the conversion webhook. */
const STORAGE_GVR = { ...GVR, version: 'v1beta1' };

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

// ---------------------------------------------------------------------------------------------
// kube-proxy stand-in: the apiserver's "cluster" egress, as an HTTP CONNECT proxy on a unix socket

interface EgressProxy {
  socketPath: string;
  /** Where a CONNECT target (ClusterIP:port) goes: a local port, or undefined for 502. */
  route: (target: string) => Promise<number | undefined>;
  /** Every CONNECT target, for the assertion that the apiserver really came through here. */
  seen: string[];
  close(): Promise<void>;
}

async function startEgressProxy(dir: string): Promise<EgressProxy> {
  const socketPath = path.join(dir, 'egress.sock');
  const seen: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  const proxy: EgressProxy = {
    socketPath,
    route: async () => undefined,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  server.on('connect', async (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = req.url ?? '';
    seen.push(target);
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    const port = await proxy.route(target).catch(() => undefined);
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
  return proxy;
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

/** One Prometheus sample value summed over the series whose labels include `labels`. */
function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

/** The operator process standing in for one of the Deployment's Pods. */
interface Replica {
  pod: string;
  podIP: string;
  process: OperatorProcess;
}

describe('helm install, then the newcomer flow, on a local cluster with simulated nodes', { skip: available ? false : SKIP_REASON, timeout: 600_000 }, () => {
  let dir: string;
  let proxy: EgressProxy;
  let cp: ControlPlane;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let objects: CustomObjectsApi;
  let admission: AdmissionregistrationV1Api;
  let deploymentArgs: string[];
  let serviceAccount: string;
  let sidecarSet: SidecarSet;
  const appNamespace = 'demo';
  /** Pod name -> its operator process; retired: the processes of Pods that went away. */
  const replicas = new Map<string, Replica>();
  const retired: Replica[] = [];
  let supervisor: NodeJS.Timeout | undefined;
  /** A Pod like the examples' workload creates, selected by the SidecarSet. */
  let podNamed: (name: string, extraLabels?: Record<string, string>) => V1Pod;

  const helm = (...args: string[]): HelmResult => runHelm([...args, '--kubeconfig', cp.kubeconfigPath]);
  /** The apiserver's own version of kubectl, as `npm run dev` prints it. */
  const kubectl = async (...args: string[]): Promise<string> => {
    const res = await kubectlRunner(cp.binaries.kubectl.path, cp.kubeconfigPath, REPO_ROOT)(...args);
    assert.equal(res.status, 0, `kubectl ${args.join(' ')}:\n${res.stderr}`);
    return res.stdout;
  };
  const all = (): Replica[] => [...replicas.values(), ...retired];
  const operatorLog = (): string => all().map((r) => `\n--- operator log of ${r.pod} (tail) ---\n${logTail(r.process.logFile)}`).join('');
  /** Waits for p, failing at once if an operator meanwhile hits an RBAC denial. */
  const guard = <T>(p: Promise<T>): Promise<T> => Promise.race([p, ...all().map((r) => r.process.denied)]);
  const metrics = async (r: Replica): Promise<string> => (await fetch(`http://127.0.0.1:${r.process.ports.metrics}/metrics`)).text();
  const isOperatorPod = (pod: { metadata?: { namespace?: string; ownerReferences?: Array<{ kind: string }> } }): boolean =>
    pod.metadata?.namespace === NS && (pod.metadata.ownerReferences ?? []).some((o) => o.kind === 'ReplicaSet');

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

  /** The kubelet's part for the chart's Pods: one operator process per running Pod, SIGTERM when it goes. */
  function superviseReplicas(kubeconfig: string): void {
    let syncing = false;
    const sync = async (): Promise<void> => {
      const pods = (await core.listNamespacedPod({ namespace: NS })).items.filter(isOperatorPod);
      for (const pod of pods) {
        const name = pod.metadata!.name!;
        if (pod.metadata!.deletionTimestamp || !pod.status?.podIP || replicas.has(name)) continue;
        const [webhookPort, metricsPort] = await freePorts(2);
        const args = localArgs(pod.spec!.containers[0]!.args!, { webhook: webhookPort!, metrics: metricsPort!, certDir: path.join(dir, `certs-${name}`), kubeconfig });
        const process = await startOperatorProcess(args, { POD_NAMESPACE: NS, POD_NAME: name }, path.join(dir, `operator-${name}.log`));
        replicas.set(name, { pod: name, podIP: pod.status.podIP, process });
      }
      for (const [name, r] of replicas) {
        if (pods.some((p) => p.metadata!.name === name && !p.metadata!.deletionTimestamp)) continue;
        r.process.child.kill('SIGTERM');
        replicas.delete(name);
        retired.push(r);
      }
    };
    supervisor = setInterval(() => {
      if (syncing) return;
      syncing = true;
      sync().catch(() => undefined).finally(() => (syncing = false));
    }, 300);
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
    cp = await startControlPlane({
      nodes: 2,
      extraApiserverArgs: [`--egress-selector-config-file=${egressConfig}`],
      // The chart's readinessProbe (/readyz on the metrics port), run against the Pod's process.
      readinessProbe: async (pod) => {
        if (!isOperatorPod(pod)) return undefined;
        const r = replicas.get(pod.metadata.name);
        return r !== undefined && (await httpStatus(`http://127.0.0.1:${r.process.ports.metrics}/readyz`).catch(() => 0)) === 200;
      },
    });
    kc = cp.kubeConfig;
    core = kc.makeApiClient(CoreV1Api);
    objects = kc.makeApiClient(CustomObjectsApi);
    admission = kc.makeApiClient(AdmissionregistrationV1Api);
  });

  after(async () => {
    clearInterval(supervisor);
    for (const r of all()) {
      r.process.stopWatching();
      if (r.process.child.exitCode === null && r.process.child.signalCode === null) r.process.child.kill('SIGKILL');
    }
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
  });

  step('the Deployment\'s replicas are scheduled on kwok Nodes, run as the chart ServiceAccount, and become Ready; the PDB is satisfied', async () => {
    const deployment = await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: RELEASE, namespace: NS });
    const defaults = YAML.parse(fs.readFileSync(path.join(CHART_DIR, 'values.yaml'), 'utf8')) as { replicaCount: number };
    assert.equal(deployment.spec!.replicas, defaults.replicaCount, 'the chart\'s default replica count');
    assert.ok(defaults.replicaCount >= 2);
    // The Service routes 443 -> targetPort (a named container port) -> the Pods' port.
    const service = await core.readNamespacedService({ name: `${RELEASE}-webhook`, namespace: NS });
    const servicePort = service.spec!.ports!.find((p) => p.port === 443)!;
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

    // kube-proxy: ClusterIP:443 -> the ready endpoints of the Service's EndpointSlices, round robin.
    // The conversion Service targets the same port of the same Pods.
    const conversionService = await core.readNamespacedService({ name: `${RELEASE}-conversion`, namespace: NS });
    const routed = new Map([service, conversionService].map((s) => [`${s.spec!.clusterIP}:443`, s.metadata!.name!]));
    const discovery = kc.makeApiClient(DiscoveryV1Api);
    let next = 0;
    proxy.route = async (target) => {
      const serviceName = routed.get(target);
      if (!serviceName) return undefined;
      const slices = await discovery.listNamespacedEndpointSlice({ namespace: NS, labelSelector: `kubernetes.io/service-name=${serviceName}` });
      const endpoints = slices.items
        .filter((s) => s.ports?.some((p) => p.port === containerPort))
        .flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).flatMap((e) => e.addresses));
      const ports = endpoints.map((ip) => [...replicas.values()].find((r) => r.podIP === ip)?.process.ports.webhook).filter((p) => p !== undefined);
      return ports.length ? ports[next++ % ports.length] : undefined;
    };
    superviseReplicas(kubeconfig);

    await guard(waitFor(`${defaults.replicaCount} replicas Ready`, async () => {
      const d = await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: RELEASE, namespace: NS });
      for (const r of replicas.values()) if (r.process.child.exitCode !== null) assert.fail(`operator of ${r.pod} exited (${r.process.child.exitCode})${operatorLog()}`);
      return d.status?.readyReplicas === defaults.replicaCount;
    }, { timeoutMs: 90_000 })).catch((e) => assert.fail(`${(e as Error).message}${operatorLog()}`));
    const pods = (await core.listNamespacedPod({ namespace: NS })).items.filter(isOperatorPod);
    assert.equal(pods.length, defaults.replicaCount);
    for (const p of pods) assert.ok(cp.nodeNames.includes(p.spec!.nodeName!), `${p.metadata!.name} on a kwok Node (${p.spec!.nodeName})`);
    assert.equal(replicas.size, defaults.replicaCount, 'one operator process per Pod');

    const pdb = await waitFor('PodDisruptionBudget satisfied', async () => {
      const list = await kc.makeApiClient(PolicyV1Api).listNamespacedPodDisruptionBudget({ namespace: NS });
      const b = list.items[0];
      return b && b.status?.currentHealthy === defaults.replicaCount && b.status.currentHealthy >= (b.status.desiredHealthy ?? Infinity) && (b.status.disruptionsAllowed ?? 0) >= 1 ? b : undefined;
    }, { timeoutMs: 30_000 });
    assert.ok(pdb.spec?.minAvailable !== undefined || pdb.spec?.maxUnavailable !== undefined);
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
    // And the CRD's conversion webhook trusts the same CA, through the conversion Service.
    const conversion = await guard(waitFor('caBundle in the CRD conversion webhook', async () => {
      const crd = await kc.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name: 'sidecarsets.apps.kruise.io' });
      return crd.spec.conversion?.webhook?.clientConfig?.caBundle ? crd.spec.conversion.webhook.clientConfig : undefined;
    }, { timeoutMs: 30_000 })).catch((e) => assert.fail(`${(e as Error).message}${operatorLog()}`));
    assert.equal(conversion.caBundle, configs[0].clientConfig.caBundle);
    assert.deepEqual({ ...conversion.service }, { name: `${RELEASE}-conversion`, namespace: NS, path: '/convert', port: 443 });
  });

  step('kubectl apply -n demo -f deploy/examples/ (the apiserver\'s kubectl, its own file order): the SidecarSet is defaulted and validated by the webhooks', async () => {
    await kubectl('create', 'namespace', appNamespace);
    const seenBefore = proxy.seen.length;
    const applied = await kubectl('apply', '-n', appNamespace, '-f', 'deploy/examples/');
    assert.match(applied, /sidecarset\.apps\.kruise\.io\/log-agent created/);
    const sets = readExamples().filter((o) => o.kind === 'SidecarSet');
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

  step('the example Deployment\'s Pods are injected, scheduled, Running and Ready', async () => {
    const containers = (sidecarSet.spec.containers ?? []).map((c) => c.name);
    assert.ok(containers.length > 0);
    const workload = readExamples().find((o) => o.kind === 'Deployment')!;
    const pods = await guard(waitFor('the workload\'s Pods Ready', async () => {
      const list = await core.listNamespacedPod({ namespace: appNamespace, labelSelector: `app=${workload.spec.selector.matchLabels.app}` });
      const ready = list.items.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === workload.spec.replicas ? ready : undefined;
    }, { timeoutMs: 60_000 })).catch((e) => assert.fail(`${(e as Error).message}${operatorLog()}`));
    for (const pod of pods) {
      const names = pod.spec!.containers.map((c) => c.name);
      for (const c of containers) assert.ok(names.includes(c), `${pod.metadata!.name} got sidecar ${c}: ${names.join(',')}`);
      assert.ok((pod.metadata?.annotations?.[ANNOTATION_INJECTED_LIST] ?? '').split(',').includes(sidecarSet.metadata.name!), `${ANNOTATION_INJECTED_LIST} names the SidecarSet`);
      assert.ok(cp.nodeNames.includes(pod.spec!.nodeName!));
      assert.equal(pod.status!.containerStatuses!.length, names.length, 'the sidecar runs too');
    }
    podNamed = (name: string, extraLabels: Record<string, string> = {}): V1Pod => {
      const p = { apiVersion: 'v1', kind: 'Pod', metadata: structuredClone(workload.spec.template.metadata ?? {}), spec: structuredClone(workload.spec.template.spec) } as V1Pod;
      p.metadata = { ...p.metadata, name, labels: { ...(p.metadata?.labels ?? {}), ...extraLabels } };
      return p;
    };
  });

  step('status follows the Pods the simulated kubelet made Ready: kubectl get sidecarsets shows MATCHED / UPDATED / READY', async () => {
    const name = sidecarSet.metadata.name!;
    // The examples' Pods: the Deployment's replicas and the plain Pods.
    const examples = readExamples();
    const count = examples.filter((o) => o.kind === 'Deployment').reduce((n, o) => n + o.spec.replicas, 0) + examples.filter((o) => o.kind === 'Pod').length;
    await guard(waitFor(`SidecarSet status ${count}/${count}/${count}`, async () => {
      const s = (await objects.getClusterCustomObject({ ...GVR, name })) as SidecarSet;
      return s.status?.matchedPods === count && s.status.updatedPods === count && s.status.readyPods === count;
    }, { timeoutMs: 60_000 })).catch((e) => assert.fail(`${(e as Error).message}${operatorLog()}`));

    const table = (await kubectl('get', 'sidecarsets', name)).trim().split('\n');
    assert.deepEqual(table[0]!.split(/\s+/), ['NAME', 'MATCHED', 'UPDATED', 'READY', 'AGE']);
    assert.deepEqual(table[1]!.split(/\s+/).slice(0, 4), [name, String(count), String(count), String(count)]);

    // Revisions live in the operator's namespace.
    const revisions = await kc.makeApiClient(AppsV1Api).listNamespacedControllerRevision({ namespace: NS });
    assert.ok(revisions.items.some((r) => r.metadata?.labels?.[LABEL_SIDECARSET_NAME] === name), 'ControllerRevision in the operator namespace');
  });

  step('both replicas answer admission requests through the Service; exactly one leads, holding the chart\'s Lease', async () => {
    // Concurrent requests make the apiserver open more than one connection: kube-proxy balances connections.
    const counts = async (): Promise<number[]> => Promise.all([...replicas.values()].map(async (r) => metricValue(await metrics(r), 'sidecarset_webhook_admission_duration_seconds_count', { webhook: 'mutate-pod' })));
    for (let round = 0; round < 10 && (await counts()).some((c) => c === 0); round++) {
      await Promise.all(Array.from({ length: 8 }, (_, i) => core.createNamespacedPod({ namespace: appNamespace, body: podNamed(`dry-run-${round}-${i}`), dryRun: 'All' })));
    }
    const perReplica = await counts();
    assert.ok(perReplica.every((c) => c > 0), `every replica got Pod admission requests: ${perReplica.join(', ')}`);

    const leaders = await Promise.all([...replicas.values()].map(async (r) => metricValue(await metrics(r), 'sidecarset_controller_leader')));
    assert.deepEqual(leaders.sort(), [...Array(replicas.size - 1).fill(0), 1], 'one leader');
    const leaseName = deploymentArgs.find((a) => a.startsWith('--leader-election-id='))!.split('=')[1]!;
    const lease = await kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: leaseName, namespace: NS });
    assert.ok(lease.spec?.holderIdentity, 'the leader holds the Lease');
  });

  step('opted-out Pods and the operator namespace are not injected', async () => {
    const containers = (sidecarSet.spec.containers ?? []).map((c) => c.name);
    const names = (p: V1Pod): string[] => p.spec!.containers.map((c) => c.name);
    const optedOut = await core.createNamespacedPod({ namespace: appNamespace, body: podNamed('opted-out', { [LABEL_INJECT]: LABEL_INJECT_OPT_OUT_VALUE }) });
    for (const c of containers) assert.ok(!names(optedOut).includes(c), 'opt-out label honoured');
    const own = await core.createNamespacedPod({ namespace: NS, body: podNamed('in-operator-namespace') });
    for (const c of containers) assert.ok(!names(own).includes(c), 'operator namespace excluded');
  });

  step('helm upgrade keeps the operator-written caBundle (lookup), rolls the replicas, and injection goes on', async () => {
    const before = await admission.readMutatingWebhookConfiguration({ name: `${RELEASE}-mutating-webhook-configuration` });
    const crdBefore = await kc.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name: 'sidecarsets.apps.kruise.io' });
    const oldPods = new Set(replicas.keys());
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
    const renderedCrd = YAML.parseAllDocuments(manifest.stdout).map((d) => d.toJS()).find((o) => o?.kind === 'CustomResourceDefinition');
    assert.equal(renderedCrd.spec.conversion.webhook.clientConfig.caBundle, crdBefore.spec.conversion!.webhook!.clientConfig!.caBundle, 'upgrade renders the live CRD caBundle');
    // The new flag changes the Pod template: a rolling update replaces every replica, the PDB respected.
    await kubectl('rollout', 'status', '-n', NS, `deployment/${RELEASE}`, '--timeout=120s');
    await waitFor('only new replicas, all Ready', async () => {
      const d = await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: RELEASE, namespace: NS });
      return d.status?.readyReplicas === d.spec!.replicas && [...replicas.keys()].every((p) => !oldPods.has(p)) && replicas.size === d.spec!.replicas;
    }, { timeoutMs: 60_000 });
    for (const r of replicas.values()) assert.ok(r.process.child.spawnargs.includes('--log-level=debug'), `${r.pod} runs with the upgraded flags`);
    for (const r of retired) assert.equal(await r.process.exited, 0, `the replaced replica ${r.pod} exited cleanly on SIGTERM${operatorLog()}`);

    const afterUpgrade = await admission.readMutatingWebhookConfiguration({ name: `${RELEASE}-mutating-webhook-configuration` });
    for (const w of afterUpgrade.webhooks!) assert.ok(w.clientConfig.caBundle);
    const pod = await core.createNamespacedPod({ namespace: appNamespace, body: podNamed('after-upgrade') });
    for (const c of sidecarSet.spec.containers ?? []) assert.ok(pod.spec!.containers.some((x) => x.name === c.name), `after upgrade, ${c.name} injected`);
  });

  step('SIGTERM: not ready at once, still answering during the drain, exits within the grace period', async () => {
    const [first] = replicas.values();
    const op = first!.process;
    const deployment = await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: RELEASE, namespace: NS });
    const spec = deployment.spec!.template.spec!;
    const preStop = spec.containers[0]!.lifecycle?.preStop?.sleep?.seconds ?? 0;
    const graceMs = (spec.terminationGracePeriodSeconds! - preStop) * 1000;
    const t0 = Date.now();
    op.child.kill('SIGTERM');
    await waitFor('readyz fails after SIGTERM', async () => (await httpStatus(`http://127.0.0.1:${op.ports.metrics}/readyz`)) !== 200, { timeoutMs: 5_000, intervalMs: 100 });
    // Pod creations go on being injected while this replica drains (the other one is there too).
    const pod = await core.createNamespacedPod({ namespace: appNamespace, body: podNamed('during-drain') });
    for (const c of sidecarSet.spec.containers ?? []) assert.ok(pod.spec!.containers.some((x) => x.name === c.name), `during the drain, ${c.name} injected`);
    const code = await Promise.race([op.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs))]);
    assert.equal(code, 0, `operator exit within ${graceMs} ms (took ${Date.now() - t0} ms)${operatorLog()}`);
    // Denials that did not break a step (an Event, a retry) still mean the chart's RBAC is short.
    for (const r of all()) {
      r.process.stopWatching();
      assert.doesNotMatch(fs.readFileSync(r.process.logFile, 'utf8'), DENIAL);
    }
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
