// Micro-benchmark of Pod injection: µs per injection (injectPod + injectionPatch) for a ~10 KB Pod
// against 1, 20 and 200 SidecarSets (some of which match), beside the floor measured in the same run:
// JSON.parse + JSON.stringify of the same Pod, which the webhook pays anyway to read the request and
// write the response. Prints figures; never fails on speed. Target: <= 1.5x the floor at 20 SidecarSets.
//
//   node test/bench/inject.ts [milliseconds per measurement, default 400]
import type { Container, EnvVar, Pod } from '../../src/api/core.ts';
import type { SidecarSet } from '../../src/api/sidecarset.ts';
import { defaultSidecarSet } from '../../src/defaulting.ts';
import { injectPod } from '../../src/injection/inject-pod.ts';
import { injectionPatch } from '../../src/injection/patch.ts';
import { prepareSidecarSets, type PreparedSidecarSets } from '../../src/injection/prepared-sidecarsets.ts';

const budgetMs = Number(process.argv[2] ?? 400);

function appContainer(i: number): Container {
  return {
    name: `app-${i}`,
    image: `registry.example.com/team/app-${i}:1.2.${i}`,
    command: ['/bin/server', '--config=/etc/app/config.yaml', `--shard=${i}`],
    ports: [{ name: 'http', containerPort: 8080 + i, protocol: 'TCP' }, { name: 'metrics', containerPort: 9090 + i, protocol: 'TCP' }],
    env: [
      ...Array.from({ length: 12 }, (_, e): EnvVar => ({ name: `SETTING_${e}`, value: `value-${i}-${e}-${'x'.repeat(12)}` })),
      { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
    ],
    resources: { limits: { cpu: '2', memory: '2Gi' }, requests: { cpu: '500m', memory: '1Gi' } },
    volumeMounts: [
      { name: 'config', mountPath: `/etc/app-${i}`, readOnly: true },
      { name: 'data', mountPath: `/var/lib/app-${i}`, subPathExpr: '$(POD_NAME)' },
    ],
    livenessProbe: { httpGet: { path: '/healthz', port: 8080 + i, scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
    readinessProbe: { httpGet: { path: '/ready', port: 8080 + i, scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 5, successThreshold: 1, failureThreshold: 3 },
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: 'IfNotPresent',
    securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
  };
}

function benchPod(): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: 'web-7d9f8b6c5-',
      namespace: 'shop',
      labels: { app: 'web', tier: 'front', team: 'checkout', 'pod-template-hash': '7d9f8b6c5', version: 'v42' },
      annotations: { 'example.com/owner': 'checkout-team', 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d9f8b6c5', uid: '6c1f0a52-5b8e-4f6e-9d3c-1f2e3d4c5b6a', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      initContainers: [{ name: 'migrate', image: 'registry.example.com/team/migrate:3', command: ['/migrate', 'up'] }],
      containers: [0, 1, 2, 3, 4].map(appContainer),
      volumes: [
        { name: 'config', configMap: { name: 'web-config', defaultMode: 420 } },
        { name: 'data', emptyDir: {} },
        { name: 'kube-api-access', projected: { defaultMode: 420, sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3607 } }] } },
      ],
      serviceAccountName: 'web',
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
      imagePullSecrets: [{ name: 'registry' }],
    },
  };
}

/** Every tenth SidecarSet selects the Pod (plus the first); the matching ones use the costly features. */
function benchSidecarSets(count: number): SidecarSet[] {
  return Array.from({ length: count }, (_, i) => {
    const matches = i % 10 === 0;
    return defaultSidecarSet({
      metadata: { name: `sidecarset-${String(i).padStart(3, '0')}` },
      spec: {
        selector: matches ? { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }] } : { matchLabels: { app: `other-${i}` } },
        containers: [
          {
            name: `agent-${i}`,
            image: `registry.example.com/agents/agent-${i}:1`,
            env: [{ name: 'LEVEL', value: 'info' }],
            volumeMounts: [{ name: `agent-${i}-socket`, mountPath: `/var/run/agent-${i}` }],
            shareVolumePolicy: { type: i % 20 === 0 ? 'enabled' : 'disabled' },
            transferEnv: [{ sourceContainerName: 'app-0', envNames: ['SETTING_1', 'SETTING_2'] }],
            upgradeStrategy: { upgradeType: i % 30 === 0 ? 'HotUpgrade' : 'ColdUpgrade', hotUpgradeEmptyImage: 'registry.example.com/empty:1' },
          },
        ],
        volumes: [{ name: `agent-${i}-socket`, emptyDir: {} }],
        imagePullSecrets: [{ name: 'registry' }, { name: 'agents' }],
        patchPodMetadata: [{ annotations: { [`example.com/agent-${i}`]: 'enabled' } }],
      },
    });
  });
}

/** Mean µs per call of `work`, over repeated rounds of about `budgetMs`; the best round is reported. */
function measure(work: () => unknown): number {
  for (let i = 0; i < 200; i++) work(); // warm up
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    let calls = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < budgetMs / 5) {
      for (let i = 0; i < 50; i++) work();
      calls += 50;
      elapsed = performance.now() - start;
    }
    best = Math.min(best, (elapsed * 1000) / calls);
  }
  return best;
}

const pod = benchPod();
const podJson = JSON.stringify(pod);
const now = new Date();
const namespace = { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop' } };

const floor = measure(() => JSON.stringify(JSON.parse(podJson)));
console.log(`Pod: ${(podJson.length / 1024).toFixed(1)} KiB, ${pod.spec.containers.length} containers`);
console.log(`floor (JSON.parse + JSON.stringify of the Pod): ${floor.toFixed(1)} µs`);
console.log('sidecarsets  matching  inject+patch µs  x floor  | with prepareSidecarSets per call µs');

for (const count of [1, 20, 200]) {
  const sidecarSets = benchSidecarSets(count);
  const prepared: PreparedSidecarSets = prepareSidecarSets(sidecarSets);
  const injectAndPatch = (sets: SidecarSet[] | PreparedSidecarSets) => {
    const result = injectPod({ pod, namespace, sidecarSets: sets, now, random: Math.random });
    return injectionPatch(pod, result.changes);
  };
  const matching = injectPod({ pod, namespace, sidecarSets: prepared, now, random: Math.random }).injected.length;
  const cached = measure(() => injectAndPatch(prepared));
  const uncached = measure(() => injectAndPatch(sidecarSets));
  console.log(
    `${String(count).padStart(11)}  ${String(matching).padStart(8)}  ${cached.toFixed(1).padStart(15)}  ${(cached / floor).toFixed(2).padStart(7)}  | ${uncached.toFixed(1).padStart(8)}`,
  );
}
