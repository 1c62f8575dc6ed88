// ControllerRevision history of a SidecarSet (docs/behaviour/revisions.md).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ControllerRevision, Pod } from '../../src/api/core.ts';
import type { SidecarSet } from '../../src/api/sidecarset.ts';
import { createAvoidingCollisions } from '../../controllers/revision-history.ts';
import { KubeApiError } from '../../src/kube/kube-http.ts';
import {
  activeRevisionNames,
  buildRevision,
  controllerRevisionName,
  hashControllerRevision,
  historyAfter,
  missingCustomVersion,
  nextRevisionNumber,
  planLatestRevision,
  planTruncation,
  revisionDataJson,
  revisionsOf,
  storedDataJson,
} from '../../src/revisions/controller-revisions.ts';

const NS = 'sidecarset-system';

function sidecarSet(image: string, extra: Partial<SidecarSet['spec']> = {}, metadata: Partial<SidecarSet['metadata']> = {}): SidecarSet {
  return {
    apiVersion: 'apps.kruise.io/v1alpha1',
    kind: 'SidecarSet',
    metadata: { name: 'sc', uid: 'uid-1', labels: { team: 'a' }, annotations: { 'kruise.io/sidecarset-hash': `h-${image}`, 'kruise.io/sidecarset-hash-without-image': 'hw' }, ...metadata },
    spec: { selector: { matchLabels: { app: 'x' } }, containers: [{ name: 'c', image }], ...extra },
  };
}

/** In-memory stand-in for the revisions of the operator namespace, applying registerLatestRevision's plan like the shell does. */
function register(store: Map<string, ControllerRevision>, s: SidecarSet, pods: Pod[] = []): ControllerRevision {
  const sorted = revisionsOf('sc', store.values());
  const candidate = buildRevision(s, NS, nextRevisionNumber(sorted), 0);
  const plan = planLatestRevision(sorted, candidate);
  let latest = plan.revision;
  if (plan.action === 'renumber') latest = { ...plan.revision, revision: plan.revisionNumber };
  store.set(latest.metadata.name!, latest);
  for (const old of planTruncation(s, pods, historyAfter(sorted, plan, latest)).remove) store.delete(old.metadata.name!);
  return latest;
}

const numbers = (store: Map<string, ControllerRevision>): number[] => [...store.values()].map((r) => r.revision).sort((a, b) => a - b);

describe('revision data', () => {
  it('is Kruise\'s map encoding: sorted keys at every level, absent or empty lists as null', () => {
    assert.equal(
      revisionDataJson(sidecarSet('i')),
      '{"spec":{"$patch":"replace","containers":[{"image":"i","name":"c","resources":{},"shareVolumePolicy":{},"upgradeStrategy":{}}],"imagePullSecrets":null,"initContainers":null,"patchPodMetadata":null,"volumes":null}}',
    );
    const full = sidecarSet('i', {
      volumes: [{ name: 'v', emptyDir: {} }],
      imagePullSecrets: [{ name: 'pull' }, {}],
      patchPodMetadata: [{ annotations: { 'b/key': '<&>', a: '1' }, patchPolicy: 'Overwrite' }, {}],
      initContainers: [],
    });
    assert.equal(
      revisionDataJson(full),
      '{"spec":{"$patch":"replace","containers":[{"image":"i","name":"c","resources":{},"shareVolumePolicy":{},"upgradeStrategy":{}}],' +
        '"imagePullSecrets":[{"name":"pull"},{}],"initContainers":null,' +
        '"patchPodMetadata":[{"annotations":{"a":"1","b/key":"\\u003c\\u0026\\u003e"},"patchPolicy":"Overwrite"},{}],' +
        '"volumes":[{"emptyDir":{},"name":"v"}]}}',
    );
  });

  it('ignores what is not recorded (selector, strategies, metadata)', () => {
    const a = sidecarSet('i');
    const b = sidecarSet('i', { selector: { matchLabels: { app: 'y' } }, updateStrategy: { type: 'NotUpdate' } }, { labels: { other: 'z' } });
    assert.equal(revisionDataJson(a), revisionDataJson(b));
  });
});

describe('revision naming (k8s controller history)', () => {
  it('hashes with 32-bit FNV-1 and the decimal collision count, then SafeEncodeString', () => {
    assert.equal(hashControllerRevision('a'), 'd8bfb88b'); // FNV-1("a") = 84696446
    assert.equal(hashControllerRevision('a', 0), '5ddbd9db46'); // FNV-1("a0") = 1886858602
    const data = revisionDataJson(sidecarSet('i'));
    assert.equal(hashControllerRevision(data, 0), '65fd5cd67c');
    assert.equal(hashControllerRevision(data, 1), '65fd5cd67b');
  });

  it('truncates the prefix to 223 characters', () => {
    assert.equal(controllerRevisionName('p', 'h'), 'p-h');
    const name = controllerRevisionName('x'.repeat(300), 'hash');
    assert.equal(name, `${'x'.repeat(223)}-hash`);
  });

  it('builds the revision with Kruise\'s labels, annotations, owner and data', () => {
    const s = sidecarSet('i', {}, { labels: { team: 'a', 'apps.kruise.io/sidecarset-custom-version': 'v7' } });
    const revision = buildRevision(s, NS, 3, 0);
    assert.equal(revision.metadata.name, 'sc-65fd5cd67c');
    assert.equal(revision.metadata.namespace, NS);
    assert.equal(revision.revision, 3);
    assert.deepEqual(revision.metadata.labels, {
      team: 'a',
      'apps.kruise.io/sidecarset-custom-version': 'v7',
      'kruise.io/sidecarset-name': 'sc',
      'controller.kubernetes.io/hash': '65fd5cd67c',
    });
    assert.deepEqual(revision.metadata.annotations, s.metadata.annotations);
    assert.deepEqual(revision.metadata.ownerReferences, [{ apiVersion: 'apps.kruise.io/v1alpha1', kind: 'SidecarSet', name: 'sc', uid: 'uid-1', controller: true, blockOwnerDeletion: true }]);
    assert.equal(storedDataJson(revision), revisionDataJson(s));
  });
});

describe('registerLatestRevision decisions', () => {
  it('creates revision 1, reuses it while the spec is unchanged, creates 2 on a change', () => {
    const store = new Map<string, ControllerRevision>();
    const first = register(store, sidecarSet('v1'));
    assert.equal(first.revision, 1);
    for (let i = 0; i < 3; i++) assert.equal(register(store, sidecarSet('v1')).metadata.name, first.metadata.name);
    assert.equal(register(store, sidecarSet('v2')).revision, 2);
    assert.deepEqual(numbers(store), [1, 2]);
  });

  it('renumbers an equal older revision on rollback instead of creating one (TestGetActiveRevisions)', () => {
    const store = new Map<string, ControllerRevision>();
    const v1 = register(store, sidecarSet('v1'));
    register(store, sidecarSet('v2'));
    const back = register(store, sidecarSet('v1'));
    assert.equal(back.metadata.name, v1.metadata.name);
    assert.equal(back.revision, 3);
    assert.deepEqual(numbers(store), [2, 3]);
  });

  it('keeps the newest 10 by default; re-applying an old spec renumbers it (e2e "history revision checker")', () => {
    const store = new Map<string, ControllerRevision>();
    for (let i = 1; i <= 15; i++) register(store, sidecarSet(`image-${i}`));
    assert.deepEqual(numbers(store), [6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    const rolledBack = register(store, sidecarSet('image-12'));
    assert.equal(rolledBack.revision, 16);
    assert.deepEqual(numbers(store), [6, 7, 8, 9, 10, 11, 13, 14, 15, 16]);
  });

  it('honours revisionHistoryLimit with a minimum of 1', () => {
    const store = new Map<string, ControllerRevision>();
    for (let i = 1; i <= 4; i++) register(store, sidecarSet(`image-${i}`, { revisionHistoryLimit: 0 }));
    assert.deepEqual(numbers(store), [4]);
    for (let i = 5; i <= 8; i++) register(store, sidecarSet(`image-${i}`, { revisionHistoryLimit: 2 }));
    assert.deepEqual(numbers(store), [7, 8]);
  });

  it('never truncates revisions in use: by matched Pods, pinned by name, or newest with the pinned customVersion', () => {
    const revision = (n: number, labels: Record<string, string> = {}): ControllerRevision => ({
      metadata: { name: `sc-${n}`, labels: { 'kruise.io/sidecarset-name': 'sc', ...labels } },
      revision: n,
    });
    const history = Array.from({ length: 15 }, (_, i) => revision(i + 1, i + 1 === 3 || i + 1 === 4 ? { 'apps.kruise.io/sidecarset-custom-version': 'gold' } : {}));
    const podUsing = (name: string): Pod => ({
      metadata: { name: `p-${name}`, annotations: { 'kruise.io/sidecarset-hash': JSON.stringify({ sc: { hash: 'h', controllerRevision: name } }) } },
      spec: { containers: [] },
    });
    const s = sidecarSet('x', { injectionStrategy: { revision: { revisionName: 'sc-2', customVersion: 'gold' } } });
    const pods = [podUsing('sc-1')];
    assert.deepEqual([...activeRevisionNames(s, pods, history)].sort(), ['sc-1', 'sc-2', 'sc-4']);
    const plan = planTruncation(s, pods, history);
    assert.deepEqual(plan.remove.map((r) => r.metadata.name), ['sc-3', 'sc-5', 'sc-6', 'sc-7', 'sc-8']);
    assert.equal(plan.shortBy, 0);

    // Too many in use: Kruise reports "failed to limit the number of stored revisions".
    const busy = planTruncation(sidecarSet('x', { revisionHistoryLimit: 1 }), history.map((r) => podUsing(r.metadata.name!)), history);
    assert.equal(busy.remove.length, 0);
    assert.equal(busy.shortBy, 14);
    assert.equal(busy.limit, 1);
  });

  it('patches the custom-version label onto the latest revision only when it differs', () => {
    const s = sidecarSet('i', {}, { labels: { 'apps.kruise.io/sidecarset-custom-version': 'v2' } });
    const latest = buildRevision(sidecarSet('i'), NS, 1, 0);
    assert.equal(missingCustomVersion(s, latest), 'v2');
    assert.equal(missingCustomVersion(s, buildRevision(s, NS, 1, 0)), undefined);
    assert.equal(missingCustomVersion(sidecarSet('i'), latest), undefined);
  });
});

describe('name collisions (CreateControllerRevision)', () => {
  const conflict = (): Error => new KubeApiError(409, 'already exists');

  it('reuses a revision of the same name with the same data', async () => {
    const candidate = buildRevision(sidecarSet('i'), NS, 1, 0);
    const existing = { ...candidate, metadata: { ...candidate.metadata, uid: 'existing' } };
    const result = await createAvoidingCollisions(candidate, 'sc', 0, {
      create: async () => {
        throw conflict();
      },
      read: async () => existing,
    });
    assert.equal(result.revision.metadata.uid, 'existing');
    assert.equal(result.collisionCount, 0);
  });

  it('counts a collision with different data and takes the next name', async () => {
    const candidate = buildRevision(sidecarSet('i'), NS, 1, 0);
    const taken = new Map<string, ControllerRevision>([[candidate.metadata.name!, { ...buildRevision(sidecarSet('other'), NS, 1, 0), metadata: { name: candidate.metadata.name } }]]);
    const result = await createAvoidingCollisions(candidate, 'sc', 0, {
      create: async (revision) => {
        if (taken.has(revision.metadata.name!)) throw conflict();
        taken.set(revision.metadata.name!, revision);
        return revision;
      },
      read: async (name) => taken.get(name)!,
    });
    assert.equal(result.collisionCount, 1);
    assert.equal(result.revision.metadata.name, 'sc-65fd5cd67b');
    assert.equal(storedDataJson(result.revision), revisionDataJson(sidecarSet('i')));
  });

  it('passes other errors through', async () => {
    const candidate = buildRevision(sidecarSet('i'), NS, 1, 0);
    await assert.rejects(
      createAvoidingCollisions(candidate, 'sc', 0, {
        create: async () => {
          throw new KubeApiError(403, 'forbidden');
        },
        read: async () => candidate,
      }),
      /forbidden/,
    );
  });
});
