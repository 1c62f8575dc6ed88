// What turns a bare apiserver into a cluster that behaves like one: kube-controller-manager,
// kube-scheduler, kwok managing N fake Nodes, and the kubelet simulator for their Pods.
import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { startKubeletSimulator, type KubeletSimulator, type ReadinessProbe, type SimulatedNode } from './kubelet-simulator.ts';

const KWOK_STAGES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'kwok-stages.yaml');

/** The annotation kwok is told to manage Nodes by. */
export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

/**
 * Controllers a workload needs to make Pods and clean up after itself, and node lifecycle (it
 * lifts the not-ready taint the apiserver puts on every new Node once kwok reports it Ready); the
 * rest (volumes, certificates, cloud) have nothing to act on here.
 */
export const CONTROLLERS = [
  'deployment-controller',
  'replicaset-controller',
  'statefulset-controller',
  'daemonset-controller',
  'job-controller',
  'cronjob-controller',
  'ttl-after-finished-controller',
  'garbage-collector-controller',
  'namespace-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'root-ca-certificate-publisher-controller',
  'endpoints-controller',
  'endpointslice-controller',
  'endpointslice-mirroring-controller',
  'disruption-controller',
  'pod-garbage-collector-controller',
  'node-lifecycle-controller',
];

export interface NodeComponentsInput {
  binaries: { kubeControllerManager: string; kubeScheduler: string; kwok: string };
  kubeConfig: KubeConfig;
  kubeconfigPath: string;
  /** CA of the apiserver's serving cert (published as kube-root-ca.crt) and the SA signing key. */
  files: { servingCA: string; saKey: string };
  nodes: number;
  readyDelayMs?: number;
  readinessProbe?: ReadinessProbe;
  /** Starts a binary in its own process group, logging to <name>.log; the caller owns it. */
  spawn: (name: string, bin: string, args: string[]) => ChildProcess;
  say: (msg: string) => void;
  log: (msg: string) => void;
  /** Polls until truthy or throws after the timeout (the harness' waitFor). */
  waitFor: <T>(what: string, fn: () => Promise<T | undefined | false>, opts?: { timeoutMs?: number; intervalMs?: number }) => Promise<T>;
}

export interface NodeComponents {
  nodeNames: string[];
  simulator: KubeletSimulator;
}

export function simulatedNodes(n: number): SimulatedNode[] {
  return Array.from({ length: n }, (_, i) => ({ name: `kwok-node-${i}`, ip: `127.0.1.${i + 1}`, podCIDR: `10.244.${i}.0/24` }));
}

export async function startNodeComponents(input: NodeComponentsInput): Promise<NodeComponents> {
  const t0 = performance.now();
  const core = input.kubeConfig.makeApiClient(CoreV1Api);
  const common = [`--kubeconfig=${input.kubeconfigPath}`, '--leader-elect=false', '--secure-port=0', '--kube-api-qps=100', '--kube-api-burst=200'];
  input.spawn('kube-controller-manager', input.binaries.kubeControllerManager, [
    ...common,
    `--controllers=${CONTROLLERS.join(',')}`,
    `--service-account-private-key-file=${input.files.saKey}`,
    `--root-ca-file=${input.files.servingCA}`,
    '--use-service-account-credentials=false',
    // Quick reactions: a test waits on these loops.
    '--concurrent-gc-syncs=10',
    '--namespace-sync-period=10s',
    '--node-monitor-period=1s',
  ]);
  input.spawn('kube-scheduler', input.binaries.kubeScheduler, common);
  input.spawn('kwok', input.binaries.kwok, [
    `--config=${KWOK_STAGES}`,
    `--kubeconfig=${input.kubeconfigPath}`,
    `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
    '--node-lease-duration-seconds=40',
  ]);

  const nodes = simulatedNodes(input.nodes);
  for (const n of nodes) {
    await core.createNode({
      body: {
        metadata: {
          name: n.name,
          annotations: { [KWOK_NODE_ANNOTATION]: 'fake' },
          labels: { 'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok' },
        },
        spec: { podCIDR: n.podCIDR, podCIDRs: [n.podCIDR] },
        status: {
          addresses: [{ type: 'InternalIP', address: n.ip }, { type: 'Hostname', address: n.name }],
          capacity: { cpu: '32', memory: '256Gi', pods: '110' },
          allocatable: { cpu: '32', memory: '256Gi', pods: '110' },
        },
      },
    });
  }
  const simulator = await startKubeletSimulator({ kubeConfig: input.kubeConfig, nodes, readyDelayMs: input.readyDelayMs, readinessProbe: input.readinessProbe, log: input.log });
  try {
    await input.waitFor(`${nodes.length} kwok Nodes Ready and schedulable`, async () => {
      const list = await core.listNode();
      const ready = list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && !n.spec?.taints?.length);
      return ready.length >= nodes.length;
    }, { timeoutMs: 60_000 });
    // The serviceaccount controller's first act: proves the controller-manager is running.
    await input.waitFor('ServiceAccount default/default', () => core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' }), { timeoutMs: 60_000 });
  } catch (e) {
    await simulator.stop();
    throw e;
  }
  input.say(`controller-manager, scheduler and kwok with ${nodes.length} Nodes ready in ${Math.round(performance.now() - t0)} ms`);
  return { nodeNames: nodes.map((n) => n.name), simulator };
}
