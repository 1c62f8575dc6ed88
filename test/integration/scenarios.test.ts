// End-to-end scenarios through a real kube-apiserver, webhooks and controller together: the operator
// runs in this process (test/support/in-process-operator.ts) with the controller component, its
// webhook configurations registered with url clientConfigs; Pods are created by a client and read
// back as the apiserver stored them, SidecarSet status as the controller wrote it.
//
// The controller watches every SidecarSet of its cluster and would write the status (and the
// ControllerRevisions) of other test files' objects, so this file starts a control plane of its own,
// as controller.test.ts does. Tests run in order within each describe and build on each other.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type V1Container, type V1Pod } from '@kubernetes/client-node';
import { controllerComponent, type ControllerComponent } from '../../src/operator/controller-component.ts';
import {
  ANNOTATION_INJECTED_LIST,
  ANNOTATION_SIDECARSET_HASH,
  ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE,
  ANNOTATION_WORKING_HOTUPGRADE_CONTAINER,
  GROUP,
  LABEL_CUSTOM_VERSION,
  PLURAL,
  VERSION,
  type SidecarSet,
  type SidecarSetStatus,
} from '../../src/api/sidecarset.ts';
import { allow, type AdmissionWebhook } from '../../webhooks/admission-outcome.ts';
import { SKIP_REASON, binariesAvailable, startControlPlane, waitFor, type ControlPlane } from '../control-plane/harness.ts';
import { refusal, startInProcessOperator, type InProcessOperator } from '../support/in-process-operator.ts';
import { startTestWebhookServer, type TestWebhookServer } from '../support/test-webhook-server.ts';

const RUN = randomBytes(4).toString('hex');
const GVR = { group: GROUP, version: VERSION, plural: PLURAL };
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const DENIED = 'admission webhook "vsidecarset.kb.io" denied the request: ';

interface HashEntry {
  updateTimestamp: string;
  hash: string;
  sidecarSetName: string;
  sidecarList: string[];
  controllerRevision?: string;
}

const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value));
const hashOf = (sidecarSet: SidecarSet): string => sidecarSet.metadata.annotations![ANNOTATION_SIDECARSET_HASH];
const hashWithoutImageOf = (sidecarSet: SidecarSet): string => sidecarSet.metadata.annotations![ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE];
const names = (containers: V1Container[] | undefined): string[] => (containers ?? []).map((container) => container.name);
const container = (pod: V1Pod, name: string): V1Container => {
  const found = [...(pod.spec!.initContainers ?? []), ...pod.spec!.containers].find((c) => c.name === name);
  assert.ok(found, `container ${name} in ${pod.metadata!.name}`);
  return found;
};
const hashEntry = (pod: V1Pod, sidecarSetName: string, key = ANNOTATION_SIDECARSET_HASH): HashEntry =>
  JSON.parse(pod.metadata!.annotations![key])[sidecarSetName];
/** Volumes and mounts the injection decides: the apiserver's service-account token left out. */
const ownVolumes = (pod: V1Pod): string[] => (pod.spec!.volumes ?? []).map((volume) => volume.name).filter((name) => !name.startsWith('kube-api-access-'));

function sidecarSetBody(name: string, spec: Record<string, unknown>): Record<string, any> {
  return { apiVersion: `${GROUP}/${VERSION}`, kind: 'SidecarSet', metadata: { name }, spec };
}

describe('SidecarSet scenarios through kube-apiserver, webhooks and controller', { skip: binariesAvailable() ? false : SKIP_REASON, timeout: 120_000 }, () => {
  let cp: ControlPlane | undefined;
  let core: CoreV1Api;
  let objects: CustomObjectsApi;
  let apps: AppsV1Api;
  let operatorNamespace: string;
  let namespace: string;
  let started: InProcessOperator | undefined;
  let controller: ControllerComponent | undefined;

  // --- helpers -----------------------------------------------------------------------------------

  /** Admissions answered by one webhook so far, by result (allowed, patched, denied, ...). */
  async function admissions(webhook: string): Promise<Record<string, number>> {
    const metric = (await started!.operator.registry.getMetricsAsJSON()).find((m) => m.name === 'sidecarset_webhook_admission_duration_seconds');
    const counts: Record<string, number> = {};
    for (const value of metric?.values ?? []) {
      const { metricName } = value as { metricName?: string };
      if (metricName?.endsWith('_count') && value.labels.webhook === webhook) counts[String(value.labels.result)] = (counts[String(value.labels.result)] ?? 0) + value.value;
    }
    return counts;
  }
  const total = (counts: Record<string, number>): number => Object.values(counts).reduce((sum, n) => sum + n, 0);

  /** Waits until the operator's cache holds what the apiserver answered, so the webhooks judge the next request by it. */
  const cached = (stored: SidecarSet): Promise<SidecarSet> =>
    waitFor(`SidecarSet ${stored.metadata.name} generation ${stored.metadata.generation} in the operator's cache`, () => {
      const inCache = started!.caches.sidecarSets.get(stored.metadata.name!);
      return inCache && inCache.metadata.generation === stored.metadata.generation && JSON.stringify(inCache.metadata.labels ?? {}) === JSON.stringify(stored.metadata.labels ?? {}) ? inCache : undefined;
    });

  const createSidecarSet = async (body: Record<string, any>): Promise<SidecarSet> => {
    const stored = (await objects.createClusterCustomObject({ ...GVR, body })) as SidecarSet;
    await cached(stored);
    return stored;
  };

  const patchSidecarSet = async (name: string, patch: Record<string, unknown>): Promise<SidecarSet> => {
    const stored = (await objects.patchClusterCustomObject({ ...GVR, name, body: patch }, MERGE_PATCH)) as SidecarSet;
    await cached(stored);
    return stored;
  };

  /** The refusal a patch meets; fails when it is accepted. */
  const refusedPatch = async (name: string, patch: Record<string, unknown>): Promise<{ code?: number; message: string }> => {
    let outcome: { code?: number; message: string } | undefined;
    await assert.rejects(objects.patchClusterCustomObject({ ...GVR, name, body: patch }, MERGE_PATCH), (error: unknown) => {
      outcome = refusal(error);
      return true;
    });
    return outcome!;
  };

  const createPod = (name: string, labels: Record<string, string>, spec: Partial<V1Pod['spec']> = {}, dryRun = false): Promise<V1Pod> =>
    core.createNamespacedPod({
      namespace,
      body: { metadata: { name, labels }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }], ...spec } },
      ...(dryRun ? { dryRun: 'All' } : {}),
    });

  /** What a kubelet would report: Running and Ready, a started status for every container so the Pod is "consistent". */
  async function setPodReady(name: string): Promise<void> {
    const pod = await core.readNamespacedPod({ name, namespace });
    const now = new Date();
    const containerStatuses = pod.spec!.containers.map((c) => ({
      name: c.name,
      image: c.image!,
      imageID: `docker-pullable://${c.image!.split(':')[0]}@sha256:${'a'.repeat(64)}`,
      ready: true,
      restartCount: 0,
      started: true,
      state: { running: { startedAt: now } },
    }));
    const body = { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }], containerStatuses } };
    await core.patchNamespacedPodStatus({ name, namespace, body }, MERGE_PATCH);
  }

  async function expectStatus(name: string, expected: Partial<SidecarSetStatus>): Promise<SidecarSetStatus> {
    let last: SidecarSetStatus | undefined;
    try {
      return await waitFor(`status of ${name} to be ${JSON.stringify(expected)}`, async () => {
        last = ((await objects.getClusterCustomObject({ ...GVR, name })) as SidecarSet).status;
        return last && Object.entries(expected).every(([key, value]) => (last as unknown as Record<string, unknown>)[key] === value) ? last : undefined;
      }, { timeoutMs: 20_000, intervalMs: 100 });
    } catch (error) {
      throw new Error(`${(error as Error).message}; last status ${JSON.stringify(last)}`);
    }
  }

  /** The latest revision once the controller recorded it, and once the webhooks' caches know both it and the status naming it. */
  async function latestRevision(name: string, generation: number): Promise<string> {
    const status = await expectStatus(name, { observedGeneration: generation });
    const revision = status.latestRevision!;
    await waitFor(`revision ${revision} and the status naming it in the operator's cache`, () =>
      started!.caches.revisions.get(`${operatorNamespace}/${revision}`) !== undefined && started!.caches.sidecarSets.get(name)?.status?.latestRevision === revision,
    );
    return revision;
  }

  const readRevision = (name: string) => apps.readNamespacedControllerRevision({ name, namespace: operatorNamespace });

  // --- setup -------------------------------------------------------------------------------------

  before(async () => {
    cp = await startControlPlane({ handleSignals: false, quiet: true });
    await cp.installCRDs();
    core = cp.kubeConfig.makeApiClient(CoreV1Api);
    objects = cp.kubeConfig.makeApiClient(CustomObjectsApi);
    apps = cp.kubeConfig.makeApiClient(AppsV1Api);
    operatorNamespace = await cp.createNamespace({ prefix: 'sidecarset-system' });
    namespace = await cp.createNamespace({ prefix: 'scenarios' });
    started = await startInProcessOperator({
      cluster: cp,
      namespace: operatorNamespace,
      controller: (context) => (controller = controllerComponent(context)),
      leaderElect: true,
      leaderElectionId: `sidecarset-scenarios-${RUN}`,
      leaseDurationMs: 6000,
      renewDeadlineMs: 4000,
      retryPeriodMs: 500,
    });
    await waitFor('the controller leading', () => controller?.isLeader() && controller.ready(), { timeoutMs: 20_000 });
    // Registration reaches the apiserver's webhook informer a moment later: prove all three webhooks are called.
    await waitFor('the SidecarSet webhooks to be called', async () => {
      const body = sidecarSetBody('probe', { selector: { matchLabels: { app: 'probe' } }, containers: [{ name: 'probe', image: 'busybox:1.36' }] });
      const defaulted = (await objects.createClusterCustomObject({ ...GVR, body, dryRun: 'All' })) as SidecarSet;
      if (!defaulted.metadata.annotations?.[ANNOTATION_SIDECARSET_HASH]) return false;
      const invalid = objects.createClusterCustomObject({ ...GVR, body: { ...body, spec: { ...body.spec, selector: undefined } }, dryRun: 'All' });
      return invalid.then(() => false, (error: unknown) => refusal(error).message.startsWith(DENIED));
    }, { timeoutMs: 30_000, intervalMs: 200 });
    await waitFor('the Pod webhook to be called', async () => {
      const calls = total(await admissions('mutate-pod'));
      await createPod('probe', { app: 'probe' }, {}, true);
      return total(await admissions('mutate-pod')) > calls;
    }, { timeoutMs: 30_000, intervalMs: 200 });
  });

  after(async () => {
    await started?.stop();
    await cp?.stop();
  });

  // --- 1 and 6: revisions pinned by name or custom version, and the status they lead to -----------

  describe('a pinned revision', () => {
    const name = 'pinned';
    const labels = { app: 'pinned' };
    let v1: SidecarSet;
    let v2: SidecarSet;
    let revision1: string;
    let revision2: string;

    it('injects the revision it pins after the sidecar image changed', async () => {
      // NotUpdate: this scenario is about what injection pins; an in-place upgrade (upgrade.test.ts) would move the Pods.
      v1 = await createSidecarSet(sidecarSetBody(name, { selector: { matchLabels: labels }, containers: [{ name: 'agent', image: 'agent:1' }], updateStrategy: { type: 'NotUpdate' } }));
      revision1 = await latestRevision(name, 1);
      assert.equal((await readRevision(revision1)).metadata?.annotations?.[ANNOTATION_SIDECARSET_HASH], hashOf(v1));

      const unpinned = await createPod('pinned-0', labels);
      assert.equal(container(unpinned, 'agent').image, 'agent:1');
      assert.equal(hashEntry(unpinned, name).controllerRevision, revision1);

      // The validating webhook resolves the pin through its revisions cache (rule 13) and accepts it.
      v2 = await patchSidecarSet(name, { spec: { containers: [{ name: 'agent', image: 'agent:2' }], injectionStrategy: { revision: { revisionName: revision1 } } } });
      assert.deepEqual(plain(v2.spec.injectionStrategy), { revision: { revisionName: revision1, policy: 'Always' } }, 'policy defaulted');
      assert.notEqual(hashOf(v2), hashOf(v1));

      const pinned = await createPod('pinned-1', labels);
      assert.deepEqual(names(pinned.spec!.containers), ['agent', 'app']);
      assert.equal(container(pinned, 'agent').image, 'agent:1', 'the image of the pinned revision, not the latest');
      const entry = hashEntry(pinned, name);
      assert.deepEqual({ ...entry, updateTimestamp: undefined }, { updateTimestamp: undefined, hash: hashOf(v1), sidecarSetName: name, sidecarList: ['agent'], controllerRevision: revision1 });
      assert.equal(hashEntry(pinned, name, ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE).hash, hashWithoutImageOf(v1));
      assert.equal(hashEntry(pinned, name, ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE).controllerRevision, undefined);

      revision2 = await latestRevision(name, 2);
      assert.notEqual(revision2, revision1);
      assert.equal((await readRevision(revision2)).revision, 2);
    });

    it('refuses a pin to a revision that does not exist', async () => {
      const outcome = await refusedPatch(name, { spec: { injectionStrategy: { revision: { revisionName: `${name}-missing` } } } });
      assert.deepEqual(outcome, {
        code: 422,
        message: `${DENIED}revision: Invalid value: null: Cannot find specific ControllerRevision, err: controllerrevisions.apps "${name}-missing" not found`,
      });
    });

    it('counts pinned Pods as matched but not updated, and ready once every container reports', async () => {
      await setPodReady('pinned-0');
      await setPodReady('pinned-1');
      // Both Pods record the hash of revision 1; the SidecarSet's is revision 2's.
      await expectStatus(name, { observedGeneration: 2, matchedPods: 2, updatedPods: 0, readyPods: 2, updatedReadyPods: 0, latestRevision: revision2, collisionCount: 0 });

      // Unpinned, new Pods get the latest spec; the revision data does not hold injectionStrategy, so no new revision.
      const unpinned = await patchSidecarSet(name, { spec: { injectionStrategy: null } });
      assert.equal(unpinned.spec.injectionStrategy, undefined);
      assert.equal(await latestRevision(name, 3), revision2);
      const latest = await createPod('pinned-2', labels);
      assert.equal(container(latest, 'agent').image, 'agent:2');
      assert.equal(hashEntry(latest, name).hash, hashOf(v2));
      assert.equal(hashEntry(latest, name).controllerRevision, revision2);
      await expectStatus(name, { observedGeneration: 3, matchedPods: 3, updatedPods: 1, readyPods: 2, updatedReadyPods: 0 });
      await setPodReady('pinned-2');
      await expectStatus(name, { matchedPods: 3, updatedPods: 1, readyPods: 3, updatedReadyPods: 1 });
    });

    it('pins by customVersion once the revision carries the label', async () => {
      const custom = 'custom';
      const customLabels = { app: 'custom' };
      const c1 = await createSidecarSet(sidecarSetBody(custom, { selector: { matchLabels: customLabels }, containers: [{ name: 'collector', image: 'collector:1' }], updateStrategy: { type: 'NotUpdate' } }));
      const customRevision1 = await latestRevision(custom, 1);

      // No revision carries the custom version yet: refused.
      const early = await refusedPatch(custom, { spec: { injectionStrategy: { revision: { customVersion: 'v1' } } } });
      assert.deepEqual(early, {
        code: 422,
        message: `${DENIED}revision: Invalid value: null: Cannot find specific ControllerRevision, err: no ControllerRevision of SidecarSet ${custom} has label ${LABEL_CUSTOM_VERSION}=v1`,
      });

      // v1alpha1 expresses customVersion as a SidecarSet label; the controller copies it onto the latest revision.
      await patchSidecarSet(custom, { metadata: { labels: { [LABEL_CUSTOM_VERSION]: 'v1' } } });
      await waitFor(`revision ${customRevision1} labelled v1`, async () => (await readRevision(customRevision1)).metadata?.labels?.[LABEL_CUSTOM_VERSION] === 'v1');
      await waitFor('the labelled revision in the operator cache', () => started!.caches.revisions.get(`${operatorNamespace}/${customRevision1}`)?.metadata.labels?.[LABEL_CUSTOM_VERSION] === 'v1');

      // A new image under a new custom version, new Pods pinned to v1.
      const c2 = await patchSidecarSet(custom, {
        metadata: { labels: { [LABEL_CUSTOM_VERSION]: 'v2' } },
        spec: { containers: [{ name: 'collector', image: 'collector:2' }], injectionStrategy: { revision: { customVersion: 'v1' } } },
      });
      const pod = await createPod('custom-0', customLabels);
      assert.equal(container(pod, 'collector').image, 'collector:1');
      assert.equal(hashEntry(pod, custom).hash, hashOf(c1));
      assert.equal(hashEntry(pod, custom).controllerRevision, customRevision1);
      assert.notEqual(hashOf(c2), hashOf(c1));

      const customRevision2 = await latestRevision(custom, 2);
      assert.notEqual(customRevision2, customRevision1);
      assert.equal((await readRevision(customRevision2)).metadata?.labels?.[LABEL_CUSTOM_VERSION], 'v2');
      assert.equal((await readRevision(customRevision1)).metadata?.labels?.[LABEL_CUSTOM_VERSION], 'v1');
    });
  });

  // --- 2: hot upgrade ----------------------------------------------------------------------------

  it('injects a HotUpgrade sidecar as a working and an idle container the apiserver accepts', async () => {
    const name = 'hot';
    const labels = { app: 'hot' };
    const hot = await createSidecarSet(sidecarSetBody(name, {
      selector: { matchLabels: labels },
      containers: [{ name: 'proxy', image: 'envoy:1.30', env: [{ name: 'MODE', value: 'hot' }], upgradeStrategy: { upgradeType: 'HotUpgrade', hotUpgradeEmptyImage: 'busybox:empty' } }],
    }));
    const pod = await createPod('hot-0', labels);
    assert.deepEqual(names(pod.spec!.containers), ['proxy-1', 'proxy-2', 'app']);
    const versionEnv = (own: string) => [
      // The apiserver's defaulting adds fieldRef.apiVersion; the injection leaves it out, as Kruise does.
      { name: 'SIDECARSET_VERSION', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: `metadata.annotations['version.sidecarset.kruise.io/${own}']` } } },
      { name: 'SIDECARSET_VERSION_ALT', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: `metadata.annotations['versionalt.sidecarset.kruise.io/${own}']` } } },
    ];
    for (const [own, image] of [['proxy-1', 'envoy:1.30'], ['proxy-2', 'busybox:empty']] as const) {
      const injected = container(pod, own);
      assert.equal(injected.image, image);
      assert.deepEqual(plain(injected.env), [{ name: 'MODE', value: 'hot' }, { name: 'IS_INJECTED', value: 'true' }, ...versionEnv(own)]);
    }
    const annotations = pod.metadata!.annotations!;
    assert.equal(annotations['version.sidecarset.kruise.io/proxy-1'], '1');
    assert.equal(annotations['versionalt.sidecarset.kruise.io/proxy-1'], '0');
    assert.equal(annotations['version.sidecarset.kruise.io/proxy-2'], '0');
    assert.equal(annotations['versionalt.sidecarset.kruise.io/proxy-2'], '1');
    assert.equal(annotations[ANNOTATION_WORKING_HOTUPGRADE_CONTAINER], '{"proxy":"proxy-1"}');
    assert.deepEqual(hashEntry(pod, name).sidecarList, ['proxy'], 'the spec name, not the pair');
    assert.equal(hashEntry(pod, name).hash, hashOf(hot));

    // Consistent (both halves and the working-container entry), ready once running with the idle half on the empty image.
    await expectStatus(name, { matchedPods: 1, updatedPods: 1, readyPods: 0 });
    await setPodReady('hot-0');
    await expectStatus(name, { matchedPods: 1, updatedPods: 1, readyPods: 1, updatedReadyPods: 1 });
  });

  // --- 3: native sidecar init container ----------------------------------------------------------

  it('injects a native sidecar and a plain init container after the Pod\'s own, sorted by name', async () => {
    const name = 'native';
    const labels = { app: 'native' };
    const spec = {
      selector: { matchLabels: labels },
      initContainers: [
        { name: 'z-native', image: 'proxy:1', restartPolicy: 'Always' },
        { name: 'm-plain', image: 'busybox:1.36', command: ['true'] },
      ],
    };
    // Native sidecars are upgraded in place, so RollingUpdate (the default) is admitted (Kruise's rule 9 lifted).
    const native = await createSidecarSet(sidecarSetBody(name, spec));

    const pod = await createPod('native-0', labels, { initContainers: [{ name: 'setup', image: 'busybox:1.36', command: ['true'] }] });
    assert.deepEqual(names(pod.spec!.initContainers), ['setup', 'm-plain', 'z-native']);
    assert.equal(container(pod, 'z-native').restartPolicy, 'Always');
    assert.equal(container(pod, 'm-plain').restartPolicy, undefined);
    assert.deepEqual(names(pod.spec!.containers), ['app']);
    assert.deepEqual(hashEntry(pod, name).sidecarList, ['z-native'], 'the native sidecar only');
    assert.equal(hashEntry(pod, name).hash, hashOf(native));
    assert.equal(pod.metadata!.annotations![ANNOTATION_INJECTED_LIST], name);
  });

  // --- 4: UPDATE rules ---------------------------------------------------------------------------

  it('refuses adding a container or changing an upgradeType, and accepts removing one', async () => {
    const name = 'immutable';
    const one = { name: 'one', image: 'busybox:1.36' };
    const two = { name: 'two', image: 'busybox:1.36' };
    await createSidecarSet(sidecarSetBody(name, { selector: { matchLabels: { app: 'immutable' } }, containers: [one, two] }));

    assert.deepEqual(await refusedPatch(name, { spec: { containers: [one, two, { name: 'three', image: 'busybox:1.36' }] } }), {
      code: 422,
      message: `${DENIED}spec.containers.name: Invalid value: "three": container three is not found`,
    });
    assert.deepEqual(await refusedPatch(name, { spec: { containers: [{ ...one, upgradeStrategy: { upgradeType: 'HotUpgrade' } }, two] } }), {
      code: 422,
      message: `${DENIED}spec.containers.upgradeStrategy.upgradeType: Invalid value: "one": container one upgradeType is immutable`,
    });

    const removed = await patchSidecarSet(name, { spec: { containers: [one] } });
    assert.deepEqual(removed.spec.containers!.map((c) => c.name), ['one']);
    assert.equal(removed.metadata.generation, 2);
    // Removed is gone for good: bringing it back is adding it.
    assert.deepEqual(await refusedPatch(name, { spec: { containers: [one, two] } }), {
      code: 422,
      message: `${DENIED}spec.containers.name: Invalid value: "two": container two is not found`,
    });
  });

  // --- 5: reinvocation ---------------------------------------------------------------------------

  describe('when a later webhook changes the Pod', () => {
    const REINVOKE = 'scenarios.sidecarset.io/reinvoke';
    const LABELLED = 'scenarios.sidecarset.io/labelled';
    // What the labeller saw: the Pod right after the first /mutate-pod call.
    const seen: V1Pod[] = [];
    let labeller: TestWebhookServer | undefined;

    before(async () => {
      const webhook: AdmissionWebhook = {
        name: 'label-pod',
        path: '/label-pod',
        mutating: true,
        maxBodyBytes: 1 << 20,
        async admit(request) {
          const pod = request.object as unknown as V1Pod;
          if (pod.metadata?.labels?.[LABELLED]) return allow();
          seen.push(structuredClone(pod));
          // Past the second boundary, so a rewritten updateTimestamp would show.
          await sleep(1100);
          // A label (so the Pod changed after /mutate-pod), and a policy on every container, sidecars included.
          const hardening = (pod.spec?.containers ?? []).map((_, index) => ({ op: 'add', path: `/spec/containers/${index}/securityContext`, value: { runAsNonRoot: true } }));
          return allow({ patch: [{ op: 'add', path: `/metadata/labels/${LABELLED.replace('/', '~1')}`, value: 'true' }, ...hardening] });
        },
        onInternalError: () => allow(),
      };
      labeller = await startTestWebhookServer({ webhooks: [webhook], logLevel: 'warn' });
      // Sorted after the operator's configuration, so it runs after /mutate-pod, whose IfNeeded policy brings the Pod back.
      await cp!.registerWebhooks([{
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'MutatingWebhookConfiguration',
        metadata: { name: `zz-scenarios-labeller-${RUN}` },
        webhooks: [{
          name: 'labeller.scenarios.sidecarset.io',
          admissionReviewVersions: ['v1'],
          sideEffects: 'None',
          failurePolicy: 'Fail',
          timeoutSeconds: 10,
          reinvocationPolicy: 'Never',
          clientConfig: { service: { namespace: 'unused', name: 'unused', path: '/label-pod' } },
          rules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE'], scope: 'Namespaced' }],
          objectSelector: { matchLabels: { [REINVOKE]: 'true' } },
        }],
      }], { port: labeller.port, caBundle: labeller.tls.caPem });
      await waitFor('the labeller to be called', async () => (await createPod('labeller-probe', { [REINVOKE]: 'true' }, {}, true)).metadata?.labels?.[LABELLED] === 'true', { timeoutMs: 30_000, intervalMs: 200 });
      seen.length = 0;
    });

    after(async () => {
      await labeller?.close();
    });

    it('calls /mutate-pod again, which changes nothing: each sidecar once, its changes kept, timestamps as they were', async () => {
      const name = 'reinvoked';
      const labels = { app: 'reinvoked', [REINVOKE]: 'true' };
      await createSidecarSet(sidecarSetBody(name, {
        selector: { matchLabels: { app: 'reinvoked' } },
        initContainers: [{ name: 'prepare', image: 'busybox:1.36', command: ['true'] }],
        containers: [
          { name: 'logger', image: 'fluent-bit:3.1', volumeMounts: [{ name: 'logs', mountPath: '/logs' }], shareVolumePolicy: { type: 'enabled' } },
          { name: 'mesh', image: 'envoy:1.30', upgradeStrategy: { upgradeType: 'HotUpgrade', hotUpgradeEmptyImage: 'busybox:empty' } },
        ],
        volumes: [{ name: 'logs' }],
        imagePullSecrets: [{ name: 'registry' }],
      }));
      // Both calls must see the same SidecarSet, status.latestRevision included (recorded as controllerRevision).
      const revision = await latestRevision(name, 1);
      const callsBefore = await admissions('mutate-pod');
      const pod = await createPod('reinvoked-0', labels, {
        containers: [{ name: 'app', image: 'nginx:1.27', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
        volumes: [{ name: 'data', emptyDir: {} }],
      });
      const callsAfter = await admissions('mutate-pod');

      assert.equal(total(callsAfter) - total(callsBefore), 2, 'the apiserver called /mutate-pod twice');
      // The second call finds the version it injected recorded on the Pod and keeps the injected containers as
      // they came back (defaulted by the apiserver, hardened by the labeller): no patch at all.
      assert.equal((callsAfter.patched ?? 0) - (callsBefore.patched ?? 0), 1, 'patched the first time');
      assert.equal((callsAfter.allowed ?? 0) - (callsBefore.allowed ?? 0), 1, 'nothing to change the second time');
      assert.equal(seen.length, 1);
      const first = seen[0];
      assert.equal(hashEntry(first, name).controllerRevision, revision);

      assert.equal(pod.metadata!.labels![LABELLED], 'true');
      assert.deepEqual(names(pod.spec!.initContainers), ['prepare']);
      assert.deepEqual(names(pod.spec!.containers), ['logger', 'mesh-1', 'mesh-2', 'app']);
      assert.deepEqual(ownVolumes(pod), ['data', 'logs']);
      assert.deepEqual(plain(pod.spec!.imagePullSecrets), [{ name: 'registry' }]);
      for (const sidecar of ['prepare', 'logger', 'mesh-1', 'mesh-2']) {
        const env = (container(pod, sidecar).env ?? []).map((e) => e.name);
        assert.equal(env.filter((e) => e === 'IS_INJECTED').length, 1, `${sidecar}: IS_INJECTED once`);
        assert.equal(new Set(env).size, env.length, `${sidecar}: no env var twice (${env})`);
      }
      const loggerMounts = (container(pod, 'logger').volumeMounts ?? []).filter((m) => !m.name.startsWith('kube-api-access-'));
      assert.deepEqual(loggerMounts.map((m) => m.mountPath), ['/logs', '/data'], 'shared mounts once');
      // Annotations exactly as the first call wrote them, updateTimestamp included, although the second call came >1 s later.
      for (const key of [ANNOTATION_SIDECARSET_HASH, ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE, ANNOTATION_INJECTED_LIST, ANNOTATION_WORKING_HOTUPGRADE_CONTAINER]) {
        assert.equal(pod.metadata!.annotations![key], first.metadata!.annotations![key], key);
      }
      assert.deepEqual(plain(pod.spec!.containers.map((c) => ({ name: c.name, image: c.image }))), first.spec!.containers.map((c) => ({ name: c.name, image: c.image })));
      // The later webhook's change to the sidecars survives the second call (it is not called again itself).
      assert.deepEqual(pod.spec!.containers.map((c) => [c.name, plain(c.securityContext)]), names(pod.spec!.containers).map((n) => [n, { runAsNonRoot: true }]));
    });
  });
});
