// The README's pipeline on a real kube-apiserver: `sidecarset inject -f deploy/examples/ | kubectl
// apply -f -` creates the SidecarSet, the ConfigMap, the Deployment with its template injected and
// the plain Pod injected, with no operator running, using the control-plane build's kubectl (the
// apiserver's version).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { Pod } from '../../src/api/core.ts';
import { ANNOTATION_INJECTED_LIST, API_VERSION, PLURAL } from '../../src/api/sidecarset.ts';
import { requestJson } from '../../src/kube/kube-http.ts';
import { REPO_ROOT, SKIP_REASON, locateBinaries, testControlPlane } from '../control-plane/harness.ts';
import { runKubectl } from '../support/kubectl.ts';

const cp = await testControlPlane();
const kubectl = locateBinaries().binaries?.kubectl.path;

describe('sidecarset inject -f deploy/examples/ | kubectl apply -f -', { skip: cp ? false : SKIP_REASON }, () => {
  after(async () => {
    await requestJson(cp!.kubeConfig, { method: 'DELETE', path: `/apis/${API_VERSION}/${PLURAL}/log-agent` }).catch(() => undefined);
  });

  it('creates every example, the Pod and the Deployment template with the sidecar', async () => {
    await cp!.installCRDs();
    const namespace = await cp!.createNamespace({ prefix: 'inject-pipeline' });
    // The two ends of the pipe, run one after the other with the first one's stdout as the second one's stdin.
    const inject = spawnSync(path.join(REPO_ROOT, 'node_modules/.bin/node'), ['bin/sidecarset.js', 'inject', '-f', 'deploy/examples/', '--namespace', namespace], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 });
    assert.equal(inject.status, 0, inject.stderr);
    assert.equal(inject.stderr, `Deployment/shop in namespace ${namespace}: injected log-agent\nPod/shop-standalone in namespace ${namespace}: injected log-agent\n`);
    // Asynchronously: this process serves the CRD's conversion webhook, which kubectl's request needs.
    const apply = await runKubectl(kubectl!, cp!.kubeconfigPath, ['apply', '-n', namespace, '-f', '-'], { input: inject.stdout });
    assert.equal(apply.status, 0, apply.stderr);
    assert.equal(apply.stdout, 'sidecarset.apps.kruise.io/log-agent created\nconfigmap/log-agent-config created\ndeployment.apps/shop created\npod/shop-standalone created\n');

    const pod = await requestJson<Pod>(cp!.kubeConfig, { path: `/api/v1/namespaces/${namespace}/pods/shop-standalone` });
    assert.deepEqual(pod.spec.containers.map((container) => container.name), ['shop', 'log-agent']);
    assert.equal(pod.metadata.annotations?.[ANNOTATION_INJECTED_LIST], 'log-agent');
    const deployment = await requestJson<{ spec: { template: Pod } }>(cp!.kubeConfig, { path: `/apis/apps/v1/namespaces/${namespace}/deployments/shop` });
    assert.deepEqual(deployment.spec.template.spec.containers.map((container) => container.name), ['shop', 'log-agent']);
  });
});
