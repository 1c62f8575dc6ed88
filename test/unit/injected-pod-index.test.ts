// The index of Pods by injecting SidecarSet (src/injected-pod-index.ts), alone and fed by a watch cache.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { Pod } from '../../src/api/core.ts';
import { ANNOTATION_INJECTED_LIST } from '../../src/api/sidecarset.ts';
import { indexInjectedPods } from '../../src/kube/caches.ts';
import { createInjectedPodIndex } from '../../src/injected-pod-index.ts';
import { createWatchCache } from '../../src/kube/watch-cache.ts';
import { startFakeKubeServer } from './fake-kube-server.ts';
import { recordingLogger } from './recording-logger.ts';

const pod = (name: string, injected: string, namespace = 'ns'): Pod => ({
  metadata: { name, namespace, annotations: injected ? { [ANNOTATION_INJECTED_LIST]: injected } : {} },
  spec: { containers: [] },
});

const names = (pods: Iterable<Pod>): string[] => [...pods].map((p) => `${p.metadata.namespace}/${p.metadata.name}`).sort();

describe('injected Pod index', () => {
  it('files a Pod under every SidecarSet of its injected-list, and no other', () => {
    const index = createInjectedPodIndex();
    index.upsert(pod('a', 'one,two'));
    index.upsert(pod('b', 'two'));
    index.upsert(pod('plain', ''));
    assert.deepEqual(names(index.injectedBy('one')), ['ns/a']);
    assert.deepEqual(names(index.injectedBy('two')), ['ns/a', 'ns/b']);
    assert.deepEqual(names(index.injectedBy('three')), []);
  });

  it('moves a Pod whose injected-list changes, and holds the updated object', () => {
    const index = createInjectedPodIndex();
    index.upsert(pod('a', 'one,two'));
    const updated = pod('a', 'two,three');
    index.upsert(updated);
    assert.deepEqual(names(index.injectedBy('one')), []);
    assert.deepEqual([...index.injectedBy('two')], [updated]);
    assert.deepEqual([...index.injectedBy('three')], [updated]);
    index.upsert(pod('a', ''));
    assert.deepEqual(names(index.injectedBy('two')), []);
  });

  it('tells apart Pods of the same name in different namespaces', () => {
    const index = createInjectedPodIndex();
    index.upsert(pod('a', 'one', 'x'));
    index.upsert(pod('a', 'one', 'y'));
    assert.deepEqual(names(index.injectedBy('one')), ['x/a', 'y/a']);
    index.remove(pod('a', 'one', 'x'));
    assert.deepEqual(names(index.injectedBy('one')), ['y/a']);
  });

  it('forgets a deleted Pod by its key, whatever the deleted object says', () => {
    const index = createInjectedPodIndex();
    index.upsert(pod('a', 'one,two'));
    index.remove(pod('a', '')); // a delete may carry an older or projected object
    assert.deepEqual(names(index.injectedBy('one')), []);
    assert.deepEqual(names(index.injectedBy('two')), []);
  });

  it('stays exact through a relist that drops, changes and adds Pods', async () => {
    const server = await startFakeKubeServer({ pageSize: 2 });
    const cache = createWatchCache<Pod>({ name: 'pods', kubeConfig: server.kubeConfig, path: '/api/v1/pods', logger: recordingLogger(), backoff: { baseMs: 20, maxMs: 100 } });
    try {
      const fake = (p: Pod) => p as unknown as Parameters<typeof server.apply>[1];
      for (const p of [pod('keep', 'one'), pod('vanish', 'one'), pod('move', 'one')]) server.applySilently('ADDED', fake(p));
      const index = indexInjectedPods(cache);
      cache.start();
      await cache.waitForSync();
      assert.deepEqual(names(index.injectedBy('one')), ['ns/keep', 'ns/move', 'ns/vanish']);
      while (server.openWatches() !== 1) await sleep(10);
      server.applySilently('DELETED', fake(pod('vanish', 'one')));
      server.applySilently('MODIFIED', fake(pod('move', 'two')));
      server.applySilently('ADDED', fake(pod('appeared', 'one')));
      server.errorEvent(410); // the watch cache relists and emits what changed meanwhile
      const deadline = Date.now() + 5_000;
      while (!names(index.injectedBy('one')).includes('ns/appeared')) {
        assert.ok(Date.now() < deadline, 'timed out waiting for the relist');
        await sleep(10);
      }
      assert.deepEqual(names(index.injectedBy('one')), ['ns/appeared', 'ns/keep']);
      assert.deepEqual(names(index.injectedBy('two')), ['ns/move']);
    } finally {
      await cache.stop();
      await server.close();
    }
  });
});
