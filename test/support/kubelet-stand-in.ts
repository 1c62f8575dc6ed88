// What a kubelet does to a Pod's status, for the upgrade benchmark on a bare kube-apiserver (no
// nodes; the integration tests use the cluster with simulated nodes instead): it reports
// every container running its spec image, and when a spec image changes it first reports that
// container not ready (killed), then, after `restartMs`, running the new image with the new
// imageID. An image ending in `pull-error` never starts (ImagePullBackOff). The runtime reports the
// fully qualified name (`docker.io/library/nginx:1.25`) and an imageID per image.
import { createHash } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ContainerStatus, Pod } from '../../src/api/core.ts';
import { MERGE_PATCH, requestJson, statusCodeOf } from '../../src/kube/kube-http.ts';
import { normalizeImageReference } from '../../src/status/image-reference.ts';

export interface KubeletStandIn {
  stop(): Promise<void>;
}

const qualified = (image: string): string => {
  const ref = normalizeImageReference(image);
  return ref ? `${ref.name}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}` : image;
};

export function startKubeletStandIn(kubeConfig: KubeConfig, namespace: string, options: { restartMs?: number; intervalMs?: number } = {}): KubeletStandIn {
  const restartMs = options.restartMs ?? 400;
  const imageID = (image: string): string => {
    const ref = normalizeImageReference(image);
    return `${ref?.name ?? image}@sha256:${createHash('sha256').update(qualified(image)).digest('hex')}`;
  };
  const restarting = new Map<string, number>(); // pod/container -> when it started restarting
  let stopped = false;

  const running = (name: string, image: string, restartCount: number): ContainerStatus => ({
    name,
    image: qualified(image),
    imageID: imageID(image),
    ready: true,
    restartCount,
    state: { running: { startedAt: new Date().toISOString() } },
  });

  function nextStatuses(pod: Pod, specs: { name: string; image?: string }[], current: ContainerStatus[] | undefined, now: number): ContainerStatus[] {
    return specs.map((spec) => {
      const image = spec.image ?? '';
      const status = current?.find((s) => s.name === spec.name);
      const key = `${pod.metadata.name}/${spec.name}`;
      if (!status) return image.endsWith('pull-error') ? { name: spec.name, image, imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff' } } } : running(spec.name, image, 0);
      const restarts = Number(status.restartCount ?? 0);
      if (status.image === qualified(image) && status.ready) return status;
      if (image.endsWith('pull-error')) return { name: spec.name, image, imageID: '', ready: false, restartCount: restarts, state: { waiting: { reason: 'ImagePullBackOff' } } };
      const since = restarting.get(key);
      if (since === undefined) {
        restarting.set(key, now); // killed: not ready, still reporting the old image until it restarts
        return { ...status, ready: false, state: { terminated: { reason: 'Completed' } } };
      }
      if (now - since < restartMs) return status;
      restarting.delete(key);
      return running(spec.name, image, restarts + 1);
    });
  }

  const tick = async (): Promise<void> => {
    const list = await requestJson<{ items: Pod[] }>(kubeConfig, { path: `/api/v1/namespaces/${namespace}/pods` });
    const now = Date.now();
    await Promise.all(
      list.items.map(async (pod) => {
        if (pod.metadata.deletionTimestamp) return;
        const containerStatuses = nextStatuses(pod, pod.spec.containers, pod.status?.containerStatuses, now);
        const native = (pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
        const initContainerStatuses = nextStatuses(pod, native, pod.status?.initContainerStatuses, now);
        const ready = [...containerStatuses, ...initContainerStatuses].every((s) => s.ready);
        const wasReady = pod.status?.conditions?.find((c) => c.type === 'Ready');
        const readyCondition = { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: wasReady && (wasReady.status === 'True') === ready ? wasReady.lastTransitionTime : new Date().toISOString() };
        const next = { phase: 'Running', containerStatuses, initContainerStatuses, conditions: [readyCondition] };
        const before = { phase: pod.status?.phase, containerStatuses: pod.status?.containerStatuses, initContainerStatuses: pod.status?.initContainerStatuses ?? [], conditions: pod.status?.conditions?.filter((c) => c.type === 'Ready') };
        if (JSON.stringify(before) === JSON.stringify(next)) return;
        // Merge patch of status: conditions replace as a whole list, so keep the others (SidecarSetUpgradable).
        const others = (pod.status?.conditions ?? []).filter((c) => c.type !== 'Ready');
        await requestJson(kubeConfig, {
          method: 'PATCH',
          path: `/api/v1/namespaces/${namespace}/pods/${pod.metadata.name}/status`,
          contentType: MERGE_PATCH,
          body: { metadata: { resourceVersion: pod.metadata.resourceVersion }, status: { ...next, conditions: [...others, readyCondition] } },
        }).catch((error: unknown) => {
          if (statusCodeOf(error) !== 409 && statusCodeOf(error) !== 404) throw error; // a newer Pod: next tick
        });
      }),
    );
  };

  const loop = (async () => {
    while (!stopped) {
      await tick().catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
    }
  })();

  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
