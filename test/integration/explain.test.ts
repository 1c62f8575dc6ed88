// `sidecarset explain` against a real kube-apiserver: each reason as the cluster gives it (the Pod
// webhook's registered namespaceSelector and objectSelector, the namespace's labels, SidecarSets as
// stored), Pods' upgrade state, and `explain sidecarset/NAME`. No operator runs: the Pods are created
// already injected (by the same injectPod the webhook runs), as the webhook would have left them.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../../src/api/core.ts';
import { ANNOTATION_SIDECARSET_HASH, API_VERSION, LABEL_INJECT, PLURAL, type SidecarSet } from '../../src/api/sidecarset.ts';
import { defaultSidecarSet } from '../../src/defaulting.ts';
import { injectPod } from '../../src/injection/inject-pod.ts';
import { MERGE_PATCH, requestJson } from '../../src/kube/kube-http.ts';
import { REPO_ROOT, SKIP_REASON, testControlPlane, type Cluster } from '../control-plane/harness.ts';

const cp = await testControlPlane();
const RUN = randomBytes(4).toString('hex');
const RUN_LABEL = 'explain-test.sidecarset.io/run';
const SKIP_LABEL = 'explain-test.sidecarset.io/skip';
const name = (base: string): string => `${base}-${RUN}`;
const CONFIGURATION = name('explain');

function explain(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(path.join(REPO_ROOT, 'node_modules/.bin/node'), ['bin/sidecarset.js', 'explain', ...args, '--kubeconfig', cp!.kubeconfigPath], { cwd: REPO_ROOT, encoding: 'utf8' }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }));
  });
}

/** Reason per SidecarSet of this run (others of the shared cluster left out). */
async function reasons(...args: string[]): Promise<Record<string, string>> {
  const { code, stdout, stderr } = await explain(...args, '-o', 'json');
  assert.equal(code, 0, stderr);
  const [item] = JSON.parse(stdout) as { sidecarSets: { sidecarSet: string; injected: boolean; reason: string; upgrade?: { state: string } }[] }[];
  return Object.fromEntries(item.sidecarSets.filter((verdict) => verdict.sidecarSet.endsWith(RUN)).map((verdict) => [verdict.sidecarSet.slice(0, -RUN.length - 1), `${verdict.injected ? 'injected' : 'not injected'}: ${verdict.reason}${verdict.upgrade ? `, ${verdict.upgrade.state}` : ''}`]));
}

const sidecarSet = (base: string, spec: Record<string, unknown>): SidecarSet =>
  defaultSidecarSet({ apiVersion: API_VERSION, kind: 'SidecarSet', metadata: { name: name(base), labels: { [RUN_LABEL]: RUN } }, spec: { containers: [{ name: `${base}-c`, image: `${base}:1` }], ...spec } } as SidecarSet);

describe('sidecarset explain against a real kube-apiserver', { skip: cp ? false : SKIP_REASON }, () => {
  const kc = () => (cp as Cluster).kubeConfig;
  const selector = { matchLabels: { app: 'web', [RUN_LABEL]: RUN } };
  let namespace: string;
  let outside: string;
  let operatorNamespace: string;
  const stored = new Map<string, SidecarSet>();

  const createSidecarSet = async (object: SidecarSet): Promise<void> => {
    stored.set(object.metadata.name!, await requestJson<SidecarSet>(kc(), { method: 'POST', path: `/apis/${API_VERSION}/${PLURAL}`, body: object }));
  };
  /** A Pod as the webhook would have created it, from the SidecarSets as stored now. */
  const createPod = async (ns: string, podName: string, labels: Record<string, string>, inject = true): Promise<void> => {
    let pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: podName, labels }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } as Pod;
    if (inject) pod = injectPod({ pod, namespace: { name: ns, labels: { env: 'prod' } }, sidecarSets: [...stored.values()], now: new Date(), random: () => 0 }).pod;
    await requestJson(kc(), { method: 'POST', path: `/api/v1/namespaces/${ns}/pods`, body: pod });
  };

  before(async () => {
    await cp!.installCRDs();
    namespace = await cp!.createNamespace({ prefix: 'explain', labels: { env: 'prod', [RUN_LABEL]: RUN } });
    outside = await cp!.createNamespace({ prefix: 'explain-outside', labels: { env: 'prod' } });
    operatorNamespace = await cp!.createNamespace({ prefix: 'explain-operator', labels: { [RUN_LABEL]: RUN } });
    // The registration explain reads. Failing calls are ignored, and only this run's namespaces are in scope.
    await requestJson(kc(), {
      method: 'POST',
      path: '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
      body: {
        metadata: { name: CONFIGURATION },
        webhooks: [{
          name: 'mpod.kb.io',
          admissionReviewVersions: ['v1'],
          sideEffects: 'None',
          failurePolicy: 'Ignore',
          timeoutSeconds: 1,
          clientConfig: { url: 'https://127.0.0.1:1/mutate-pod' },
          rules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE'] }],
          namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', operatorNamespace] }, { key: RUN_LABEL, operator: 'In', values: [RUN] }] },
          objectSelector: { matchExpressions: [{ key: LABEL_INJECT, operator: 'NotIn', values: ['false'] }, { key: SKIP_LABEL, operator: 'DoesNotExist' }] },
        }],
      },
    });
    await createSidecarSet(sidecarSet('agent', { selector }));
    await createSidecarSet(sidecarSet('paused', { selector, injectionStrategy: { paused: true } }));
    await createSidecarSet(sidecarSet('staging', { selector, namespaceSelector: { matchLabels: { env: 'staging' } } }));
    await createSidecarSet(sidecarSet('elsewhere', { selector, namespace: 'elsewhere' }));
    await createSidecarSet(sidecarSet('db', { selector: { ...selector, matchExpressions: [{ key: 'tier', operator: 'In', values: ['db'] }] } }));
    // No validating webhook runs here, so a SidecarSet adding agent's container can be stored.
    await createSidecarSet(sidecarSet('clash', { selector: { matchLabels: { clash: 'yes', [RUN_LABEL]: RUN } }, containers: [{ name: 'agent-c', image: 'other:1' }] }));
    await createSidecarSet(sidecarSet('pinned', { selector: { matchLabels: { pinned: 'yes', [RUN_LABEL]: RUN } }, injectionStrategy: { revision: { revisionName: name('pinned-1') } } }));
    await createPod(namespace, 'plain', { app: 'web', [RUN_LABEL]: RUN });
    await createPod(namespace, 'clashing', { app: 'web', clash: 'yes', [RUN_LABEL]: RUN }, false);
    await createPod(namespace, 'pinned', { pinned: 'yes', [RUN_LABEL]: RUN }, false);
    await createPod(namespace, 'finished', { app: 'web', [RUN_LABEL]: RUN });
    await requestJson(kc(), { method: 'PATCH', path: `/api/v1/namespaces/${namespace}/pods/finished/status`, contentType: MERGE_PATCH, body: { status: { phase: 'Succeeded' } } });
    await createPod(namespace, 'opted-out', { app: 'web', [RUN_LABEL]: RUN, [LABEL_INJECT]: 'false' }, false);
    await createPod(namespace, 'skipped', { app: 'web', [RUN_LABEL]: RUN, [SKIP_LABEL]: 'yes' }, false);
    await createPod(outside, 'outside', { app: 'web', [RUN_LABEL]: RUN }, false);
    await createPod(operatorNamespace, 'own', { app: 'web', [RUN_LABEL]: RUN }, false);
    await requestJson(kc(), {
      method: 'POST',
      path: `/apis/apps/v1/namespaces/${namespace}/deployments`,
      body: { metadata: { name: 'shop' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', [RUN_LABEL]: RUN } }, spec: { containers: [{ name: 'agent-c', image: 'mine:1' }] } } } },
    });
  });

  after(async () => {
    for (const sidecarSetName of stored.keys()) await requestJson(kc(), { method: 'DELETE', path: `/apis/${API_VERSION}/${PLURAL}/${sidecarSetName}` }).catch(() => undefined);
    await requestJson(kc(), { method: 'DELETE', path: `/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/${CONFIGURATION}` }).catch(() => undefined);
  });

  const notMatched = { paused: 'not injected: paused', staging: 'not injected: namespace-selector', elsewhere: 'not injected: namespace', db: 'not injected: selector', clash: 'not injected: selector', pinned: 'not injected: selector' };
  const everyone = (reason: string) => Object.fromEntries(['agent', 'clash', 'db', 'elsewhere', 'paused', 'pinned', 'staging'].map((base) => [base, `not injected: ${reason}`]));

  it('pod/NAME: the SidecarSets as stored, the namespace labels from the cluster, and the Pod carrying the current version', async () => {
    assert.deepEqual(await reasons(`pod/plain`, '-n', namespace, '--webhook-configuration', CONFIGURATION), { ...notMatched, agent: 'injected: injected, current' });
    const { stdout } = await explain(`pod/plain`, '-n', namespace, '--webhook-configuration', CONFIGURATION);
    const hash = stored.get(name('agent'))!.metadata.annotations![ANNOTATION_SIDECARSET_HASH];
    assert.ok(stdout.includes(`  agent-${RUN}: injected: selected by spec.selector app=web,${RUN_LABEL}=${RUN}\n    up to date (hash ${hash})\n`), stdout);
    assert.ok(stdout.includes(`  staging-${RUN}: not injected: namespace ${namespace} does not meet spec.namespaceSelector: env=staging (label env is "prod")\n`), stdout);
  });

  it('the registered selectors: excluded namespace, opt-out label, and the registration\'s own other terms', async () => {
    const args = ['--webhook-configuration', CONFIGURATION];
    assert.deepEqual(await reasons('pod/own', '-n', operatorNamespace, ...args), everyone('excluded-namespace'));
    assert.deepEqual(await reasons('pod/opted-out', '-n', namespace, ...args), everyone('opt-out'));
    assert.deepEqual(await reasons('pod/skipped', '-n', namespace, ...args), everyone('webhook-object-selector'));
    assert.deepEqual(await reasons('pod/outside', '-n', outside, ...args), everyone('webhook-namespace-selector'));
    const { stdout } = await explain('pod/outside', '-n', outside, ...args);
    assert.ok(stdout.includes(`not injected: the apiserver does not send the Pod to the webhook: the Pod webhook's namespaceSelector requires ${RUN_LABEL} in (${RUN}) (namespace ${outside}: label ${RUN_LABEL} is not set)\n`), stdout);
    // Not registered: nothing is injected any more, though the Pod still carries the current version.
    assert.deepEqual(await reasons('pod/plain', '-n', namespace, '--webhook-configuration', name('absent')), { ...everyone('no-webhook'), agent: 'not injected: no-webhook, current' });
  });

  it('refusals as the webhook makes them: a container two SidecarSets add, a pinned revision that is missing; and an inactive Pod', async () => {
    const args = ['-n', namespace, '--webhook-configuration', CONFIGURATION];
    assert.deepEqual(await reasons('pod/clashing', ...args), { ...notMatched, agent: 'not injected: conflict', clash: 'not injected: conflict' });
    const { stdout } = await explain('pod/pinned', ...args);
    assert.ok(stdout.includes(`  pinned-${RUN}: not injected: the webhook refuses the Pod: SidecarSet "pinned-${RUN}": spec.injectionStrategy.revision: controllerrevisions.apps "pinned-1-${RUN}" not found\n`), stdout);
    assert.deepEqual(await reasons('pod/pinned', ...args), { ...notMatched, agent: 'not injected: selector', pinned: 'not injected: revision-missing' });
    assert.deepEqual(await reasons('pod/finished', ...args), { ...everyone('inactive-pod'), agent: 'not injected: inactive-pod, current' });
  });

  it('deployment/NAME: its Pod template, whose own container is replaced by the sidecar of that name', async () => {
    assert.deepEqual(await reasons('deployment/shop', '-n', namespace, '--webhook-configuration', CONFIGURATION), { ...notMatched, agent: 'injected: replaces-container' });
  });

  it('sidecarset/NAME: which Pods it matches, which are up to date and which are outdated and why', async () => {
    const agent = stored.get(name('agent'))!;
    const changed = defaultSidecarSet({ ...agent, spec: { ...agent.spec, containers: [{ ...agent.spec.containers![0], image: 'agent:2' }] } });
    stored.set(agent.metadata.name!, await requestJson<SidecarSet>(kc(), { method: 'PUT', path: `/apis/${API_VERSION}/${PLURAL}/${agent.metadata.name}`, body: changed }));
    await createPod(namespace, 'fresh', { app: 'web', [RUN_LABEL]: RUN });
    assert.deepEqual(await reasons('pod/plain', '-n', namespace, '--webhook-configuration', CONFIGURATION), { ...notMatched, agent: 'injected: injected, in-place' });

    const { code, stdout, stderr } = await explain(`sidecarset/${name('agent')}`, '--webhook-configuration', CONFIGURATION);
    assert.equal(code, 0, stderr);
    const oldHash = agent.metadata.annotations![ANNOTATION_SIDECARSET_HASH];
    const newHash = changed.metadata.annotations![ANNOTATION_SIDECARSET_HASH];
    assert.deepEqual(stdout.split('\n').sort(), [
      '',
      `  ${namespace}/fresh: up to date (hash ${newHash})`,
      `  ${namespace}/plain: outdated (hash ${oldHash}, current ${newHash}): only images changed, so it can be upgraded in place`,
      `SidecarSet ${name('agent')} (hash ${newHash}): matches 2 Pods: 1 up to date, 1 outdated, 0 without it`,
    ].sort());
  });
});
