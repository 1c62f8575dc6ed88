// OpenKruise 1.9's API on a real kube-apiserver, with the operator in this process: the CRD serves
// v1alpha1 and v1beta1 (stored), the apiserver converts through the operator's own `/convert`, both
// versions round-trip unchanged, `kubectl get sidecarsets` columns, installing over a CRD that Kruise
// 1.9 left with storedVersions [v1alpha1, v1beta1], and Pods injected alike from either version.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { ApiextensionsV1Api, AppsV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { CONVERSION_PATH } from '../../src/api/crd.ts';
import { ANNOTATION_SIDECARSET_HASH, ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE, LABEL_CUSTOM_VERSION, LABEL_SIDECARSET_NAME } from '../../src/api/sidecarset.ts';
import { controllerComponent } from '../../src/operator/controller-component.ts';
import { SIDECARSET_CRD, SKIP_REASON, errorCode, locateBinaries, readYamlObjects, testControlPlane, waitFor, type Cluster } from '../control-plane/harness.ts';
import type { ConversionTarget } from '../control-plane/conversion-server.ts';
import { startInProcessOperator, type InProcessOperator } from '../support/in-process-operator.ts';

const cp = await testControlPlane();
const CRD = 'sidecarsets.apps.kruise.io';
const gvr = (version: 'v1alpha1' | 'v1beta1') => ({ group: 'apps.kruise.io', version, plural: 'sidecarsets' });
const RUN = Date.now().toString(36);
const NAME_LABEL = 'kubernetes.io/metadata.name';
const execFileAsync = promisify(execFile);

/** What a round trip must keep: everything but what the apiserver and the controller write. */
function kept(object: Record<string, any>): Record<string, any> {
  const { apiVersion, kind, spec, metadata } = object;
  return { apiVersion, kind, spec, labels: metadata.labels, annotations: metadata.annotations };
}

describe('SidecarSet v1alpha1 and v1beta1 on a real kube-apiserver', { skip: cp ? false : SKIP_REASON }, () => {
  const cluster = cp as Cluster;
  let started: InProcessOperator;
  let objects: CustomObjectsApi;
  let core: CoreV1Api;
  let namespace: string;
  let operatorNamespace: string;
  let ownConversion: ConversionTarget;

  const converted = async (): Promise<number> => {
    const metric = (await started.operator.registry.getSingleMetric('sidecarset_conversion_objects_total')?.get())?.values ?? [];
    return metric.reduce((sum, value) => sum + value.value, 0);
  };
  const get = async (version: 'v1alpha1' | 'v1beta1', name: string) => (await objects.getClusterCustomObject({ ...gvr(version), name })) as Record<string, any>;
  /** Reads the object in `version` and writes it back unchanged; the controller's status writes may race it. */
  const rewrite = async (version: 'v1alpha1' | 'v1beta1', name: string): Promise<void> => {
    await waitFor(`${name} written back as ${version}`, async () => {
      try {
        await objects.replaceClusterCustomObject({ ...gvr(version), name, body: await get(version, name) });
        return true;
      } catch (error) {
        if (errorCode(error) === 409) return false;
        throw error;
      }
    });
  };

  before(async () => {
    objects = cluster.kubeConfig.makeApiClient(CustomObjectsApi);
    core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    operatorNamespace = await cluster.createNamespace({ prefix: 'sidecarset-system' });
    namespace = await cluster.createNamespace({ prefix: 'v1beta1' });
    // createNamespace() also creates the default ServiceAccount (no controller-manager here).
    await cluster.installCRDs();
    started = await startInProcessOperator({
      cluster,
      namespace: operatorNamespace,
      controller: controllerComponent,
      leaderElectionId: `sidecarset-v1beta1-${RUN}`,
    });
    // The apiserver converts through this operator's /convert from now on (restored in after()).
    const caBundle = started.registered[0].webhooks[0].clientConfig.caBundle as string;
    ownConversion = { url: `https://127.0.0.1:${started.operator.ports.webhook}${CONVERSION_PATH}`, caPem: Buffer.from(caBundle, 'base64').toString() };
    await cluster.installCRDs(SIDECARSET_CRD, ownConversion);
  });

  after(async () => {
    await cluster.installCRDs();
    await started?.stop();
  });

  it('serves both versions from one CRD, v1beta1 stored, converted by the webhook', async () => {
    const crd = await cluster.kubeConfig.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name: CRD });
    assert.deepEqual(crd.spec.versions.map((v) => [v.name, v.served, v.storage]), [['v1beta1', true, true], ['v1alpha1', true, false]]);
    assert.equal(crd.spec.conversion?.strategy, 'Webhook');
    assert.deepEqual(crd.spec.conversion?.webhook?.conversionReviewVersions, ['v1']);
  });

  it('a v1alpha1 SidecarSet (spec.namespace, custom-version label) reads as v1beta1 and back unchanged, through /convert', async () => {
    const name = `alpha-${RUN}`;
    const body = {
      apiVersion: 'apps.kruise.io/v1alpha1',
      kind: 'SidecarSet',
      metadata: { name, labels: { [LABEL_CUSTOM_VERSION]: 'v1', team: 'a' } },
      spec: { namespace, selector: { matchLabels: { app: 'alpha' } }, containers: [{ name: 'agent', image: 'busybox:1.36' }] },
    };
    const before = await converted();
    const created = (await objects.createClusterCustomObject({ ...gvr('v1alpha1'), body })) as Record<string, any>;
    assert.equal(created.spec.namespace, namespace);
    assert.ok(created.metadata.annotations[ANNOTATION_SIDECARSET_HASH], 'defaulted by our webhook');

    const beta = await get('v1beta1', name);
    assert.equal(beta.apiVersion, 'apps.kruise.io/v1beta1');
    assert.deepEqual(beta.spec.namespaceSelector, { matchLabels: { [NAME_LABEL]: namespace } });
    assert.equal(beta.spec.namespace, undefined);
    assert.equal(beta.spec.customVersion, 'v1');
    assert.deepEqual(beta.metadata.labels, { team: 'a' });

    const alpha = await get('v1alpha1', name);
    assert.deepEqual(kept(alpha), kept(created));
    // Written back through v1beta1 unchanged, it still reads the same as v1alpha1.
    await rewrite('v1beta1', name);
    assert.deepEqual(kept(await get('v1alpha1', name)), kept(created));
    assert.ok((await converted()) > before, 'the apiserver called the operator\'s /convert');
  });

  it('a v1beta1 SidecarSet (customVersion, a namespace selector) reads as v1alpha1 and back unchanged', async () => {
    const name = `beta-${RUN}`;
    const body = {
      apiVersion: 'apps.kruise.io/v1beta1',
      kind: 'SidecarSet',
      metadata: { name, labels: { team: 'b' } },
      spec: { customVersion: 'v7', namespaceSelector: { matchLabels: { [NAME_LABEL]: namespace } }, selector: { matchLabels: { app: 'beta' } }, containers: [{ name: 'agent', image: 'busybox:1.36' }] },
    };
    const before = await converted();
    const created = (await objects.createClusterCustomObject({ ...gvr('v1beta1'), body })) as Record<string, any>;
    const alpha = await get('v1alpha1', name);
    assert.deepEqual(alpha.metadata.labels, { team: 'b', [LABEL_CUSTOM_VERSION]: 'v7' });
    assert.deepEqual(alpha.spec.namespaceSelector, body.spec.namespaceSelector);
    assert.equal(alpha.spec.customVersion, undefined);
    await rewrite('v1alpha1', name);
    const back = await get('v1beta1', name);
    assert.deepEqual(kept(back), kept(created));
    assert.ok((await converted()) > before);
  });

  it('kubectl get sidecarsets shows NAME, MATCHED, UPDATED, READY and AGE in both versions', async () => {
    const kubectl = locateBinaries().binaries!.kubectl.path; // the apiserver's own version
    for (const resource of ['sidecarsets', 'sidecarsets.v1alpha1.apps.kruise.io', 'sidecarsets.v1beta1.apps.kruise.io']) {
      // Asynchronously: the apiserver converts through this very process.
      const { stdout } = await execFileAsync(kubectl, ['--kubeconfig', cluster.kubeconfigPath, 'get', resource, `alpha-${RUN}`], { encoding: 'utf8', timeout: 60_000 });
      const [header, row] = stdout.trim().split('\n').map((line) => line.trim().split(/\s+/));
      assert.deepEqual(header, ['NAME', 'MATCHED', 'UPDATED', 'READY', 'AGE'], resource);
      assert.equal(row[0], `alpha-${RUN}`);
    }
  });

  it('installs over a CRD Kruise 1.9 left with storedVersions [v1alpha1, v1beta1]; a v1alpha1-only CRD is refused there', async () => {
    const api = cluster.kubeConfig.makeApiClient(ApiextensionsV1Api);
    // What a cluster upgraded from Kruise 1.8 to 1.9 holds: objects written in both storage versions.
    await api.patchCustomResourceDefinitionStatus(
      { name: CRD, body: { status: { storedVersions: ['v1alpha1', 'v1beta1'] } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const [ours] = readYamlObjects(SIDECARSET_CRD);
    const alphaOnly = structuredClone(ours);
    alphaOnly.spec.versions = alphaOnly.spec.versions.filter((v: { name: string }) => v.name === 'v1alpha1').map((v: object) => ({ ...v, storage: true }));
    delete alphaOnly.spec.conversion;
    const current = await api.readCustomResourceDefinition({ name: CRD });
    await assert.rejects(
      api.replaceCustomResourceDefinition({ name: CRD, body: { ...alphaOnly, metadata: { ...alphaOnly.metadata, resourceVersion: current.metadata!.resourceVersion } } as never }),
      (error: unknown) => {
        assert.equal(errorCode(error), 422);
        const { message } = JSON.parse(String((error as { body?: unknown }).body)) as { message: string };
        assert.match(message, /status\.storedVersions\[1\]: Invalid value: "v1beta1": (missing from|must appear in) spec\.versions/);
        return true;
      },
    );
    const installed = await cluster.installCRDs(SIDECARSET_CRD, ownConversion);
    assert.deepEqual(installed[0].status?.storedVersions, ['v1alpha1', 'v1beta1']);
  });

  it('Pods injected through a v1alpha1 and a v1beta1 SidecarSet with the same spec are identical, hashes included', async () => {
    const name = `same-${RUN}`;
    const apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
    const spec = { selector: { matchLabels: { app: 'same' } }, containers: [{ name: 'agent', image: 'busybox:1.36', command: ['sleep', 'infinity'] }] };
    const inject = async (version: 'v1alpha1' | 'v1beta1', pod: string): Promise<V1Pod> => {
      await objects.createClusterCustomObject({ ...gvr(version), body: { apiVersion: `apps.kruise.io/${version}`, kind: 'SidecarSet', metadata: { name }, spec } });
      await waitFor(`${version} SidecarSet ${name} recorded and cached`, async () => {
        const cached = started.caches.sidecarSets.get(name);
        return cached?.status?.latestRevision !== undefined && started.caches.revisions.get(`${operatorNamespace}/${cached.status.latestRevision}`) !== undefined;
      }, { timeoutMs: 30_000 });
      const created = await core.createNamespacedPod({ namespace, body: { metadata: { name: pod, labels: { app: 'same' } }, spec: { containers: [{ name: 'app', image: 'app:1' }] } } });
      // Start over for the other version, as a garbage collector would.
      await objects.deleteClusterCustomObject({ ...gvr(version), name });
      await waitFor(`SidecarSet ${name} gone from the cache`, () => started.caches.sidecarSets.get(name) === undefined);
      await apps.deleteCollectionNamespacedControllerRevision({ namespace: operatorNamespace, labelSelector: `${LABEL_SIDECARSET_NAME}=${name}` });
      await waitFor('its revisions gone from the cache', () => !started.caches.revisions.list().some((r) => r.metadata.labels?.[LABEL_SIDECARSET_NAME] === name));
      return created;
    };
    const fromAlpha = await inject('v1alpha1', 'from-alpha');
    const fromBeta = await inject('v1beta1', 'from-beta');
    // The ServiceAccount admission names each Pod's token volume at random.
    const containers = (pod: V1Pod) => JSON.parse(JSON.stringify(pod.spec!.containers).replace(/kube-api-access-[a-z0-9]+/g, 'kube-api-access'));
    assert.deepEqual(containers(fromBeta), containers(fromAlpha));
    assert.deepEqual(fromBeta.spec!.containers.map((c) => c.name), ['agent', 'app']);
    const annotations = (pod: V1Pod) => {
      const all = { ...pod.metadata!.annotations };
      for (const key of [ANNOTATION_SIDECARSET_HASH, ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE]) all[key] = all[key].replace(/"updateTimestamp":"[^"]*"/, '');
      return all;
    };
    assert.deepEqual(annotations(fromBeta), annotations(fromAlpha));
    assert.match(fromBeta.metadata!.annotations![ANNOTATION_SIDECARSET_HASH], /"controllerRevision":"same-/);
  });
});
