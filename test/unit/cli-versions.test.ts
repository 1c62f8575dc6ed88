// The CLI takes both SidecarSet versions: `default` and `validate` answer in the input's version,
// `inject` gives the same Pod for either, and `convert --to` converts as the webhook does.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { runCli, temporaryFiles } from './cli-spawn.ts';

const ALPHA = `apiVersion: apps.kruise.io/v1alpha1
kind: SidecarSet
metadata:
  name: logs
  labels: {apps.kruise.io/sidecarset-custom-version: v2}
spec:
  namespace: demo
  selector: {matchLabels: {app: web}}
  containers: [{name: agent, image: "busybox:1.36"}]
`;
const BETA = `apiVersion: apps.kruise.io/v1beta1
kind: SidecarSet
metadata:
  name: logs
spec:
  customVersion: v2
  namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: demo}}
  selector: {matchLabels: {app: web}}
  containers: [{name: agent, image: "busybox:1.36"}]
`;
const POD = `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: demo, labels: {app: web}}
spec:
  containers: [{name: app, image: "app:1"}]
`;

describe('the CLI and the two SidecarSet versions', () => {
  const files = temporaryFiles({ 'alpha.yaml': ALPHA, 'beta.yaml': BETA, 'pod.yaml': POD });

  it('default keeps the input version, with the same hashes for both', () => {
    const alpha = parse(runCli(['default', '-f', files['alpha.yaml']]).stdout);
    const beta = parse(runCli(['default', '-f', files['beta.yaml']]).stdout);
    assert.equal(alpha.apiVersion, 'apps.kruise.io/v1alpha1');
    assert.equal(beta.apiVersion, 'apps.kruise.io/v1beta1');
    assert.equal(beta.spec.customVersion, 'v2');
    assert.equal(beta.metadata.annotations['kruise.io/sidecarset-hash'], alpha.metadata.annotations['kruise.io/sidecarset-hash']);
  });

  it('validate judges both; a v1beta1 spec.namespace is an unknown field', () => {
    assert.deepEqual(runCli(['validate', '-f', files['alpha.yaml'], '-f', files['beta.yaml']]), { code: 0, stdout: 'sidecarset/logs: valid\nsidecarset/logs: valid\n', stderr: '' });
    const stray = temporaryFiles({ 'stray.yaml': BETA.replace('  customVersion: v2\n', '  namespace: demo\n') });
    const result = runCli(['validate', '-f', stray['stray.yaml']]);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, 'sidecarset/logs: spec.namespace: Forbidden: unknown field "namespace"\n');
  });

  it('inject gives the same Pod from either version', () => {
    const fromAlpha = runCli(['inject', '-f', files['pod.yaml'], '--sidecarsets', files['alpha.yaml'], '--namespace', 'demo']);
    const fromBeta = runCli(['inject', '-f', files['pod.yaml'], '--sidecarsets', files['beta.yaml'], '--namespace', 'demo']);
    assert.equal(fromAlpha.code, 0, fromAlpha.stderr);
    const strip = (text: string) => text.replace(/"updateTimestamp":"[^"]*"/g, '');
    assert.equal(strip(fromBeta.stdout), strip(fromAlpha.stdout));
    assert.deepEqual(parse(fromAlpha.stdout).spec.containers.map((c: { name: string }) => c.name), ['agent', 'app']);
  });

  it('convert --to turns each into the other and back', () => {
    const toBeta = runCli(['convert', '-f', files['alpha.yaml'], '--to', 'v1beta1']);
    assert.equal(toBeta.code, 0, toBeta.stderr);
    const beta = parse(toBeta.stdout);
    assert.equal(beta.apiVersion, 'apps.kruise.io/v1beta1');
    assert.deepEqual(beta.spec.namespaceSelector, { matchLabels: { 'kubernetes.io/metadata.name': 'demo' } });
    assert.equal(beta.spec.customVersion, 'v2');
    const back = runCli(['convert', '-f', '-', '--to', 'v1alpha1'], toBeta.stdout);
    assert.deepEqual(parse(back.stdout), parse(ALPHA));
    const fromBeta = parseAllDocuments(runCli(['convert', '-f', files['beta.yaml'], '-f', files['alpha.yaml'], '--to', 'v1alpha1']).stdout).map((d) => d.toJS());
    assert.deepEqual(fromBeta[0].spec.namespaceSelector, { matchLabels: { 'kubernetes.io/metadata.name': 'demo' } });
    assert.deepEqual(fromBeta[0].metadata.labels, { 'apps.kruise.io/sidecarset-custom-version': 'v2' });
    assert.deepEqual(fromBeta[1], parse(ALPHA));
  });

  it('convert refuses an unknown --to', () => {
    assert.deepEqual(runCli(['convert', '-f', files['alpha.yaml'], '--to', 'v2']), { code: 2, stdout: '', stderr: 'error: convert: --to must be v1beta1 or v1alpha1, got "v2"\n' });
    assert.equal(runCli(['convert', '-f', files['alpha.yaml']]).stderr, 'error: convert: --to must be v1beta1 or v1alpha1\n');
  });
});
