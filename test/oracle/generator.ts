// Seeded generator of differential cases: SidecarSets, Namespaces and Pods drawn from small pools of
// names, so that selectors match, containers collide, volumes are shared and transferEnv finds (or
// misses) its source often enough to matter. Every field of the v1alpha1 spec appears; a validation
// case breaks one rule in about half the draws. The same seed gives the same cases.
import type { Container, ControllerRevision, EnvVar, LabelSelector, Namespace, Pod, Volume } from '../../src/api/core.ts';
import type { SidecarContainer, SidecarSet, SidecarSetSpec } from '../../src/api/sidecarset.ts';
import { buildRevision } from '../../src/revisions/controller-revisions.ts';
import { defaultSidecarSet } from '../../src/defaulting.ts';
import { Random } from '../support/random-objects.ts';

export { Random };

export const KRUISE_NAMESPACE = 'kruise-system';

export type OracleCase =
  | { kind: 'default'; sidecarSet: unknown }
  | { kind: 'validate'; operation: 'CREATE' | 'UPDATE'; sidecarSet: unknown; oldSidecarSet?: unknown; others: SidecarSet[]; revisions: ControllerRevision[]; whitelist?: string }
  | { kind: 'inject'; pod: Pod; namespace: string; namespaces: Namespace[]; sidecarSets: SidecarSet[]; revisions: ControllerRevision[]; reinject: boolean }
  | { kind: 'revision'; sidecarSet: SidecarSet; revision: number; collisionCount: number };


/** Each item with probability 0.4: small lists, often empty. */
const some = <T>(r: Random, items: readonly T[], max = items.length): T[] => r.some(items, max, 0.4);

const SIDECARSET_NAMES = ['log-agent', 'mesh', 'sc-a', 'sc-b'];
const POD_CONTAINERS = ['app', 'web', 'nginx'];
const SIDECAR_NAMES = ['sidecar', 'log', 'envoy', 'proxy', 'app'];
const INIT_NAMES = ['init-a', 'native', 'setup'];
const IMAGES = ['busybox:1.36', 'nginx:latest', 'envoy', 'registry.local:5000/agent:v2', 'agent@sha256:' + 'a'.repeat(64)];
const ENV_NAMES = ['A', 'B', 'POD_IP', 'ZONE'];
const VOLUME_NAMES = ['data', 'logs', 'config', 'shared'];
const MOUNT_PATHS = ['/data', '/logs', '/etc/config', '/shared'];
const NAMESPACES = ['default', 'prod', 'dev'];
const QUANTITIES = ['100m', '0.5', '1', '250m', '1Gi', '1024Mi', '128974848', '1e3', '1.5Gi', '2000m'];
const ANNOTATION_KEYS = ['example.com/a', 'example.com/b', 'mesh.io/config'];

function labelSelector(r: Random, keys: Record<string, readonly string[]>): LabelSelector {
  const selector: LabelSelector = {};
  const entries = Object.entries(keys);
  if (r.chance(0.7)) {
    const [key, values] = r.pick(entries);
    selector.matchLabels = { [key]: r.pick(values) };
  }
  if (r.chance(0.4) || !selector.matchLabels) {
    const [key, values] = r.pick(entries);
    const operator = r.pick(['In', 'NotIn', 'Exists', 'DoesNotExist']);
    selector.matchExpressions = [{ key, operator, ...(operator === 'In' || operator === 'NotIn' ? { values: some(r, values, 2).concat(values[0]) } : {}) }];
  }
  return selector;
}

const POD_LABELS = { app: ['web', 'db'], tier: ['front', 'back'] } as const;
const NS_LABELS = { env: ['prod', 'dev'], 'kubernetes.io/metadata.name': NAMESPACES } as const;

function env(r: Random): EnvVar[] {
  return some(r, ENV_NAMES, 3).map((name) =>
    r.chance(0.25) ? { name, valueFrom: { fieldRef: { fieldPath: r.pick(['metadata.name', 'status.podIP', "metadata.labels['app']"]) } } } : { name, value: `v${r.int(3)}` },
  );
}

function resources(r: Random): Container['resources'] {
  const list = (): Record<string, string> => Object.fromEntries(some(r, ['cpu', 'memory'], 2).map((name) => [name, r.pick(QUANTITIES)]));
  const result: NonNullable<Container['resources']> = {};
  if (r.chance(0.6)) result.requests = list();
  if (r.chance(0.5)) result.limits = list();
  return result;
}

function baseContainer(r: Random, name: string): Container {
  const container: Container = { name, image: r.pick(IMAGES) };
  if (r.chance(0.5)) container.env = env(r);
  if (r.chance(0.5)) {
    container.volumeMounts = some(r, VOLUME_NAMES, 2).map((volume) => ({
      name: volume,
      mountPath: MOUNT_PATHS[VOLUME_NAMES.indexOf(volume)],
      ...(r.chance(0.15) ? { subPathExpr: `sub/$(${r.pick(ENV_NAMES)})` } : {}),
      ...(r.chance(0.2) ? { readOnly: true } : {}),
    }));
  }
  if (r.chance(0.1)) container.volumeDevices = [{ name: r.pick(VOLUME_NAMES), devicePath: '/dev/xvda' }];
  if (r.chance(0.3)) container.resources = resources(r);
  if (r.chance(0.15)) container.ports = [{ containerPort: 8080 + r.int(3), ...(r.chance(0.5) ? { name: 'http' } : {}) }];
  if (r.chance(0.1)) container.imagePullPolicy = r.pick(['Always', 'IfNotPresent', 'Never']);
  if (r.chance(0.1)) container.command = ['/bin/sh', '-c', 'sleep 1d'];
  if (r.chance(0.1)) container.securityContext = r.pick([{ privileged: true }, { runAsUser: 1000 }, { readOnlyRootFilesystem: true }, { capabilities: { add: ['NET_ADMIN'] } }]);
  if (r.chance(0.1)) container.readinessProbe = { httpGet: { port: 8080, ...(r.chance(0.5) ? { path: '/ready' } : {}) } };
  if (r.chance(0.05)) container.lifecycle = { preStop: { exec: { command: ['sleep', '5'] } } };
  return container;
}

const CPU_EXPRESSIONS = ['cpu', 'cpu*50%', 'max(cpu*50%, 50m)', 'cpu - 2', 'min(cpu, 1)', '0.25', '1 / 8'];
const MEMORY_EXPRESSIONS = ['memory', 'max(memory, 128Mi)', 'memory*2', '134217728', 'min(memory*50%, 1Gi)'];

/** Kruise 1.9's resourcesPolicy: resources computed from the Pod's containers the regex picks. */
function resourcesPolicy(r: Random): NonNullable<SidecarContainer['resourcesPolicy']> {
  const side = () => Object.fromEntries([...(r.chance(0.7) ? [['cpu', r.pick(CPU_EXPRESSIONS)]] : []), ...(r.chance(0.5) ? [['memory', r.pick(MEMORY_EXPRESSIONS)]] : [])]);
  return {
    targetContainersMode: r.pick(['sum', 'max']),
    targetContainersNameRegex: r.pick(['.*', '^app$', 'web|nginx', 'nomatch']),
    resourcesExpr: { ...(r.chance(0.7) ? { limits: side() } : {}), ...(r.chance(0.7) ? { requests: side() } : {}) },
  };
}

function sidecarContainer(r: Random, name: string, init: boolean): SidecarContainer {
  const container: SidecarContainer = baseContainer(r, name);
  if (init && r.chance(0.5)) container.restartPolicy = 'Always';
  if (r.chance(0.5)) container.podInjectPolicy = r.pick(['BeforeAppContainer', 'AfterAppContainer']);
  if (r.chance(0.3)) container.shareVolumePolicy = { type: r.pick(['enabled', 'disabled']) };
  if (r.chance(0.1)) container.shareVolumeDevicePolicy = { type: r.pick(['enabled', 'disabled']) };
  if (r.chance(0.35)) {
    container.transferEnv = [
      r.pick([
        () => ({ sourceContainerName: r.pick([...POD_CONTAINERS, ...SIDECAR_NAMES]), envName: r.pick(ENV_NAMES) }),
        () => ({ sourceContainerName: r.pick(POD_CONTAINERS), envNames: some(r, ENV_NAMES, 2).concat('A') }),
        () => ({ sourceContainerNameFrom: { fieldRef: { fieldPath: "metadata.labels['main']" } }, envName: r.pick(ENV_NAMES) }),
        () => ({ sourceContainerNameFrom: { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.annotations['main']" } }, envNames: ['A', 'ZONE'] }),
      ])(),
    ];
  }
  if ((!init || container.restartPolicy === 'Always') && r.chance(0.1)) container.resourcesPolicy = resourcesPolicy(r);
  if (!init && r.chance(0.12)) container.upgradeStrategy = { upgradeType: 'HotUpgrade', hotUpgradeEmptyImage: 'busybox:empty' };
  else if (r.chance(0.2)) container.upgradeStrategy = { upgradeType: 'ColdUpgrade' };
  return container;
}

function volume(r: Random, name: string): Volume {
  return r.pick<() => Volume>([
    () => ({ name, emptyDir: {} }),
    () => ({ name }),
    () => ({ name, hostPath: { path: `/var/${name}` } }),
    () => ({ name, configMap: { name: `${name}-cm` } }),
    () => ({ name, secret: { secretName: `${name}-secret`, ...(r.chance(0.3) ? { defaultMode: 0o400 } : {}) } }),
    () => ({ name, downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } }),
  ])();
}

/**
 * `volumes` shares definitions between the SidecarSets of one cluster: validation refuses two overlapping
 * SidecarSets that define a volume name differently, so a real cluster never holds them.
 */
export function randomSidecarSet(r: Random, name = r.pick(SIDECARSET_NAMES), volumes = new Map<string, Volume>()): SidecarSet {
  const spec: SidecarSetSpec = { selector: labelSelector(r, POD_LABELS) };
  const scope = r.int(4);
  if (scope === 1) spec.namespace = r.pick(NAMESPACES);
  if (scope === 2) spec.namespaceSelector = labelSelector(r, NS_LABELS);
  const names = some(r, SIDECAR_NAMES, 3);
  if (names.length === 0 || r.chance(0.8)) spec.containers = (names.length > 0 ? names : ['sidecar']).map((n) => sidecarContainer(r, n, false));
  if (r.chance(0.3) || !spec.containers) spec.initContainers = [...new Set(some(r, INIT_NAMES, 2).concat(spec.containers ? [] : ['init-a']))].map((n) => sidecarContainer(r, n, true));
  const used = new Set([...(spec.containers ?? []), ...(spec.initContainers ?? [])].flatMap((c) => [...(c.volumeMounts ?? []), ...(c.volumeDevices ?? [])].map((m) => m.name)));
  const volumeNames = VOLUME_NAMES.filter((v) => used.has(v) ? r.chance(0.8) : r.chance(0.1));
  if (volumeNames.length > 0) spec.volumes = volumeNames.map((v) => structuredClone(volumes.get(v) ?? volumes.set(v, volume(r, v)).get(v)!));
  if (r.chance(0.4)) {
    spec.updateStrategy = {};
    if (r.chance(0.5)) spec.updateStrategy.type = r.pick(['RollingUpdate', 'NotUpdate']);
    if (r.chance(0.3)) spec.updateStrategy.partition = r.pick([0, 1, '0%', '50%', '100%']);
    if (r.chance(0.3)) spec.updateStrategy.maxUnavailable = r.pick([1, 2, '10%', '100%']);
    if (r.chance(0.15)) spec.updateStrategy.selector = labelSelector(r, POD_LABELS);
    if (r.chance(0.1)) spec.updateStrategy.paused = true;
    if (r.chance(0.1)) spec.updateStrategy.scatterStrategy = [{ key: 'app', value: 'web' }];
    if (r.chance(0.1)) spec.updateStrategy.priorityStrategy = { weightPriority: [{ weight: 50, matchSelector: { matchLabels: { tier: 'front' } } }] };
  }
  if (r.chance(0.1)) spec.injectionStrategy = { paused: true };
  if (r.chance(0.25)) spec.imagePullSecrets = some(r, [{ name: 's1' }, { name: 's2' }, { name: 'pull' }], 2).concat({ name: 's1' });
  if (r.chance(0.1)) spec.revisionHistoryLimit = r.pick([1, 5, 20]);
  if (r.chance(0.3)) {
    spec.patchPodMetadata = [
      r.pick([
        () => ({ annotations: { [r.pick(ANNOTATION_KEYS)]: r.pick(['on', 'v2']) } }),
        () => ({ annotations: { [r.pick(ANNOTATION_KEYS)]: 'v2' }, patchPolicy: r.pick(['Retain', 'Overwrite']) }),
        () => ({ annotations: { [r.pick(ANNOTATION_KEYS)]: r.pick(['{"log":"on"}', '{"a":{"b":1}}', '{"a":null}']) }, patchPolicy: 'MergePatchJson' }),
      ])(),
    ];
  }
  const metadata: SidecarSet['metadata'] = { name };
  if (r.chance(0.2)) metadata.labels = { team: r.pick(['a', 'b']) };
  if (r.chance(0.15)) metadata.labels = { ...metadata.labels, 'apps.kruise.io/sidecarset-custom-version': r.pick(['v1', 'v2']) };
  if (r.chance(0.1)) metadata.annotations = { note: 'x' };
  return { apiVersion: 'apps.kruise.io/v1alpha1', kind: 'SidecarSet', metadata, spec };
}

function randomPod(r: Random): Pod {
  const metadata: Pod['metadata'] = { name: r.chance(0.9) ? `pod-${r.int(100)}` : undefined, labels: {} };
  if (!metadata.name) metadata.generateName = 'web-';
  for (const [key, values] of Object.entries(POD_LABELS)) if (r.chance(0.8)) metadata.labels![key] = r.pick(values);
  if (r.chance(0.3)) metadata.labels!.main = r.pick(POD_CONTAINERS);
  if (r.chance(0.6)) metadata.namespace = r.pick(NAMESPACES);
  if (r.chance(0.4)) {
    metadata.annotations = Object.fromEntries(some(r, ANNOTATION_KEYS, 2).map((key) => [key, r.pick(['{"log":"off"}', 'plain', '{}'])]));
    if (r.chance(0.3)) metadata.annotations.main = r.pick(POD_CONTAINERS);
  }
  const containers = some(r, POD_CONTAINERS, 2);
  const spec: Pod['spec'] = { containers: (containers.length > 0 ? containers : ['app']).map((name) => baseContainer(r, name)) };
  if (r.chance(0.2)) spec.initContainers = [baseContainer(r, r.pick(['prepare', 'init-a']))];
  if (r.chance(0.5)) spec.volumes = some(r, VOLUME_NAMES, 3).map((name) => volume(r, name));
  if (r.chance(0.2)) spec.imagePullSecrets = [{ name: r.pick(['s1', 'own']) }];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

function namespaces(): Namespace[] {
  const labels: Record<string, Record<string, string>> = { default: {}, prod: { env: 'prod' }, dev: { env: 'dev' } };
  return NAMESPACES.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels[name] } } }));
}

/** Up to four SidecarSets of distinct names; some pin an older revision of themselves, registered in `revisions`. */
function cluster(r: Random, count: number): { sidecarSets: SidecarSet[]; revisions: ControllerRevision[] } {
  const sidecarSets: SidecarSet[] = [];
  const revisions: ControllerRevision[] = [];
  const volumes = new Map<string, Volume>();
  for (const name of some(r, SIDECARSET_NAMES, count)) {
    const sidecarSet = randomSidecarSet(r, name, volumes);
    if (r.chance(0.2)) {
      const older = structuredClone(sidecarSet);
      for (const c of older.spec.containers ?? []) c.image = 'old:1';
      if (r.chance(0.5)) older.metadata.labels = { ...older.metadata.labels, 'apps.kruise.io/sidecarset-custom-version': 'v0' };
      const revision = buildRevision(defaultSidecarSet(older), KRUISE_NAMESPACE, 1, 0);
      revisions.push(revision);
      const pin = r.chance(0.5) ? { revisionName: r.chance(0.9) ? revision.metadata.name : 'missing-revision' } : { customVersion: r.pick(['v0', 'v9']) };
      sidecarSet.spec.injectionStrategy = { ...sidecarSet.spec.injectionStrategy, revision: { ...pin, ...(r.chance(0.6) ? { policy: r.pick(['Always', 'Partial']) } : {}) } };
      if (sidecarSet.spec.injectionStrategy.revision?.policy === 'Partial' && r.chance(0.7)) {
        sidecarSet.spec.updateStrategy = { ...sidecarSet.spec.updateStrategy, partition: r.pick([0, '0%', '100%']) };
      }
    }
    if (r.chance(0.3)) sidecarSet.status = { matchedPods: 0, updatedPods: 0, readyPods: 0, latestRevision: `${name}-${r.pick(['5d7f9c', '6b8d4f'])}` };
    sidecarSets.push(sidecarSet);
  }
  return { sidecarSets, revisions };
}

// ---------------------------------------------------------------------------------------------
// Broken rules for validation cases: each mutation breaks one rule of the spec.

type Mutation = (s: SidecarSet, r: Random) => void;
const first = (s: SidecarSet): SidecarContainer => (s.spec.containers ??= [{ name: 'sidecar', image: 'busybox' }])[0];

export const MUTATIONS: Record<string, Mutation> = {
  'name not a DNS label': (s) => void (s.metadata.name = 'Bad_Name'),
  'name too long': (s) => void (s.metadata.name = 'a'.repeat(64)),
  'no selector': (s) => void delete s.spec.selector,
  'selector operator': (s) => void (s.spec.selector = { matchExpressions: [{ key: 'app', operator: 'Near', values: ['x'] }] }),
  'selector values on Exists': (s) => void (s.spec.selector = { matchExpressions: [{ key: 'app', operator: 'Exists', values: ['x'] }] }),
  'selector label value': (s) => void (s.spec.selector = { matchLabels: { app: 'not valid!' } }),
  'namespace and namespaceSelector': (s) => Object.assign(s.spec, { namespace: 'prod', namespaceSelector: { matchLabels: { env: 'prod' } } }),
  'namespaceSelector operator': (s) => void (s.spec.namespaceSelector = { matchExpressions: [{ key: 'env', operator: 'In' }] }),
  'no containers': (s) => Object.assign(s.spec, { containers: [], initContainers: [] }),
  'container name': (s) => void (first(s).name = 'Sidecar_1'),
  'duplicate container name': (s) => {
    const container = first(s);
    s.spec.containers!.push({ ...container });
  },
  'init and container same name': (s) => void (s.spec.initContainers = [{ name: first(s).name, image: 'busybox' }]),
  'no image': (s) => void delete first(s).image,
  'podInjectPolicy': (s) => void (first(s).podInjectPolicy = 'Middle'),
  'upgradeType': (s) => void (first(s).upgradeStrategy = { upgradeType: 'WarmUpgrade' }),
  'hot upgrade without empty image': (s) => void (first(s).upgradeStrategy = { upgradeType: 'HotUpgrade' }),
  'hot upgrade empty image same as image': (s) => void (first(s).upgradeStrategy = { upgradeType: 'HotUpgrade', hotUpgradeEmptyImage: first(s).image }),
  'shareVolumePolicy': (s) => void (first(s).shareVolumePolicy = { type: 'sometimes' }),
  'transferEnv envName and envNames': (s) => void (first(s).transferEnv = [{ sourceContainerName: 'app', envName: 'A', envNames: ['B'] }]),
  'transferEnv without source': (s) => void (first(s).transferEnv = [{ envName: 'A' }]),
  'transferEnv two sources': (s) => void (first(s).transferEnv = [{ sourceContainerName: 'app', sourceContainerNameFrom: { fieldRef: { fieldPath: "metadata.labels['main']" } }, envName: 'A' }]),
  'transferEnv fieldRef path': (s) => void (first(s).transferEnv = [{ sourceContainerNameFrom: { fieldRef: { fieldPath: 'spec.nodeName' } }, envName: 'A' }]),
  'transferEnv without env': (s) => void (first(s).transferEnv = [{ sourceContainerName: 'app' }]),
  'mount of unknown volume': (s) => void (first(s).volumeMounts = [{ name: 'nowhere', mountPath: '/nowhere' }]),
  'duplicate volume': (s) => void (s.spec.volumes = [{ name: 'data', emptyDir: {} }, { name: 'data', emptyDir: {} }]),
  'volume name': (s) => void (s.spec.volumes = [{ name: 'Data!', emptyDir: {} }]),
  'volume two sources': (s) => void (s.spec.volumes = [{ name: 'data', emptyDir: {}, hostPath: { path: '/x' } }]),
  'mount path relative twice': (s) => void (first(s).volumeMounts = [{ name: 'data', mountPath: '/d' }, { name: 'data', mountPath: '/d' }]),
  'quantity unparsable': (s) => void (first(s).resources = { limits: { cpu: 'lots' } }),
  'requests above limits': (s) => void (first(s).resources = { limits: { cpu: '100m' }, requests: { cpu: '1' } }),
  'resource name': (s) => void (first(s).resources = { limits: { 'Bad Name': '1' } }),
  'negative quantity': (s) => void (first(s).resources = { requests: { memory: '-1Gi' } }),
  'imagePullPolicy': (s) => void (first(s).imagePullPolicy = 'Sometimes'),
  'env name': (s) => void (first(s).env = [{ name: '1 bad', value: 'x' }]),
  'env value and valueFrom': (s) => void (first(s).env = [{ name: 'A', value: 'x', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }]),
  'env fieldRef path': (s) => void (first(s).env = [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'spec.bogus' } } }]),
  'port number': (s) => void (first(s).ports = [{ containerPort: 70000 }]),
  'duplicate port name': (s) => void (first(s).ports = [{ name: 'http', containerPort: 80 }, { name: 'http', containerPort: 81 }]),
  'probe two handlers': (s) => void (first(s).livenessProbe = { exec: { command: ['true'] }, tcpSocket: { port: 80 } }),
  'probe no handler': (s) => void (first(s).readinessProbe = { periodSeconds: 5 }),
  'securityContext privileged escalation': (s) => void (first(s).securityContext = { privileged: true, allowPrivilegeEscalation: false }),
  'securityContext negative user': (s) => void (first(s).securityContext = { runAsUser: -1 }),
  'securityContext capability': (s) => void (first(s).securityContext = { capabilities: { add: ['NET_ADMIN'] }, procMount: 'Weird' }),
  'init restartPolicy': (s) => void (s.spec.initContainers = [{ name: 'init-a', image: 'busybox', restartPolicy: 'OnFailure' }]),
  'native sidecar with rolling update': (s) => Object.assign(s.spec, { initContainers: [{ name: 'native', image: 'busybox', restartPolicy: 'Always' }], updateStrategy: { type: 'RollingUpdate' } }),
  'updateStrategy type': (s) => void (s.spec.updateStrategy = { type: 'Sometimes' }),
  'partition negative': (s) => void (s.spec.updateStrategy = { partition: -1 }),
  'partition percent': (s) => void (s.spec.updateStrategy = { partition: '150%' }),
  'maxUnavailable zero': (s) => void (s.spec.updateStrategy = { maxUnavailable: 0 }),
  'maxUnavailable string': (s) => void (s.spec.updateStrategy = { maxUnavailable: 'half' }),
  'update selector': (s) => void (s.spec.updateStrategy = { selector: { matchExpressions: [{ key: 'a', operator: 'In' }] } }),
  'scatter duplicate': (s) => void (s.spec.updateStrategy = { scatterStrategy: [{ key: 'a', value: 'b' }, { key: 'a', value: 'b' }] }),
  'scatter empty key': (s) => void (s.spec.updateStrategy = { scatterStrategy: [{ key: '', value: 'b' }] }),
  'priority both': (s) => void (s.spec.updateStrategy = { priorityStrategy: { weightPriority: [{ weight: 1, matchSelector: { matchLabels: { a: 'b' } } }], orderPriority: [{ orderedKey: 'a' }] } }),
  'priority weight': (s) => void (s.spec.updateStrategy = { priorityStrategy: { weightPriority: [{ weight: 1000, matchSelector: { matchLabels: { a: 'b' } } }] } }),
  'pinned revision missing': (s) => void (s.spec.injectionStrategy = { revision: { revisionName: 'nope' } }),
  'pinned custom version missing': (s) => void (s.spec.injectionStrategy = { revision: { customVersion: 'v404' } }),
  'revision policy': (s) => void (s.spec.injectionStrategy = { revision: { customVersion: 'v0', policy: 'Sometimes' } }),
  'patch without annotations': (s) => void (s.spec.patchPodMetadata = [{ patchPolicy: 'Overwrite' }]),
  'patch policy': (s) => void (s.spec.patchPodMetadata = [{ annotations: { a: 'b' }, patchPolicy: 'Replace' }]),
  'patch merge not json': (s) => void (s.spec.patchPodMetadata = [{ annotations: { 'example.com/a': 'not json' }, patchPolicy: 'MergePatchJson' }]),
  'patch annotation key': (s) => void (s.spec.patchPodMetadata = [{ annotations: { 'bad key!': 'x' } }]),
  'patch same key twice': (s) => void (s.spec.patchPodMetadata = [{ annotations: { 'example.com/a': 'x' } }, { annotations: { 'example.com/a': 'y' } }]),
  'resourcesPolicy mode': (s) => void (first(s).resourcesPolicy = { targetContainersMode: 'avg', targetContainersNameRegex: '.*', resourcesExpr: { limits: { cpu: 'cpu' } } }),
  'resourcesPolicy expression': (s) => void (first(s).resourcesPolicy = { targetContainersMode: 'sum', targetContainersNameRegex: '.*', resourcesExpr: { limits: { cpu: 'cpu +' } } }),
  'resourcesPolicy regex': (s) => void (first(s).resourcesPolicy = { targetContainersMode: 'sum', targetContainersNameRegex: '(', resourcesExpr: { limits: { memory: 'memory' } } }),
  'resourcesPolicy on a plain init container': (s) => void (s.spec.initContainers = [{ name: 'init-a', image: 'busybox', resourcesPolicy: { targetContainersMode: 'sum', targetContainersNameRegex: '.*', resourcesExpr: { limits: { cpu: 'cpu' } } } }]),
  'canary SidecarSet': (s) => void (s.metadata.annotations = { ...s.metadata.annotations, 'apps.kruise.io/sidecarset-base': 'mesh' }),
  'unknown container field': (s) => void ((first(s) as Record<string, unknown>).imagePullPolcy = 'Always'),
};

/** Another SidecarSet that takes the same container name, volume or annotation on overlapping Pods. */
function conflicting(r: Random, sidecarSet: SidecarSet): SidecarSet {
  const other = randomSidecarSet(r, sidecarSet.metadata.name === 'mesh' ? 'sc-a' : 'mesh');
  other.spec.selector = structuredClone(sidecarSet.spec.selector);
  delete other.spec.namespace;
  delete other.spec.namespaceSelector;
  if (sidecarSet.spec.namespace && r.chance(0.5)) other.spec.namespace = sidecarSet.spec.namespace;
  const what = r.int(3);
  if (what === 0 && sidecarSet.spec.containers?.[0]) other.spec.containers = [{ ...sidecarSet.spec.containers[0], image: 'other:1' }];
  if (what === 1) {
    other.spec.volumes = [{ name: 'data', hostPath: { path: '/other' } }];
    sidecarSet.spec.volumes = [{ name: 'data', emptyDir: {} }, ...(sidecarSet.spec.volumes ?? []).filter((v) => v.name !== 'data')];
  }
  if (what === 2) {
    other.spec.patchPodMetadata = [{ annotations: { 'example.com/a': 'theirs' }, patchPolicy: 'Overwrite' }];
    sidecarSet.spec.patchPodMetadata = [{ annotations: { 'example.com/a': 'ours' }, patchPolicy: r.pick(['Overwrite', 'Retain']) }];
  }
  return other;
}

export function generateCase(r: Random): OracleCase {
  const roll = r.next();
  if (roll < 0.15) return { kind: 'default', sidecarSet: randomSidecarSet(r) };
  if (roll < 0.45) {
    const sidecarSet = randomSidecarSet(r);
    const { sidecarSets, revisions } = cluster(r, 3);
    const others = sidecarSets.filter((s) => s.metadata.name !== sidecarSet.metadata.name);
    if (r.chance(0.2)) others.push(conflicting(r, sidecarSet));
    if (r.chance(0.5)) MUTATIONS[r.pick(Object.keys(MUTATIONS))](sidecarSet, r);
    const otherNames = new Set<string>();
    const distinct = others.filter((s) => !otherNames.has(s.metadata.name!) && otherNames.add(s.metadata.name!));
    const whitelist = r.chance(0.6) ? JSON.stringify({ rules: [{ allowedAnnotationKeyExprs: r.pick([['.*'], ['^example\\.com/'], ['^mesh']]) }] }) : undefined;
    const base = { kind: 'validate', sidecarSet, others: distinct, revisions, ...(whitelist ? { whitelist } : {}) } as const;
    if (r.chance(0.2)) {
      const oldSidecarSet = structuredClone(sidecarSet);
      if (r.chance(0.5) && oldSidecarSet.spec.containers?.[0]) oldSidecarSet.spec.containers[0] = { ...oldSidecarSet.spec.containers[0], image: 'old:1', command: ['old'] };
      return { ...base, operation: 'UPDATE', oldSidecarSet };
    }
    return { ...base, operation: 'CREATE' };
  }
  if (roll < 0.9) {
    const pod = randomPod(r);
    const { sidecarSets, revisions } = cluster(r, 1 + r.int(4));
    return { kind: 'inject', pod, namespace: pod.metadata?.namespace ?? r.pick(NAMESPACES), namespaces: namespaces(), sidecarSets, revisions, reinject: r.chance(0.2) };
  }
  return { kind: 'revision', sidecarSet: randomSidecarSet(r), revision: 1 + r.int(5), collisionCount: r.pick([0, 0, 1, 7]) };
}

export function generateCases(seed: number, count: number): OracleCase[] {
  const r = new Random(seed);
  return Array.from({ length: count }, () => generateCase(r));
}
