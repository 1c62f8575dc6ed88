// Drift kept between reconciles (src/status/drift-tracker.ts): exact as long as every Pod event that
// concerns a SidecarSet touches it, and a full scan whenever rescan is due.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../../src/api/core.ts';
import { createDriftTracker, type PodSource } from '../../src/status/drift-tracker.ts';
import type { PodClass } from '../../src/status/sidecarset-status.ts';

const pod = (name: string, app: string): Pod => ({ metadata: { name, namespace: 'ns', labels: { app } }, spec: { containers: [] } });

/** Pods by key; counts full scans. */
function source(pods: Pod[]): PodSource & { store: Map<string, Pod>; scans: number } {
  const store = new Map(pods.map((p) => [`ns/${p.metadata.name}`, p]));
  return {
    store,
    scans: 0,
    list() {
      this.scans++;
      return store.values();
    },
    get: (key) => store.get(key),
  };
}

const webIsDrift = (p: Pod): PodClass | undefined => (p.metadata.labels?.app === 'web' ? 'notInjected' : undefined);
const namesOf = (pods: Pod[]): string[] => pods.map((p) => p.metadata.name ?? '').sort();

describe('drift tracker', () => {
  it('scans every Pod first, then re-judges only the touched ones', () => {
    const tracker = createDriftTracker();
    const pods = source([pod('a', 'web'), pod('b', 'web'), pod('c', 'db')]);
    assert.deepEqual(namesOf(tracker.notInjected('s', webIsDrift, pods)), ['a', 'b']);
    pods.store.set('ns/a', pod('a', 'db')); // relabelled out
    pods.store.delete('ns/b'); // deleted
    pods.store.set('ns/c', pod('c', 'web')); // relabelled in
    pods.store.set('ns/d', pod('d', 'web')); // created, but no event for `s` yet
    tracker.podTouched('ns/a', ['s']);
    tracker.podTouched('ns/b', ['s']);
    tracker.podTouched('ns/c', ['other', 's']);
    assert.deepEqual(namesOf(tracker.notInjected('s', webIsDrift, pods)), ['c']);
    assert.equal(pods.scans, 1);
    tracker.podTouched('ns/d', ['s']);
    assert.deepEqual(namesOf(tracker.notInjected('s', webIsDrift, pods)), ['c', 'd']);
    assert.equal(pods.scans, 1);
  });

  it('scans again after rescan, rescanAll, and a judgement that threw', () => {
    const tracker = createDriftTracker();
    const pods = source([pod('a', 'web')]);
    tracker.notInjected('s', webIsDrift, pods);
    tracker.rescan(['s']);
    tracker.notInjected('s', webIsDrift, pods);
    assert.equal(pods.scans, 2);
    tracker.rescanAll();
    tracker.notInjected('s', webIsDrift, pods);
    assert.equal(pods.scans, 3);
    tracker.podTouched('ns/a', ['s']);
    assert.throws(() => tracker.notInjected('s', () => { throw new Error('malformed selector'); }, pods), /malformed/);
    assert.deepEqual(namesOf(tracker.notInjected('s', webIsDrift, pods)), ['a']);
    assert.equal(pods.scans, 4, 'a failed reconcile leaves no half-updated drift');
  });
});
