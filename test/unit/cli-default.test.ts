// `sidecarset default`: output formats, inputs (files, stdin, multi-document, List), exit codes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { runCli, temporaryFiles } from './cli-spawn.ts';

const EXAMPLE = 'deploy/examples/00-sidecarset.yaml';
const minimal = (name: string): string => `apiVersion: apps.kruise.io/v1alpha1
kind: SidecarSet
metadata:
  name: ${name}
spec:
  selector: {matchLabels: {app: web}}
  containers: [{name: ${name}, image: "busybox:1.36"}]
`;

describe('sidecarset default', () => {
  it('prints the defaulted SidecarSet as YAML', () => {
    const { code, stdout, stderr } = runCli(['default', '-f', EXAMPLE]);
    assert.equal(stderr, '');
    assert.equal(code, 0);
    const [document, ...rest] = parseAllDocuments(stdout).map((item) => item.toJS());
    assert.equal(rest.length, 0);
    assert.equal(document.spec.revisionHistoryLimit, 10);
    assert.equal(document.spec.containers[0].imagePullPolicy, 'IfNotPresent');
    assert.match(document.metadata.annotations['kruise.io/sidecarset-hash'], /^[bcdfghjklmnpqrstvwxz2456789]{64}$/);
  });

  it('prints JSON with -o json: one object, or a List of several', () => {
    const one = runCli(['default', '-f', EXAMPLE, '-o', 'json']);
    assert.equal(one.code, 0);
    assert.equal(JSON.parse(one.stdout).kind, 'SidecarSet');
    const files = temporaryFiles({ 'a.yaml': minimal('a'), 'b.yaml': minimal('b') });
    const two = runCli(['default', '-f', files['a.yaml'], '--filename', files['b.yaml'], '-o', 'json']);
    assert.equal(two.code, 0);
    const list = JSON.parse(two.stdout);
    assert.equal(list.kind, 'List');
    assert.deepEqual(list.items.map((item: { metadata: { name: string } }) => item.metadata.name), ['a', 'b']);
  });

  it('reads several documents from stdin with -f -, and List objects', () => {
    const multi = runCli(['default', '-f', '-'], `${minimal('a')}---\n${minimal('b')}`);
    assert.equal(multi.code, 0);
    assert.deepEqual(parseAllDocuments(multi.stdout).map((item) => item.toJS().metadata.name), ['a', 'b']);
    const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: parseAllDocuments(`${minimal('c')}---\n${minimal('d')}`).map((item) => item.toJS()) });
    const fromList = runCli(['default', '-f', '-'], list);
    assert.equal(fromList.code, 0);
    assert.deepEqual(parseAllDocuments(fromList.stdout).map((item) => item.toJS().metadata.name), ['c', 'd']);
  });

  it('exits 1 with field errors and prints nothing for a structurally invalid SidecarSet', () => {
    const { code, stdout, stderr } = runCli(['default', '-f', 'test/fixtures/invalid-sidecarsets/misspelled-field.yaml']);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(stderr, 'sidecarset/log-agent: spec.containers[0].imagePullPolcy: Forbidden: unknown field "imagePullPolcy"\n');
  });

  it('exits 2 with one line for unreadable or malformed input', () => {
    const files = temporaryFiles({ 'broken.yaml': 'kind: SidecarSet\nmetadata: [\n', 'pod.yaml': 'apiVersion: v1\nkind: Pod\n', 'v2.yaml': minimal('x').replace('v1alpha1', 'v2') });
    const cases: [string[], RegExp][] = [
      [['default', '-f', 'no-such-file.yaml'], /^error: no-such-file\.yaml: cannot read: ENOENT\n$/],
      [['default', '-f', files['broken.yaml']], /^error: .*broken\.yaml:\d+: malformed YAML: .+\n$/],
      [['default', '-f', files['pod.yaml']], /^error: .*pod\.yaml: expected kind SidecarSet, found kind Pod\n$/],
      [['default', '-f', files['v2.yaml']], /^error: .*v2\.yaml: sidecarset\/x: unsupported apiVersion "apps\.kruise\.io\/v2" \(expected apps\.kruise\.io\/v1beta1 or apps\.kruise\.io\/v1alpha1\)\n$/],
      [['default'], /^error: default: -f FILE is required\n$/],
      [['default', '-f', EXAMPLE, '-o', 'xml'], /^error: -o: unsupported output format "xml" \(use yaml or json\)\n$/],
    ];
    for (const [args, stderr] of cases) {
      const result = runCli(args);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr, stderr);
      assert.equal(result.stdout, '');
    }
  });

  it('documents its flags', () => {
    const { code, stdout } = runCli(['default', '--help']);
    assert.equal(code, 0);
    assert.match(stdout, /^usage: sidecarset default -f FILE/);
  });
});
