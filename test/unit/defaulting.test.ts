// docs/behaviour/defaulting.md: every defaulting rule, what is deliberately left alone, and idempotence.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SidecarContainer, SidecarSet, SidecarSetSpec } from '../../src/api/sidecarset.ts';
import { defaultSidecarSet } from '../../src/defaulting.ts';

const sidecarSet = (spec: SidecarSetSpec, metadata: SidecarSet['metadata'] = { name: 'log-agent' }): SidecarSet => ({
  apiVersion: 'apps.kruise.io/v1alpha1',
  kind: 'SidecarSet',
  metadata,
  spec,
});

const defaultedContainer = (container: SidecarContainer): SidecarContainer => defaultSidecarSet(sidecarSet({ containers: [container] })).spec.containers![0];
const defaultedSpec = (spec: SidecarSetSpec): SidecarSetSpec => defaultSidecarSet(sidecarSet(spec)).spec;

describe('defaulting', () => {
  it('step 1: updateStrategy type, maxUnavailable and partition, whatever the type', () => {
    assert.deepEqual(defaultedSpec({}).updateStrategy, { type: 'RollingUpdate', maxUnavailable: 1, partition: 0 });
    assert.deepEqual(defaultedSpec({ updateStrategy: { type: 'NotUpdate' } }).updateStrategy, { type: 'NotUpdate', maxUnavailable: 1, partition: 0 });
    assert.deepEqual(defaultedSpec({ updateStrategy: { partition: '10%', maxUnavailable: 0 } }).updateStrategy, {
      type: 'RollingUpdate',
      partition: '10%',
      maxUnavailable: 0,
    });
  });

  it('step 2: init containers go after the app containers, cold upgrade, no volume sharing', () => {
    const [init] = defaultedSpec({ initContainers: [{ name: 'init', image: 'busybox:1.36' }] }).initContainers!;
    assert.equal(init.podInjectPolicy, 'AfterAppContainer');
    assert.deepEqual(init.upgradeStrategy, { upgradeType: 'ColdUpgrade' });
    assert.deepEqual(init.shareVolumePolicy, { type: 'disabled' });
    assert.equal(init.terminationMessagePolicy, 'File');
  });

  it('step 3: containers go before the app containers; set values are kept', () => {
    const container = defaultedContainer({ name: 'agent', image: 'a:1' });
    assert.equal(container.podInjectPolicy, 'BeforeAppContainer');
    assert.deepEqual(container.upgradeStrategy, { upgradeType: 'ColdUpgrade' });
    assert.deepEqual(container.shareVolumePolicy, { type: 'disabled' });
    const set = defaultedContainer({
      name: 'agent',
      image: 'a:1',
      podInjectPolicy: 'AfterAppContainer',
      upgradeStrategy: { upgradeType: 'HotUpgrade', hotUpgradeEmptyImage: 'empty:1' },
      shareVolumePolicy: { type: 'enabled' },
    });
    assert.equal(set.podInjectPolicy, 'AfterAppContainer');
    assert.deepEqual(set.upgradeStrategy, { upgradeType: 'HotUpgrade', hotUpgradeEmptyImage: 'empty:1' });
    assert.deepEqual(set.shareVolumePolicy, { type: 'enabled' });
  });

  it('step 4: termination message and image pull policy follow Kubernetes', () => {
    const pullPolicy = (image?: string) => defaultedContainer({ name: 'agent', ...(image === undefined ? {} : { image }) }).imagePullPolicy;
    assert.equal(defaultedContainer({ name: 'agent', image: 'a:1' }).terminationMessagePath, '/dev/termination-log');
    assert.equal(defaultedContainer({ name: 'agent', image: 'a:1' }).terminationMessagePolicy, 'File');
    assert.equal(pullPolicy('dns:1.0'), 'IfNotPresent');
    assert.equal(pullPolicy('dns'), 'Always');
    assert.equal(pullPolicy('dns:latest'), 'Always');
    assert.equal(pullPolicy('registry:5000/dns'), 'Always');
    assert.equal(pullPolicy('dns@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'), 'IfNotPresent');
    assert.equal(defaultedContainer({ name: 'agent', image: 'dns', imagePullPolicy: 'Never' }).imagePullPolicy, 'Never');
  });

  it('step 4: port protocols, transferEnv and env field reference apiVersions', () => {
    const container = defaultedContainer({
      name: 'agent',
      image: 'a:1',
      ports: [{ containerPort: 2020 }, { containerPort: 53, protocol: 'UDP' }],
      transferEnv: [{ sourceContainerNameFrom: { fieldRef: { fieldPath: "metadata.labels['c']" } }, envName: 'TZ' }, { sourceContainerName: 'main', envName: 'TZ' }],
      env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: 'PLAIN', value: 'x' }],
    });
    assert.deepEqual(container.ports!.map((port) => port.protocol), ['TCP', 'UDP']);
    assert.deepEqual(container.transferEnv, [
      { sourceContainerNameFrom: { fieldRef: { fieldPath: "metadata.labels['c']", apiVersion: 'v1' } }, envName: 'TZ' },
      { sourceContainerName: 'main', envName: 'TZ' },
    ]);
    assert.deepEqual(container.env, [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name', apiVersion: 'v1' } } }, { name: 'PLAIN', value: 'x' }]);
  });

  it('step 4: liveness and readiness probes and lifecycle httpGet handlers; startup probes untouched', () => {
    const container = defaultedContainer({
      name: 'agent',
      image: 'a:1',
      livenessProbe: { httpGet: { port: 2020 } },
      readinessProbe: { tcpSocket: { port: 2020 }, periodSeconds: 5 },
      startupProbe: { httpGet: { port: 2020 } },
      lifecycle: { preStop: { httpGet: { port: 2020 } }, postStart: { exec: { command: ['true'] } } },
    });
    const probeDefaults = { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 };
    assert.deepEqual(container.livenessProbe, { httpGet: { port: 2020, path: '/', scheme: 'HTTP' }, ...probeDefaults });
    assert.deepEqual(container.readinessProbe, { tcpSocket: { port: 2020 }, ...probeDefaults, periodSeconds: 5 });
    assert.deepEqual(container.startupProbe, { httpGet: { port: 2020 } });
    assert.deepEqual(container.lifecycle, { preStop: { httpGet: { port: 2020, path: '/', scheme: 'HTTP' } }, postStart: { exec: { command: ['true'] } } });
  });

  it('step 4: resource quantities are rounded up to milli scale', () => {
    const container = defaultedContainer({ name: 'agent', image: 'a:1', resources: { limits: { cpu: '0.0001' }, requests: { cpu: '1.5m' } } });
    assert.deepEqual(container.resources, { limits: { cpu: '1m' }, requests: { cpu: '2m' } });
  });

  it('step 5: volume defaults', () => {
    const volumes = defaultedSpec({
      volumes: [
        { name: 'bare' },
        { name: 'host', hostPath: { path: '/var/log' } },
        { name: 'secret', secret: { secretName: 's' } },
        { name: 'config', configMap: { name: 'c', defaultMode: 0o400 } },
        { name: 'downward', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
        { name: 'projected', projected: { sources: [{ serviceAccountToken: { path: 'token' } }, { downwardAPI: { items: [{ path: 'n', fieldRef: { fieldPath: 'metadata.name' } }] } }] } },
      ],
    }).volumes;
    assert.deepEqual(volumes, [
      { name: 'bare', emptyDir: {} },
      { name: 'host', hostPath: { path: '/var/log', type: '' } },
      { name: 'secret', secret: { secretName: 's', defaultMode: 420 } },
      { name: 'config', configMap: { name: 'c', defaultMode: 0o400 } },
      { name: 'downward', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels', apiVersion: 'v1' } }], defaultMode: 420 } },
      {
        name: 'projected',
        projected: {
          sources: [
            { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
            { downwardAPI: { items: [{ path: 'n', fieldRef: { fieldPath: 'metadata.name', apiVersion: 'v1' } }] } },
          ],
          defaultMode: 420,
        },
      },
    ]);
  });

  it('steps 6-8: revisionHistoryLimit, patch policy, revision policy', () => {
    const spec = defaultedSpec({
      patchPodMetadata: [{ annotations: { a: 'b' } }, { annotations: { c: 'd' }, patchPolicy: 'Overwrite' }],
      injectionStrategy: { revision: { customVersion: 'v1' } },
    });
    assert.equal(spec.revisionHistoryLimit, 10);
    assert.equal(defaultedSpec({ revisionHistoryLimit: 3 }).revisionHistoryLimit, 3);
    assert.deepEqual(spec.patchPodMetadata!.map((patch) => patch.patchPolicy), ['Retain', 'Overwrite']);
    assert.deepEqual(spec.injectionStrategy, { revision: { customVersion: 'v1', policy: 'Always' } });
    assert.deepEqual(defaultedSpec({ injectionStrategy: { paused: true } }).injectionStrategy, { paused: true });
  });

  it('step 9: both hash annotations are (re)computed, overwriting user values (golden vector of docs/behaviour/pod-annotations.md)', () => {
    const object = defaultSidecarSet(
      sidecarSet({ containers: [{ name: 'dns-f', image: 'dns:1.0' }] }, { name: 'x', annotations: { 'kruise.io/sidecarset-hash': 'mine', keep: 'me' } }),
    );
    assert.deepEqual(object.metadata.annotations, {
      'kruise.io/sidecarset-hash': '6wbd76bd7984x24fb4f44fv9222cw9v9bcf85x766744wddd4zwx927zzz2zb684',
      'kruise.io/sidecarset-hash-without-image': '82684vwf9d4cb4wz4vffx4ddfbb47ww4z4wwxdbwb8w2zbb7zvf4524cdd49bv94',
      keep: 'me',
    });
  });

  it('leaves selectors, shareVolumeDevicePolicy, hotUpgradeEmptyImage and the custom version label alone', () => {
    const input = sidecarSet(
      {
        selector: { matchLabels: { a: 'b' } },
        namespaceSelector: { matchLabels: { c: 'd' } },
        containers: [{ name: 'agent', image: 'a:1', upgradeStrategy: { upgradeType: 'HotUpgrade' } }],
      },
      { name: 'x', labels: { 'apps.kruise.io/sidecarset-custom-version': 'v1' } },
    );
    const output = defaultSidecarSet(input);
    assert.deepEqual(output.spec.selector, input.spec.selector);
    assert.deepEqual(output.spec.namespaceSelector, input.spec.namespaceSelector);
    assert.equal(output.spec.containers![0].shareVolumeDevicePolicy, undefined);
    assert.deepEqual(output.spec.containers![0].upgradeStrategy, { upgradeType: 'HotUpgrade' });
    assert.deepEqual(output.metadata.labels, { 'apps.kruise.io/sidecarset-custom-version': 'v1' });
  });

  it('does not modify its input, and defaulting twice changes nothing', () => {
    const input = sidecarSet({
      selector: { matchLabels: { a: 'b' } },
      initContainers: [{ name: 'init', image: 'busybox' }],
      containers: [{ name: 'agent', image: 'a:1', ports: [{ containerPort: 1 }], livenessProbe: { httpGet: { port: 1 } } }],
      volumes: [{ name: 'v' }, { name: 's', secret: { secretName: 's' } }],
      patchPodMetadata: [{ annotations: { a: 'b' } }],
      injectionStrategy: { revision: { revisionName: 'r' } },
    });
    const snapshot = structuredClone(input);
    const once = defaultSidecarSet(input);
    assert.deepEqual(input, snapshot);
    assert.deepEqual(defaultSidecarSet(once), once);
  });
});
