// Our SidecarSet security policy: off by default (Kruise accepts everything below), and when on in
// the operator's ConfigMap, each rule refuses what it guards with a field error naming it, over the
// webhooks as the apiserver would call them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defaultSidecarSet } from '../../src/defaulting.ts';
import type { SidecarSet } from '../../src/api/sidecarset.ts';
import { SECURITY_POLICY_KEY } from '../../src/validation/security-policy.ts';
import { pod, podReview, sidecarSet, sidecarSetReview } from '../support/admission-requests.ts';
import { memoryClusterCaches, namespace } from '../support/memory-caches.ts';
import { startTestWebhookServer, type TestWebhookServer } from '../support/test-webhook-server.ts';

const VALIDATE = '/validate-apps-kruise-io-v1alpha1-sidecarset';
const configMap = (policy: unknown) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'sidecarset-configuration', namespace: 'sidecarset-system' },
  data: { [SECURITY_POLICY_KEY]: typeof policy === 'string' ? policy : JSON.stringify(policy) },
});

/** The SidecarSet of the hardening review: root, privileged, the host's / mounted, every Pod volume shared, a Secret transferred. */
function hostile(): SidecarSet {
  return defaultSidecarSet(
    sidecarSet('hostile', {
      containers: [
        {
          name: 'root',
          image: 'busybox:1.36',
          securityContext: { privileged: true, runAsUser: 0, capabilities: { add: ['SYS_ADMIN', 'NET_BIND_SERVICE'] } },
          ports: [{ containerPort: 80, hostPort: 80 }],
          volumeMounts: [{ name: 'host', mountPath: '/host' }],
          shareVolumePolicy: { type: 'enabled' },
          transferEnv: [{ sourceContainerName: 'app', envName: 'TOKEN' }],
        },
      ],
      volumes: [{ name: 'host', hostPath: { path: '/' } }],
    }) as SidecarSet,
  );
}

const podWithSecretEnv = () =>
  pod('app-1', { app: 'web' }, { containers: [{ name: 'app', image: 'nginx:1.27', env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }] }] });

describe('SidecarSet security policy', () => {
  let t: TestWebhookServer;
  before(async () => {
    t = await startTestWebhookServer({ logLevel: 'error', caches: memoryClusterCaches({ namespaces: [namespace('team-a')] }) });
  });
  after(() => t.close());
  const setPolicy = (policy: unknown | undefined): void => {
    if (policy === undefined) t.caches.whitelist.delete('sidecarset-system/sidecarset-configuration');
    else t.caches.whitelist.set(configMap(policy));
  };
  const validate = async (object: SidecarSet) => (await t.client.post(VALIDATE, sidecarSetReview(object))).json.response;

  it('is off by default: the hostile SidecarSet is admitted and injects a Secret, as Kruise does', async () => {
    setPolicy(undefined);
    assert.equal((await validate(hostile())).allowed, true);
    t.caches.sidecarSets.set(hostile());
    try {
      const response = (await t.client.post('/mutate-pod', podReview(podWithSecretEnv(), 'team-a'))).json.response;
      assert.equal(response.allowed, true);
      assert.notEqual(response.patch, undefined);
    } finally {
      t.caches.sidecarSets.delete('hostile');
    }
  });

  it('refuses privileged containers, added capabilities, host ports, hostPath volumes and shareVolumePolicy, naming each rule', async () => {
    setPolicy({ enabled: true, allowedCapabilities: ['NET_BIND_SERVICE'] });
    const response = await validate(hostile());
    assert.equal(response.allowed, false);
    assert.deepEqual(
      response.status.details.causes.map((cause: any) => `${cause.field}: ${cause.message}`),
      [
        'spec.containers[0].securityContext.privileged: Forbidden: security policy rule "privileged": privileged sidecars are not allowed',
        'spec.containers[0].securityContext.capabilities.add[0]: Forbidden: security policy rule "capabilities": capability SYS_ADMIN is not in allowedCapabilities',
        'spec.containers[0].ports[0].hostPort: Forbidden: security policy rule "hostPorts": ports in the host\'s network namespace are not allowed',
        'spec.containers[0].shareVolumePolicy.type: Forbidden: security policy rule "shareVolumePolicy": it mounts every volume of the Pod into the sidecar, the Pod\'s Secrets and ServiceAccount token included',
        'spec.volumes[0].hostPath.path: Forbidden: security policy rule "hostPath": host path / is not under allowedHostPaths',
      ],
    );
  });

  it('lets through what the policy allows', async () => {
    setPolicy({ enabled: true, allowPrivileged: true, allowedCapabilities: ['SYS_ADMIN', 'NET_BIND_SERVICE'], allowHostPorts: true, allowedHostPaths: ['/'], allowShareVolumePolicy: true });
    assert.equal((await validate(hostile())).allowed, true);
    setPolicy({ enabled: true, allowedHostPaths: ['/var/log'] });
    const logs = defaultSidecarSet(sidecarSet('logs', { volumes: [{ name: 'v', hostPath: { path: '/var/log/pods' } }, { name: 'w', hostPath: { path: '/var/logs' } }] }) as SidecarSet);
    assert.deepEqual(
      (await validate(logs)).status.details.causes.map((cause: any) => cause.field),
      ['spec.volumes[1].hostPath.path'],
    );
  });

  it('refuses the injection of a Secret-backed transferEnv into a Pod', async () => {
    setPolicy({ enabled: true, allowPrivileged: true, allowedCapabilities: ['SYS_ADMIN', 'NET_BIND_SERVICE'], allowHostPorts: true, allowedHostPaths: ['/'], allowShareVolumePolicy: true });
    t.caches.sidecarSets.set(hostile());
    try {
      const response = (await t.client.post('/mutate-pod', podReview(podWithSecretEnv(), 'team-a'))).json.response;
      assert.equal(response.allowed, false);
      assert.equal(
        response.status.message,
        'SidecarSet "hostile": spec.containers[0].transferEnv[0]: Forbidden: security policy rule "secretTransferEnv": env "TOKEN" of container "app" comes from Secret "db"',
      );
      const plain = pod('app-2', { app: 'web' }, { containers: [{ name: 'app', image: 'nginx:1.27', env: [{ name: 'TOKEN', value: 'not secret' }] }] });
      assert.equal((await t.client.post('/mutate-pod', podReview(plain, 'team-a'))).json.response.allowed, true);
    } finally {
      t.caches.sidecarSets.delete('hostile');
    }
  });

  it('fails closed on a policy it cannot read', async () => {
    setPolicy('{"enabled": "yes"');
    const response = await validate(defaultSidecarSet(sidecarSet('harmless') as SidecarSet));
    assert.equal(response.allowed, false);
    assert.match(response.status.message, /^data\[SidecarSet_SecurityPolicy\]: Invalid value: .*invalid JSON/);
    setPolicy(undefined);
  });
});
