// Drift kept between reconciles (src/status/drift-tracker.ts): exact as long as every Pod event that
// concerns a SidecarSet touches it, and a full scan whenever rescan is due.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../../src/api/core.ts';
import { createDriftTracker, type DriftScope, type PodClassifier, type PodSource } from '../../src/status/drift-tracker.ts';
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

/** One SidecarSet `s` judging by `classify`, a candidate for every Pod. */
const only = (pods: PodSource, classify: PodClassifier = webIsDrift): DriftScope => ({
  pods,
  sidecarSetNames: () => ['s'],
  candidates: () => ['s'],
  classifierOf: (name) => (name === 's' ? classify : undefined),
});
const namesOf = (pods: Pod[]): string[] => pods.map((p) => p.metadata.name ?? '').sort();

describe('drift tracker', () => {
  it('scans every Pod first, then re-judges only the touched ones', () => {
    const tracker = createDriftTracker();
    const pods = source([pod('a', 'web'), pod('b', 'web'), pod('c', 'db')]);
    assert.deepEqual(namesOf(tracker.notInjected('s', only(pods))), ['a', 'b']);
    pods.store.set('ns/a', pod('a', 'db')); // relabelled out
    pods.store.delete('ns/b'); // deleted
    pods.store.set('ns/c', pod('c', 'web')); // relabelled in
    pods.store.set('ns/d', pod('d', 'web')); // created, but no event for `s` yet
    tracker.podTouched('ns/a', ['s']);
    tracker.podTouched('ns/b', ['s']);
    tracker.podTouched('ns/c', ['other', 's']);
    assert.deepEqual(namesOf(tracker.notInjected('s', only(pods))), ['c']);
    assert.equal(pods.scans, 1);
    tracker.podTouched('ns/d', ['s']);
    assert.deepEqual(namesOf(tracker.notInjected('s', only(pods))), ['c', 'd']);
    assert.equal(pods.scans, 1);
  });

  it('scans again after rescan, rescanAll, and a judgement that threw', () => {
    const tracker = createDriftTracker();
    const pods = source([pod('a', 'web')]);
    tracker.notInjected('s', only(pods));
    tracker.rescan(['s']);
    tracker.notInjected('s', only(pods));
    assert.equal(pods.scans, 2);
    tracker.rescanAll();
    tracker.notInjected('s', only(pods));
    assert.equal(pods.scans, 3);
    tracker.podTouched('ns/a', ['s']);
    assert.throws(() => tracker.notInjected('s', only(pods, () => { throw new Error('malformed selector'); })), /malformed/);
    assert.deepEqual(namesOf(tracker.notInjected('s', only(pods))), ['a']);
    assert.equal(pods.scans, 4, 'a failed reconcile leaves no half-updated drift');
  });

  it('settles every SidecarSet due with one pass, judging each Pod only by its candidates', () => {
    const tracker = createDriftTracker();
    const pods = source([pod('a', 'web'), pod('b', 'db'), pod('c', 'web')]);
    const judged: string[] = [];
    const judging = (name: string, app: string): PodClassifier => (p) => {
      judged.push(`${name}:${p.metadata.name}`);
      return p.metadata.labels?.app === app ? 'notInjected' : undefined;
    };
    const classifiers: Record<string, PodClassifier> = { web: judging('web', 'web'), db: judging('db', 'db'), broken: () => { throw new Error('malformed selector'); } };
    const scope: DriftScope = {
      pods,
      sidecarSetNames: () => ['web', 'db', 'broken', 'gone'],
      // web and db are filed under their app label; broken is tried on every Pod.
      candidates: (labels) => ['broken', ...(labels?.app ? [labels.app] : [])],
      classifierOf: (name) => classifiers[name],
    };
    assert.deepEqual(namesOf(tracker.notInjected('web', scope)), ['a', 'c']);
    assert.equal(pods.scans, 1);
    assert.deepEqual(judged.sort(), ['db:b', 'web:a', 'web:c'], 'no SidecarSet judges a Pod that lacks its label');
    assert.deepEqual(namesOf(tracker.notInjected('db', scope)), ['b']);
    assert.equal(pods.scans, 1, 'db was settled by the scan for web');
    assert.throws(() => tracker.notInjected('broken', scope), /malformed/, 'a SidecarSet that failed in the batch stays due and fails in its own reconcile');
    assert.equal(pods.scans, 2);
    tracker.rescanAll();
    tracker.notInjected('db', scope);
    tracker.notInjected('web', scope);
    assert.equal(pods.scans, 3);
  });
});
