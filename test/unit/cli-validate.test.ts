// `sidecarset validate`: verdicts, the context flags (--existing, --revisions, whitelist), exit codes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli, temporaryFiles } from './cli-spawn.ts';

const EXAMPLE = 'deploy/examples/00-sidecarset.yaml';
const sidecarSet = (name: string, container: string, extra = ''): string => `apiVersion: apps.kruise.io/v1alpha1
kind: SidecarSet
metadata:
  name: ${name}
spec:
  selector: {matchLabels: {app: web}}
  containers: [{name: ${container}, image: "busybox:1.36"}]
${extra}`;
const PATCHING = '  patchPodMetadata: [{annotations: {"example.com/level": "debug"}}]\n';

describe('sidecarset validate', () => {
  it('prints "valid" per SidecarSet and exits 0', () => {
    assert.deepEqual(runCli(['validate', '-f', EXAMPLE]), { code: 0, stdout: 'sidecarset/log-agent: valid\n', stderr: '' });
  });

  it('prints one field error per line on stderr and exits 1', () => {
    assert.deepEqual(runCli(['validate', '-f', 'test/fixtures/invalid-sidecarsets/missing-selector.yaml']), {
      code: 1,
      stdout: '',
      stderr: 'sidecarset/log-agent: spec.selector: Required value: no selector defined for SidecarSet\n',
    });
  });

  it('reads a List from stdin; valid and invalid objects are reported separately', () => {
    const list = JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'apps.kruise.io/v1alpha1', kind: 'SidecarSet', metadata: { name: 'ok' }, spec: { selector: { matchLabels: { a: 'b' } }, containers: [{ name: 'c', image: 'i:1' }] } },
        { apiVersion: 'apps.kruise.io/v1alpha1', kind: 'SidecarSet', metadata: { name: 'bad', namespace: 'x' }, spec: { selector: {}, containers: [{ name: 'c', image: 'i:1' }] } },
      ],
    });
    assert.deepEqual(runCli(['validate', '-f', '-'], list), {
      code: 1,
      stdout: 'sidecarset/ok: valid\n',
      stderr: [
        'sidecarset/bad: metadata.namespace: Forbidden: not allowed on this type',
        'sidecarset/bad: spec.selector: Invalid value: {}: empty selector is not valid for sidecarset.',
        '',
      ].join('\n'),
    });
  });

  it('--existing supplies the other SidecarSets for the conflict rules', () => {
    const files = temporaryFiles({ 'mine.yaml': sidecarSet('mine', 'agent'), 'theirs.yaml': sidecarSet('theirs', 'agent') });
    assert.deepEqual(runCli(['validate', '-f', files['mine.yaml'], '--existing', files['theirs.yaml']]), {
      code: 1,
      stdout: '',
      stderr: `sidecarset/mine: spec.containers: Invalid value: "agent": container agent is already injected by SidecarSet theirs: its selector app=web overlaps this one's app=web\n`,
    });
  });

  it('--revisions supplies the ControllerRevisions a pin refers to', () => {
    const pinned = sidecarSet('mine', 'agent', '  injectionStrategy: {revision: {revisionName: mine-1}}\n');
    const files = temporaryFiles({
      'mine.yaml': pinned,
      'revisions.yaml': 'apiVersion: apps/v1\nkind: ControllerRevision\nmetadata: {name: mine-1, namespace: kruise-system}\nrevision: 1\n',
    });
    assert.equal(runCli(['validate', '-f', files['mine.yaml'], '--revisions', files['revisions.yaml']]).code, 0);
    assert.equal(
      runCli(['validate', '-f', files['mine.yaml']]).stderr,
      'sidecarset/mine: revision: Invalid value: null: Cannot find specific ControllerRevision, err: controllerrevisions.apps "mine-1" not found\n',
    );
  });

  it('patchPodMetadata needs a whitelist (a ConfigMap or its JSON value) or --allow-patch-metadata', () => {
    const files = temporaryFiles({
      'mine.yaml': sidecarSet('mine', 'agent', PATCHING),
      'configmap.yaml': `apiVersion: v1
kind: ConfigMap
metadata: {name: kruise-configuration, namespace: kruise-system}
data:
  SidecarSet_PatchPodMetadata_WhiteList: '{"rules":[{"allowedAnnotationKeyExprs":["^example\\\\.com/"]}]}'
`,
      'bare.json': '{"rules":[{"allowedAnnotationKeyExprs":["^other/"]}]}',
    });
    const mine = files['mine.yaml'];
    assert.equal(runCli(['validate', '-f', mine]).stderr, 'sidecarset/mine: spec.patchPodMetadata: Required value: SidecarSet patch metadata whitelist not found\n');
    assert.equal(runCli(['validate', '-f', mine, '--allow-patch-metadata']).code, 0);
    assert.equal(runCli(['validate', '-f', mine, '--patch-metadata-whitelist', files['configmap.yaml']]).code, 0);
    assert.equal(
      runCli(['validate', '-f', mine, '--patch-metadata-whitelist', files['bare.json']]).stderr,
      'sidecarset/mine: spec.patchPodMetadata: Required value: sidecarSet patch metadata annotation(example.com/level) is not allowed\n',
    );
  });

  it('refuses empty input instead of validating nothing', () => {
    assert.deepEqual(runCli(['validate', '-f', '-'], '# nothing here\n'), { code: 2, stdout: '', stderr: 'error: <stdin>: no SidecarSets found\n' });
    assert.deepEqual(runCli(['default', '-f', '-'], ''), { code: 2, stdout: '', stderr: 'error: <stdin>: no SidecarSets found\n' });
  });

  it('exits 2 with one line, no stack trace, for unreadable or malformed input', () => {
    const files = temporaryFiles({
      'broken.yaml': 'apiVersion: apps.kruise.io/v1alpha1\nkind: SidecarSet\nspec: {selector: \n',
      'whitelist.json': '{"rules": [{"allowedAnnotationKeyExprs": ["("]}]}',
      'bad-existing.yaml': 'apiVersion: apps.kruise.io/v1alpha1\nkind: SidecarSet\nmetadata: {name: old}\nspec: {containers: 3}\n',
    });
    const cases: [string[], RegExp][] = [
      [['validate', '-f', 'missing.yaml'], /^error: missing\.yaml: cannot read: ENOENT\n$/],
      [['validate', '-f', files['broken.yaml']], /^error: .*broken\.yaml:\d+: malformed YAML: .+\n$/],
      [
        ['validate', '-f', EXAMPLE, '--patch-metadata-whitelist', files['whitelist.json']],
        /^error: .*whitelist\.json: data\[SidecarSet_PatchPodMetadata_WhiteList\]\.rules\[0\]\.allowedAnnotationKeyExprs\[0\]: Invalid value: "\(": error parsing regexp: missing closing \): `\(`\n$/,
      ],
      [
        ['validate', '-f', EXAMPLE, '--existing', files['bad-existing.yaml']],
        /^error: .*bad-existing\.yaml: sidecarset\/old is not a valid SidecarSet: spec\.containers: Invalid value: "integer": .+\n$/,
      ],
      [['validate', '-f', EXAMPLE, '--unknown-flag'], /^error: validate: Unknown option '--unknown-flag'.*\n$/],
    ];
    for (const [args, stderr] of cases) {
      const result = runCli(args);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr, stderr);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    }
  });

  it('documents its flags', () => {
    const { code, stdout } = runCli(['validate', '--help']);
    assert.equal(code, 0);
    for (const flag of ['--filename', '--existing', '--revisions', '--patch-metadata-whitelist', '--allow-patch-metadata']) assert.ok(stdout.includes(flag), flag);
  });
});
