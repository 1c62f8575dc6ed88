// The three admission webhooks through a real kube-apiserver: the operator runs in this process,
// the configurations of test/support/webhook-configurations.ts are registered with their
// clientConfig rewritten to https://127.0.0.1:<port>/<path>, and everything is checked the way a
// client sees it: defaults read back, refusals with their field errors, Pods read back injected.
//
// The control plane may be shared with other test files, so the registration is scoped to this
// run: the SidecarSet webhooks only see SidecarSets labelled with the run id, the Pod webhook only
// namespaces labelled with it; Pod labels and container names are unique to the run as well.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type V1Container, type V1Pod } from '@kubernetes/client-node';
import type { ClusterCaches } from '../../src/kube/caches.ts';
import { defaultSidecarSet } from '../../src/defaulting.ts';
import { GROUP, LABEL_INJECT, PLURAL, VERSION, type SidecarSet } from '../../src/api/sidecarset.ts';
import { SIDECARSET_CRD, SKIP_REASON, errorCode, testControlPlane, waitFor } from '../control-plane/harness.ts';
import { refusal, startInProcessOperator, type InProcessOperator } from '../support/in-process-operator.ts';
import { webhookConfigurations } from '../support/webhook-configurations.ts';

const cp = await testControlPlane();
const RUN = randomBytes(4).toString('hex');
const RUN_LABEL = 'webhooks-test.sidecarset.io/run';
const GVR = { group: GROUP, version: VERSION, plural: PLURAL };
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Scopes the configurations to this run (see the header comment) and gives them unique names. */
function scopedToRun(configurations: Record<string, any>[]): Record<string, any>[] {
  return configurations.map((configuration) => ({
    ...configuration,
    metadata: { name: `${configuration.metadata.name}-${RUN}` },
    webhooks: configuration.webhooks.map((webhook: Record<string, any>) =>
      webhook.name === 'mpod.kb.io'
        ? { ...webhook, namespaceSelector: { matchExpressions: [...webhook.namespaceSelector.matchExpressions, { key: RUN_LABEL, operator: 'In', values: [RUN] }] } }
        : { ...webhook, objectSelector: { matchLabels: { [RUN_LABEL]: RUN } } },
    ),
  }));
}

const app = (name: string): string => `${name}-${RUN}`;

function sidecarSetBody(name: string, spec: Record<string, unknown>): Record<string, any> {
  return { apiVersion: `${GROUP}/${VERSION}`, kind: 'SidecarSet', metadata: { name: app(name), labels: { [RUN_LABEL]: RUN } }, spec };
}

/** The parts of a container the injection decides; the apiserver's own additions (the service-account token mount) left out. */
function injectedView(container: V1Container): Record<string, unknown> {
  return plain({
    name: container.name,
    image: container.image,
    ...(container.command ? { command: container.command } : {}),
    env: container.env,
    volumeMounts: (container.volumeMounts ?? []).filter((mount) => !mount.name.startsWith('kube-api-access-')),
  });
}

/** The client's model classes as plain JSON, for deepEqual. */
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value));

describe('admission webhooks through kube-apiserver', { skip: cp ? false : SKIP_REASON }, () => {
  let operatorNamespace: string;
  let operator: InProcessOperator | undefined;
  let caches: ClusterCaches;
  let core: CoreV1Api;
  let objects: CustomObjectsApi;
  const created: string[] = [];
  const namespaces: Record<'mesh' | 'plain' | 'other', string> = { mesh: '', plain: '', other: '' };

  const createSidecarSet = async (body: Record<string, any>): Promise<SidecarSet> => {
    const stored = (await objects.createClusterCustomObject({ ...GVR, body })) as SidecarSet;
    created.push(stored.metadata.name!);
    // The validating webhook checks conflicts against its cache: wait until the new one is there.
    await waitFor(`SidecarSet ${stored.metadata.name} in the operator's cache`, () => caches.sidecarSets.get(stored.metadata.name!) !== undefined);
    return stored;
  };

  const createPod = async (namespace: string, name: string, labels: Record<string, string>, dryRun = false): Promise<V1Pod> =>
    core.createNamespacedPod({
      namespace,
      body: { metadata: { name, labels }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
      ...(dryRun ? { dryRun: 'All' } : {}),
    });

  before(async () => {
    core = cp!.kubeConfig.makeApiClient(CoreV1Api);
    objects = cp!.kubeConfig.makeApiClient(CustomObjectsApi);
    await cp!.installCRDs(SIDECARSET_CRD);
    operatorNamespace = await cp!.createNamespace({ prefix: 'sidecarset-system', labels: { [RUN_LABEL]: RUN } });
    namespaces.mesh = await cp!.createNamespace({ prefix: 'team-mesh', labels: { [RUN_LABEL]: RUN, mesh: 'enabled' } });
    namespaces.plain = await cp!.createNamespace({ prefix: 'team-plain', labels: { [RUN_LABEL]: RUN } });
    namespaces.other = await cp!.createNamespace({ prefix: 'team-other', labels: { [RUN_LABEL]: RUN, mesh: 'disabled' } });

    operator = await startInProcessOperator({ cluster: cp!, namespace: operatorNamespace, configurations: scopedToRun(webhookConfigurations({ namespace: operatorNamespace })) });
    caches = operator.caches;
    // Registration reaches the apiserver's webhook informer a moment later: prove the Pod webhook is called.
    await createSidecarSet(sidecarSetBody('probe', { selector: { matchLabels: { app: app('probe') } }, containers: [{ name: app('probe-sidecar'), image: 'busybox:1.36' }] }));
    await waitFor('the Pod webhook to be called', async () => {
      const probe = await createPod(namespaces.plain, 'probe', { app: app('probe') }, true);
      return probe.spec!.containers.length === 2;
    }, { timeoutMs: 30_000, intervalMs: 200 });
  });

  after(async () => {
    if (!cp) return;
    await operator?.stop(); // unregisters the webhooks first
    for (const name of created) await objects.deleteClusterCustomObject({ ...GVR, name }).catch(() => undefined);
  });

  describe('SidecarSets', () => {
    it('are stored with their defaults', async () => {
      const body = sidecarSetBody('logging', {
        selector: { matchLabels: { app: app('web') } },
        containers: [{ name: app('log-agent'), image: 'fluent-bit:3.1', ports: [{ containerPort: 2020 }], volumeMounts: [{ name: 'logs', mountPath: '/var/log/app' }] }],
        volumes: [{ name: 'logs' }],
      });
      const stored = await createSidecarSet(body);
      const expected = defaultSidecarSet(structuredClone(body) as SidecarSet);
      assert.deepEqual(stored.spec, expected.spec);
      assert.equal(stored.spec.updateStrategy?.type, 'RollingUpdate');
      assert.equal(stored.spec.containers![0].podInjectPolicy, 'BeforeAppContainer');
      assert.equal(stored.spec.containers![0].imagePullPolicy, 'IfNotPresent');
      assert.deepEqual(stored.spec.volumes, [{ name: 'logs', emptyDir: {} }]);
      assert.equal(stored.metadata.annotations!['kruise.io/sidecarset-hash'], expected.metadata.annotations!['kruise.io/sidecarset-hash']);
      assert.equal(stored.metadata.annotations!['kruise.io/sidecarset-hash-without-image'], expected.metadata.annotations!['kruise.io/sidecarset-hash-without-image']);
    });

    it('are refused when invalid, with every field error visible to the client', async () => {
      const body = sidecarSetBody('invalid', { containers: [{ name: app('x'), image: 'busybox:1.36', podInjectPolicy: 'Sometimes' }] });
      await assert.rejects(objects.createClusterCustomObject({ ...GVR, body }), (error: unknown) => {
        assert.deepEqual(refusal(error), {
          code: 422,
          message:
            'admission webhook "vsidecarset.kb.io" denied the request: [spec.selector: Required value: no selector defined for SidecarSet, ' +
            'spec.container.podInjectPolicy: Invalid value: "Sometimes": unsupported pod inject policy]',
        });
        return true;
      });
    });

    it('are refused when they conflict with an existing one', async () => {
      const body = sidecarSetBody('rival', { selector: { matchLabels: { app: app('web') } }, containers: [{ name: app('log-agent'), image: 'fluent-bit:3.2' }] });
      await assert.rejects(objects.createClusterCustomObject({ ...GVR, body }), (error: unknown) => {
        assert.deepEqual(refusal(error), {
          code: 422,
          message: `admission webhook "vsidecarset.kb.io" denied the request: spec.containers: Invalid value: "${app('log-agent')}": container ${app('log-agent')} is already injected by SidecarSet ${app('logging')}: its selector app=${app('web')} overlaps this one's app=${app('web')}`,
        });
        return true;
      });
    });

    it('are checked on update against the stored object', async () => {
      const patch = { spec: { containers: [{ name: app('renamed'), image: 'fluent-bit:3.1' }] } };
      await assert.rejects(objects.patchClusterCustomObject({ ...GVR, name: app('logging'), body: patch }, MERGE_PATCH), (error: unknown) => {
        const { code, message } = refusal(error);
        assert.equal(code, 422);
        assert.match(message, new RegExp(`^admission webhook "vsidecarset.kb.io" denied the request: .*container ${app('renamed')} is not found`));
        return true;
      });
    });

    it('get their defaults in a server-side dry run too, and are not stored', async () => {
      const body = sidecarSetBody('dry', { selector: { matchLabels: { app: app('dry') } }, containers: [{ name: app('dry'), image: 'busybox' }] });
      const dry = (await objects.createClusterCustomObject({ ...GVR, body, dryRun: 'All' })) as SidecarSet;
      assert.equal(dry.spec.containers![0].imagePullPolicy, 'Always');
      await assert.rejects(objects.getClusterCustomObject({ ...GVR, name: app('dry') }), (error: unknown) => errorCode(error) === 404);
    });
  });

  describe('Pods', () => {
    before(async () => {
      await createSidecarSet(sidecarSetBody('mesh', {
        namespaceSelector: { matchLabels: { mesh: 'enabled' } },
        selector: { matchLabels: { app: app('web') } },
        containers: [{ name: app('proxy'), image: 'envoy:1.30', command: ['envoy', '-c', '/etc/envoy.yaml'], env: [{ name: 'MODE', value: 'sidecar' }], volumeMounts: [{ name: 'certs', mountPath: '/certs' }] }],
        volumes: [{ name: 'certs', emptyDir: {} }, { name: 'unused', emptyDir: {} }],
      }));
      const metadata = sidecarSetBody('metadata', {
        selector: { matchLabels: { app: app('web') } },
        initContainers: [{ name: app('init'), image: 'busybox:1.36', command: ['true'] }],
        patchPodMetadata: [{ annotations: { 'example.com/audited': 'true' }, patchPolicy: 'Overwrite' }],
      });
      // patchPodMetadata needs the whitelist, read from the ConfigMap through the operator's cache.
      await assert.rejects(objects.createClusterCustomObject({ ...GVR, body: metadata }), (error: unknown) => {
        assert.deepEqual(refusal(error), { code: 422, message: 'admission webhook "vsidecarset.kb.io" denied the request: spec.patchPodMetadata: Required value: SidecarSet patch metadata whitelist not found' });
        return true;
      });
      const whitelist = JSON.stringify({ rules: [{ allowedAnnotationKeyExprs: ['^example\\.com/'] }] });
      await core.createNamespacedConfigMap({ namespace: operatorNamespace, body: { metadata: { name: 'sidecarset-configuration' }, data: { SidecarSet_PatchPodMetadata_WhiteList: whitelist } } });
      await waitFor('the whitelist in the cache', () => caches.whitelist.list().length === 1);
      await createSidecarSet(metadata);
    });

    it('are injected with containers, volumes, env and annotations', async () => {
      await createPod(namespaces.mesh, 'web-1', { app: app('web') });
      const stored = await core.readNamespacedPod({ namespace: namespaces.mesh, name: 'web-1' });
      assert.deepEqual(stored.spec!.containers.map(injectedView), [
        { name: app('log-agent'), image: 'fluent-bit:3.1', env: [{ name: 'IS_INJECTED', value: 'true' }], volumeMounts: [{ name: 'logs', mountPath: '/var/log/app' }] },
        {
          name: app('proxy'),
          image: 'envoy:1.30',
          command: ['envoy', '-c', '/etc/envoy.yaml'],
          env: [{ name: 'MODE', value: 'sidecar' }, { name: 'IS_INJECTED', value: 'true' }],
          volumeMounts: [{ name: 'certs', mountPath: '/certs' }],
        },
        { name: 'app', image: 'nginx:1.27', volumeMounts: [] },
      ]);
      assert.deepEqual(stored.spec!.initContainers!.map(injectedView), [{ name: app('init'), image: 'busybox:1.36', command: ['true'], env: [{ name: 'IS_INJECTED', value: 'true' }], volumeMounts: [] }]);
      assert.deepEqual(
        plain(stored.spec!.volumes!.filter((volume) => !volume.name.startsWith('kube-api-access-'))),
        [{ name: 'logs', emptyDir: {} }, { name: 'certs', emptyDir: {} }],
        'referenced volumes only, in injection order',
      );
      const annotations = stored.metadata!.annotations!;
      assert.equal(annotations['example.com/audited'], 'true');
      const names = [app('logging'), app('mesh'), app('metadata')].sort();
      assert.equal(annotations['kruise.io/sidecarset-injected-list'], names.join(','));
      const hashes = JSON.parse(annotations['kruise.io/sidecarset-hash']);
      assert.deepEqual(Object.keys(hashes).sort(), names);
      const mesh = caches.sidecarSets.get(app('mesh'))!;
      assert.equal(hashes[app('mesh')].hash, mesh.metadata.annotations!['kruise.io/sidecarset-hash']);
      assert.deepEqual(hashes[app('mesh')].sidecarList, [app('proxy')]);
      assert.match(hashes[app('mesh')].updateTimestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      assert.equal(JSON.parse(annotations['kruise.io/sidecarset-hash-without-image'])[app('mesh')].hash, mesh.metadata.annotations!['kruise.io/sidecarset-hash-without-image']);
    });

    it('follow the namespaceSelector across namespaces', async () => {
      const names = async (namespace: string): Promise<string[]> => {
        await createPod(namespace, 'web', { app: app('web') });
        return (await core.readNamespacedPod({ namespace, name: 'web' })).spec!.containers.map((container) => container.name);
      };
      assert.deepEqual(await names(namespaces.mesh), [app('log-agent'), app('proxy'), 'app']);
      assert.deepEqual(await names(namespaces.plain), [app('log-agent'), 'app']);
      assert.deepEqual(await names(namespaces.other), [app('log-agent'), 'app']);
    });

    it('made by a controller (generateName, no namespace in the object) are injected', async () => {
      const created = await core.createNamespacedPod({
        namespace: namespaces.mesh,
        body: { metadata: { generateName: 'web-', labels: { app: app('web') } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
      });
      assert.deepEqual(created.spec!.containers.map((container) => container.name), [app('log-agent'), app('proxy'), 'app']);
    });

    it('that opt out, or live in kube-system or the operator namespace, are left alone', async () => {
      const optedOut = await createPod(namespaces.mesh, 'opted-out', { app: app('web'), [LABEL_INJECT]: 'false' });
      assert.deepEqual(optedOut.spec!.containers.map((container) => container.name), ['app']);
      assert.equal(optedOut.metadata!.annotations?.['kruise.io/sidecarset-injected-list'], undefined);

      const own = await createPod(operatorNamespace, 'own', { app: app('web') });
      assert.deepEqual(own.spec!.containers.map((container) => container.name), ['app']);

      // kube-system carries the run label for a moment, so only the configuration's exclusion can keep it out.
      // (No controller-manager here: the ServiceAccount admission plugin needs its `default` account.)
      await core.createNamespacedServiceAccount({ namespace: 'kube-system', body: { metadata: { name: 'default' } } }).catch((error: unknown) => {
        if (errorCode(error) !== 409) throw error;
      });
      await core.patchNamespace({ name: 'kube-system', body: { metadata: { labels: { [RUN_LABEL]: RUN } } } }, MERGE_PATCH);
      try {
        const system = await createPod('kube-system', `sidecarset-test-${RUN}`, { app: app('web') }, true);
        assert.deepEqual(system.spec!.containers.map((container) => container.name), ['app']);
      } finally {
        await core.patchNamespace({ name: 'kube-system', body: { metadata: { labels: { [RUN_LABEL]: null } } } }, MERGE_PATCH);
      }
    });

    it('are injected in a server-side dry run, and not stored', async () => {
      const dry = await createPod(namespaces.mesh, 'dry', { app: app('web') }, true);
      assert.deepEqual(dry.spec!.containers.map((container) => container.name), [app('log-agent'), app('proxy'), 'app']);
      await assert.rejects(core.readNamespacedPod({ namespace: namespaces.mesh, name: 'dry' }), (error: unknown) => errorCode(error) === 404);
    });
  });
});
