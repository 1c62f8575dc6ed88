// The manager: parts start in order and stop in reverse, leader runnables run only while leading
// and stop before everything else; a reconcile that throws is contained and counted.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import type { Pod } from '../../src/api/core.ts';
import type { SidecarSet } from '../../src/api/sidecarset.ts';
import { createManager } from '../../src/kube/manager.ts';
import { createSidecarSetController } from '../../controllers/controller.ts';
import { memoryClusterCaches } from '../support/memory-caches.ts';
import { recordingLogger } from './recording-logger.ts';

function unreachableCluster(): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', server: 'http://127.0.0.1:1', skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kubeConfig;
}

describe('manager', () => {
  it('starts parts in order, resigns leadership first, then stops the parts in reverse, even past a failing one', async () => {
    const events: string[] = [];
    const logger = recordingLogger();
    const manager = createManager({ kubeConfig: unreachableCluster(), namespace: 'ops', logger, leaderElection: { enabled: false } });
    for (const name of ['caches', 'server', 'certificates']) {
      await manager.run(name, () => {
        events.push(`start ${name}`);
        return {
          stop: async () => {
            events.push(`stop ${name}`);
            if (name === 'server') throw new Error('close failed');
          },
        };
      });
    }
    manager.addLeaderRunnable('controller', {
      startLeading: () => void events.push('lead controller'),
      stopLeading: async () => void events.push('stop leading controller'),
    });
    assert.equal(manager.isLeader(), false);
    manager.elect();
    assert.equal(manager.isLeader(), true, 'leads at once without election');
    await manager.stop();
    await manager.stop();
    assert.deepEqual(events, ['start caches', 'start server', 'start certificates', 'lead controller', 'stop leading controller', 'stop certificates', 'stop server', 'stop caches']);
    assert.equal(manager.isLeader(), false);
    assert.deepEqual(logger.lines.filter((l) => l.level === 'error').map((l) => [l.runnable, l.msg]), [['server', 'failed to stop']]);
  });

  it('does not campaign without leader runnables, and refuses one added after the election began', async () => {
    const manager = createManager({ kubeConfig: unreachableCluster(), namespace: 'ops', logger: recordingLogger(), leaderElection: { enabled: false } });
    manager.elect();
    assert.equal(manager.isLeader(), false);
    const late = createManager({ kubeConfig: unreachableCluster(), namespace: 'ops', logger: recordingLogger(), leaderElection: { enabled: false } });
    late.addLeaderRunnable('a', { startLeading() {}, stopLeading: async () => {} });
    late.elect();
    assert.throws(() => late.addLeaderRunnable('b', { startLeading() {}, stopLeading: async () => {} }), /added after the election began/);
    await late.stop();
  });
});

describe('SidecarSet controller', () => {
  it('contains a reconcile that throws, retries it, and counts it as an error and as a panic', async () => {
    // A Pod whose labels cannot be read (a bug's stand-in): selecting the Pods throws a TypeError before any API call.
    const broken = { apiVersion: 'apps.kruise.io/v1alpha1', kind: 'SidecarSet', metadata: { name: 'broken', generation: 1 }, spec: { selector: {}, containers: [] } } as unknown as SidecarSet;
    const unreadable = {
      name: 'p',
      namespace: 'ns',
      get labels(): never {
        throw new TypeError('labels unreadable');
      },
    };
    const caches = memoryClusterCaches({ sidecarSets: [broken], pods: [{ metadata: unreadable, spec: { containers: [] } } as unknown as Pod] });
    const registry = new Registry();
    const logger = recordingLogger();
    const controller = createSidecarSetController({ kubeConfig: unreachableCluster(), namespace: 'ops', caches, logger, registry, identity: 'test' });
    controller.startLeading();
    const value = async (name: string, labels: Record<string, string> = {}) =>
      (await registry.getSingleMetric(name)!.get()).values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0;
    for (let i = 0; i < 100 && (await value('sidecarset_controller_reconcile_panics_total')) < 2; i++) await sleep(20);
    await controller.stopLeading();
    assert.ok((await value('sidecarset_controller_reconcile_panics_total')) >= 2, 'retried after the first throw');
    assert.equal(await value('sidecarset_controller_reconcile_total', { result: 'error' }), await value('sidecarset_controller_reconcile_panics_total'));
    const line = logger.lines.find((l) => l.msg === 'reconcile threw an unexpected exception');
    assert.equal(line?.sidecarSet, 'broken');
    assert.match(String(line?.stack), /TypeError/);
  });
});
