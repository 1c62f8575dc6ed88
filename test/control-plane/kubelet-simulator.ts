// Drives the Pods bound to the simulated nodes through their lifecycle (pod-lifecycle.ts) by
// writing pods/status, as a kubelet does. kwok owns the Nodes and completes Pod deletion; this
// owns container status, because one status needs one writer (docs/decisions/simulated-kubelet.md).
import * as https from 'node:https';
import { CoreV1Api, PatchStrategy, Watch, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { nextPodStatus, type LifecycleOptions, type NodeAddressing } from './pod-lifecycle.ts';

type Json = Record<string, any>;
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface SimulatedNode {
  name: string;
  ip: string;
  /** e.g. 10.244.0.0/24: Pod IPs are handed out from it in order. */
  podCIDR: string;
}

/**
 * A readiness probe for the containers the simulator cannot run itself (e.g. a test process
 * standing in for a Pod): false is a failed probe, undefined no probe. Asked every PROBE_PERIOD_MS.
 */
export type ReadinessProbe = (pod: Json, container: string) => Promise<boolean | undefined>;
export const PROBE_PERIOD_MS = 1000;
/** Delay before a status write that failed other than by conflict is tried again. */
const RETRY_MS = 500;

export interface KubeletSimulator {
  stop(): Promise<void>;
}

export interface KubeletSimulatorOptions {
  kubeConfig: KubeConfig;
  nodes: SimulatedNode[];
  /** How long a (re)started container stays not ready; default 1000 ms. */
  readyDelayMs?: number;
  readinessProbe?: ReadinessProbe;
  log: (msg: string) => void;
}

/** Raw wire JSON (the typed client turns timestamps into Dates, which this code compares as strings). */
async function getJson(kc: KubeConfig, apiPath: string): Promise<unknown> {
  const options: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = https.get(kc.getCurrentCluster()!.server + apiPath, { ...options, timeout: 30_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`GET ${apiPath}: ${res.statusCode} ${text.slice(0, 200)}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${apiPath}: timeout`)));
    req.on('error', reject);
  });
}

function addressing(node: SimulatedNode): NodeAddressing {
  const prefix = node.podCIDR.split('.').slice(0, 3).join('.');
  let next = 2;
  return { hostIP: node.ip, allocatePodIP: () => `${prefix}.${next++}` };
}

export async function startKubeletSimulator(opts: KubeletSimulatorOptions): Promise<KubeletSimulator> {
  const core = opts.kubeConfig.makeApiClient(CoreV1Api);
  const nodes = new Map(opts.nodes.map((n) => [n.name, addressing(n)]));
  const lifecycle: LifecycleOptions = { readyDelayMs: opts.readyDelayMs ?? 1000, startedAtMs: new Map() };
  const latest = new Map<string, Json>(); // key -> newest Pod seen
  const timers = new Map<string, NodeJS.Timeout>();
  const busy = new Set<string>();
  const again = new Set<string>();
  let stopped = false;
  let abort: AbortController | undefined;

  const keyOf = (pod: Json): string => `${pod.metadata.namespace}/${pod.metadata.name}`;

  async function reconcile(key: string): Promise<void> {
    if (busy.has(key)) return void again.add(key); // one write per Pod at a time
    busy.add(key);
    try {
      do {
        again.delete(key);
        const pod = latest.get(key);
        const node = pod && nodes.get(pod.spec?.nodeName);
        if (!pod || !node || pod.metadata.deletionTimestamp || stopped) return;
        const probeFailed = new Set<string>();
        if (opts.readinessProbe) {
          for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
            if ((await opts.readinessProbe(pod, c.name).catch(() => false)) === false) probeFailed.add(c.name);
          }
        }
        const { status, wakeInMs } = nextPodStatus(pod, node, Date.now(), { ...lifecycle, probeFailed });
        clearTimeout(timers.get(key));
        const wake = opts.readinessProbe ? Math.min(wakeInMs ?? PROBE_PERIOD_MS, PROBE_PERIOD_MS) : wakeInMs;
        if (wake !== undefined) timers.set(key, setTimeout(() => void reconcile(key), wake + 10));
        if (!status) continue;
        try {
          // resourceVersion makes the write conditional: a stale view gets 409 and waits for the watch.
          const written = await core.patchNamespacedPodStatus(
            { name: pod.metadata.name, namespace: pod.metadata.namespace, body: { metadata: { resourceVersion: pod.metadata.resourceVersion }, status } },
            MERGE_PATCH,
          );
          const fresh = latest.get(key);
          if (fresh && Number(fresh.metadata.resourceVersion) < Number(written.metadata?.resourceVersion)) {
            latest.set(key, { ...fresh, metadata: { ...fresh.metadata, resourceVersion: written.metadata!.resourceVersion }, status });
          }
        } catch (e) {
          const code = (e as { code?: number }).code;
          if (code !== 409 && code !== 404) {
            // A transient failure (a refused or reset connection under load): no watch event would
            // bring this Pod back, so try again.
            opts.log(`kubelet simulator: status of ${key}: ${(e as Error).message.split('\n')[0]}; retrying in ${RETRY_MS} ms`);
            clearTimeout(timers.get(key));
            timers.set(key, setTimeout(() => void reconcile(key), RETRY_MS));
          }
        }
      } while (again.has(key));
    } finally {
      busy.delete(key);
    }
  }

  function observe(type: string, pod: Json): void {
    if (!pod?.metadata) return;
    const key = keyOf(pod);
    if (type === 'DELETED') {
      latest.delete(key);
      clearTimeout(timers.get(key));
      timers.delete(key);
      return;
    }
    const known = latest.get(key);
    if (known && Number(known.metadata.resourceVersion) > Number(pod.metadata.resourceVersion)) return;
    latest.set(key, pod);
    if (nodes.has(pod.spec?.nodeName)) void reconcile(key);
  }

  async function listAndWatch(): Promise<void> {
    while (!stopped) {
      try {
        const body = (await getJson(opts.kubeConfig, '/api/v1/pods')) as { metadata: { resourceVersion: string }; items: Json[] };
        const present = new Set<string>();
        for (const p of body.items) {
          present.add(keyOf(p));
          observe('ADDED', p);
        }
        for (const key of [...latest.keys()]) if (!present.has(key)) observe('DELETED', latest.get(key)!);
        const ended = new Promise<void>((resolve) => {
          void new Watch(opts.kubeConfig)
            .watch('/api/v1/pods', { resourceVersion: body.metadata.resourceVersion, allowWatchBookmarks: true }, (type, obj) => observe(type, obj), () => resolve())
            .then((c) => (abort = c), () => resolve());
        });
        await ended;
      } catch (e) {
        if (!stopped) opts.log(`kubelet simulator: list/watch: ${(e as Error).message.split('\n')[0]}`);
      }
      if (!stopped) await new Promise((r) => setTimeout(r, 500));
    }
  }
  const loop = listAndWatch();

  return {
    stop: async () => {
      stopped = true;
      abort?.abort();
      for (const t of timers.values()) clearTimeout(t);
      await loop;
    },
  };
}
