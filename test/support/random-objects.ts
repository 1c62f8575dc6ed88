// Seeded random Pods and SidecarSets for the property tests (injection, conversion).
import type { Container, ControllerRevision, EnvVar, Pod, Volume } from '../../src/api/core.ts';
import type { SidecarContainer, SidecarSet } from '../../src/api/sidecarset.ts';
import { defaultSidecarSet } from '../../src/defaulting.ts';
import { prng } from './prng.ts';

export class Random {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = prng(seed);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  /** Each item with probability `p`, at most `max` of them. */
  some<T>(items: readonly T[], max = items.length, p = 0.5): T[] {
    return items.filter(() => this.chance(p)).slice(0, max);
  }
}

const CONTAINER_NAMES = ['app', 'web', 'nginx', 'envoy', 'log', 'agent', 'envoy-1', 'proxy'];
const INIT_NAMES = ['init-a', 'init-b', 'native', 'setup'];
const ENV_NAMES = ['A', 'B', 'POD_NAME', 'ZONE', 'IS_INJECTED'];
const VOLUME_NAMES = ['data', 'logs', 'cache', 'config', 'shared'];
const PATHS = ['/data', '/logs', '/cache', '/etc/config', '/shared', '/dev/xvda'];
export const LABELS = { app: ['web', 'db'], tier: ['front', 'back'] };
const ANNOTATION_KEYS = ['example.com/a', 'example.com/b', 'kruise.io/x'];

function env(r: Random): EnvVar[] {
  return r.some(ENV_NAMES, 3).map((name) => (r.chance(0.2) ? { name, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } } : { name, value: name === 'IS_INJECTED' ? r.pick(['true', 'false']) : `v-${r.int(3)}` }));
}

function container(r: Random, name: string): Container {
  const result: Container = { name, image: `${name}:${r.int(3)}` };
  if (r.chance(0.6)) result.env = env(r);
  if (r.chance(0.6)) {
    result.volumeMounts = r.some(VOLUME_NAMES, 3).map((volume, i) => ({
      name: volume,
      mountPath: PATHS[(VOLUME_NAMES.indexOf(volume) + i) % PATHS.length],
      ...(r.chance(0.2) ? { subPathExpr: `sub/$(${r.pick(ENV_NAMES)})` } : {}),
    }));
  }
  if (r.chance(0.15)) result.volumeDevices = [{ name: r.pick(VOLUME_NAMES), devicePath: r.pick(PATHS) }];
  return result;
}

function labels(r: Random): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, values] of Object.entries(LABELS)) if (r.chance(0.8)) result[key] = r.pick(values);
  return result;
}

export function randomPod(r: Random): Pod {
  const metadata: Pod['metadata'] = { name: 'pod', labels: labels(r) };
  if (r.chance(0.7)) metadata.namespace = r.pick(['default', 'prod']);
  if (r.chance(0.4)) metadata.annotations = Object.fromEntries(r.some(ANNOTATION_KEYS).map((key) => [key, r.pick(['{"a":1}', 'plain', ''])]));
  const spec: Pod['spec'] = { containers: r.some(CONTAINER_NAMES, 3).map((name) => container(r, name)) };
  if (spec.containers.length === 0) spec.containers.push(container(r, 'app'));
  if (r.chance(0.4)) spec.initContainers = r.some(INIT_NAMES, 2).map((name) => container(r, name));
  if (r.chance(0.6)) spec.volumes = r.some(VOLUME_NAMES).map((name) => ({ name, hostPath: { path: `/host/${name}` } }));
  if (r.chance(0.3)) spec.imagePullSecrets = [{ name: 's1' }, { name: r.pick(['s1', 's2']) }];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

function sidecar(r: Random, name: string, isInit: boolean): SidecarContainer {
  const result: SidecarContainer = container(r, name);
  if (r.chance(0.5)) result.podInjectPolicy = r.pick(['BeforeAppContainer', 'AfterAppContainer']);
  if (isInit && r.chance(0.4)) result.restartPolicy = 'Always';
  if (r.chance(0.25)) result.upgradeStrategy = { upgradeType: 'HotUpgrade', ...(r.chance(0.8) ? { hotUpgradeEmptyImage: 'empty:1' } : {}) };
  if (r.chance(0.35)) result.shareVolumePolicy = { type: 'enabled' };
  if (r.chance(0.2)) result.shareVolumeDevicePolicy = { type: 'enabled' };
  if (r.chance(0.35)) {
    result.transferEnv = [
      r.chance(0.7)
        ? { sourceContainerName: r.pick(CONTAINER_NAMES), envName: r.pick(ENV_NAMES), envNames: r.some(ENV_NAMES, 2) }
        : { sourceContainerNameFrom: { fieldRef: { fieldPath: r.pick(["metadata.labels['app']", "metadata.annotations['example.com/a']"]) } }, envName: r.pick(ENV_NAMES) },
    ];
  }
  return result;
}

export function randomSidecarSet(r: Random, name: string): { sidecarSet: SidecarSet; revisions: ControllerRevision[] } {
  const spec: SidecarSet['spec'] = { selector: r.chance(0.1) ? {} : { matchLabels: { app: r.pick(LABELS.app) } } };
  if (r.chance(0.2)) spec.selector!.matchExpressions = [{ key: 'tier', operator: r.pick(['In', 'NotIn']), values: [r.pick(LABELS.tier)] }];
  if (r.chance(0.15)) spec.namespace = r.pick(['default', 'prod']);
  else if (r.chance(0.15)) spec.namespaceSelector = { matchLabels: { env: r.pick(['prod', 'dev']) } };
  if (r.chance(0.1)) spec.injectionStrategy = { paused: true };
  if (r.chance(0.5)) spec.initContainers = r.some(INIT_NAMES, 2).map((n) => sidecar(r, `${n}`, true));
  spec.containers = r.some(CONTAINER_NAMES, 2).map((n) => sidecar(r, n, false));
  spec.volumes = r.some(VOLUME_NAMES).map((volume): Volume => (r.chance(0.5) ? { name: volume } : { name: volume, configMap: { name: `${name}-${volume}` } }));
  if (r.chance(0.3)) spec.imagePullSecrets = r.some([{ name: 's1' }, { name: 's2' }, { name: 's3' }]);
  if (r.chance(0.4)) {
    spec.patchPodMetadata = [{
      patchPolicy: r.pick(['Retain', 'Overwrite', 'MergePatchJson']),
      annotations: { [r.pick(ANNOTATION_KEYS)]: r.pick(['{"b":{"c":null,"d":2},"a":1}', '[1,null]', '{"z":true}']) },
    }];
  }
  const revisions: ControllerRevision[] = [];
  if (r.chance(0.25)) {
    const revisionName = `${name}-rev`;
    spec.injectionStrategy = { revision: { revisionName, policy: r.pick(['Always', 'Partial']) } };
    spec.updateStrategy = { partition: r.pick([0, '30%', '70%']), ...(r.chance(0.3) ? { selector: { matchLabels: { tier: 'front' } } } : {}) };
    revisions.push({
      metadata: { name: revisionName, namespace: 'kruise-system', labels: { 'kruise.io/sidecarset-name': name }, annotations: { 'kruise.io/sidecarset-hash': `${name}-old` } },
      revision: 1,
      data: { spec: { $patch: 'replace', containers: (spec.containers ?? []).map((c) => ({ ...c, image: 'old:1' })), volumes: spec.volumes } },
    });
  }
  const sidecarSet = defaultSidecarSet({ metadata: { name }, spec, status: { matchedPods: 0, updatedPods: 0, readyPods: 0, latestRevision: `${name}-latest` } });
  return { sidecarSet, revisions };
}
