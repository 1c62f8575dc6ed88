// Inputs shared by the webhook benchmarks (ours alone, and ours against Kruise): a Pod review of about
// 10 KB and a set of SidecarSets of which a given number select that Pod.
import type { SidecarSet } from '../../src/api/sidecarset.ts';
import { defaultSidecarSet } from '../../src/defaulting.ts';
import { pod, podReview, sidecarSet } from './admission-requests.ts';

/** A Pod review of about 10 KB: an app with a realistic amount of env, labels, annotations, mounts. */
export function benchReview(): Record<string, any> {
  const env = Array.from({ length: 60 }, (_, i) => ({ name: `SETTING_${i}`, value: `value-${i}-${'x'.repeat(20)}` }));
  const mounts = Array.from({ length: 5 }, (_, i) => ({ name: `data-${i}`, mountPath: `/data/${i}` }));
  const labels = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`example.com/label-${i}`, `value-${i}`]));
  const annotations = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`example.com/annotation-${i}`, 'y'.repeat(60)]));
  const container = (name: string) => ({
    name,
    image: `registry.example.com/team/${name}:1.2.3`,
    ports: [{ containerPort: 8080, protocol: 'TCP' }],
    env,
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
    volumeMounts: mounts,
    readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 5 },
  });
  const object = pod(undefined, { app: 'bench', ...labels }, {
    containers: [container('app'), container('worker')],
    volumes: mounts.map(({ name }) => ({ name, emptyDir: {} })),
  });
  object.metadata.annotations = annotations;
  return podReview(object, 'bench');
}

/**
 * `count` SidecarSets, `matching` of them selecting the bench Pod (the second one through a
 * namespaceSelector); the rest select other apps. Raw, as a user writes them.
 */
export function benchSidecarSetsRaw(count: number, matching: number): SidecarSet[] {
  const every = Math.max(1, Math.floor(count / matching));
  return Array.from({ length: count }, (_, i) => {
    const name = `sidecarset-${String(i).padStart(3, '0')}`;
    const matches = i % every === 0 && i / every < matching;
    return sidecarSet(name, {
      selector: { matchLabels: { app: matches ? 'bench' : `other-${i}` } },
      ...(i === every ? { namespaceSelector: { matchLabels: { team: 'bench' } } } : {}),
      containers: [{ name: `${name}-agent`, image: `agent:${i}`, env: [{ name: 'MODE', value: 'sidecar' }], volumeMounts: [{ name: `${name}-cfg`, mountPath: '/etc/agent' }] }],
      volumes: [{ name: `${name}-cfg`, emptyDir: {} }],
    }) as SidecarSet;
  });
}

export const benchSidecarSets = (count: number, matching: number): SidecarSet[] => benchSidecarSetsRaw(count, matching).map((s) => defaultSidecarSet(s));
