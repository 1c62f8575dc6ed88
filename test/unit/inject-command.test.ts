// `sidecarset inject`, run as a process: Pods and workload templates, output formats, the patch, and
// bad input (exit 2, one line on stderr).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import jsonpatch from 'fast-json-patch';
import { parseAllDocuments } from 'yaml';
import { injectCommand } from '../../src/cli/inject-command.ts';
import { InputError } from '../../src/cli/input.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NODE = path.join(ROOT, 'node_modules/.bin/node');
const dir = mkdtempSync(path.join(tmpdir(), 'sidecarset-inject-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const location = path.join(dir, name);
  writeFileSync(location, text);
  return location;
}

/** Runs `sidecarset inject` in a child process; tests run concurrently, as each start takes a while. */
function inject(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(NODE, ['bin/sidecarset.js', 'inject', ...args], { cwd: ROOT, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ status: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

type Obj = Record<string, any>;
const names = (containers: Obj[]): string[] => containers.map((container) => container.name);

const SIDECARSETS = file('sidecarsets.yaml', `
apiVersion: apps.kruise.io/v1alpha1
kind: SidecarSet
metadata: {name: logging}
spec:
  selector: {matchLabels: {app: web}}
  containers:
  - name: log-agent
    image: fluent-bit:2
    transferEnv: [{sourceContainerName: app, envName: MISSING}]
---
apiVersion: apps.kruise.io/v1alpha1
kind: SidecarSet
metadata: {name: prod-mesh}
spec:
  selector: {matchLabels: {app: web}}
  namespaceSelector: {matchLabels: {env: prod}}
  containers:
  - {name: envoy, image: "envoy:1", podInjectPolicy: AfterAppContainer}
`);

const POD = `apiVersion: v1
kind: Pod
metadata: {name: web-0, labels: {app: web}}
spec:
  containers:
  - {name: app, image: "nginx:1.25"}
`;
const PODS = file('pod.yaml', POD);

const WORKLOADS = file('workloads.yaml', `${POD}---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: app, image: "nginx:1.25"}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        metadata: {labels: {app: web}}
        spec:
          restartPolicy: Never
          containers:
          - {name: app, image: "job:1"}
`);

describe('sidecarset inject', { concurrency: true }, () => {
  it('prints the injected Pod as YAML, with warnings on stderr', async () => {
    const { status, stdout, stderr } = await inject('-f', PODS, '--sidecarsets', SIDECARSETS);
    assert.equal(status, 0, stderr);
    const [pod] = parseAllDocuments(stdout).map((document) => document.toJS() as Obj);
    assert.deepEqual(names(pod.spec.containers), ['log-agent', 'app']);
    assert.equal(pod.metadata.annotations['kruise.io/sidecarset-injected-list'], 'logging');
    assert.match(pod.metadata.annotations['kruise.io/sidecarset-hash'], /^\{"logging":\{"updateTimestamp":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ","hash":"[a-z0-9]{64}"/);
    assert.doesNotMatch(stdout, /[&*]a\d/, 'no YAML anchors');
    assert.equal(stderr, 'warning: Pod/web-0: SidecarSet "logging": spec.containers[0].transferEnv[0]: no env "MISSING" in container "app"\nPod/web-0 in namespace default: injected logging\n');
  });

  it('injects every object of the file: Pods as they are, workloads through their Pod template, in their namespace', async () => {
    const { status, stdout, stderr } = await inject('-f', WORKLOADS, '--sidecarsets', SIDECARSETS, '--namespace', 'prod', '--namespace-labels', 'env=prod,team=a', '-o', 'json');
    assert.equal(status, 0, stderr);
    const list = JSON.parse(stdout) as Obj;
    assert.equal(list.kind, 'List');
    const [pod, deployment, cronJob] = list.items as Obj[];
    assert.deepEqual(names(pod.spec.containers), ['log-agent', 'app', 'envoy']);
    assert.deepEqual(names(deployment.spec.template.spec.containers), ['log-agent', 'app', 'envoy']);
    assert.equal(deployment.spec.template.metadata.annotations['kruise.io/sidecarset-injected-list'], 'logging,prod-mesh');
    assert.equal(deployment.spec.template.metadata.namespace, undefined, 'no namespace is added to the template');
    assert.deepEqual(names(cronJob.spec.jobTemplate.spec.template.spec.containers), ['log-agent', 'app', 'envoy']);
    assert.equal(cronJob.spec.schedule, '0 3 * * *');
  });

  it('gives --namespace-labels to the namespace of --namespace, else to each object\'s own namespace', async () => {
    const only = await inject('-f', WORKLOADS, '--sidecarsets', SIDECARSETS, '--namespace', 'default', '--namespace-labels', 'env=prod', '-o', 'json');
    assert.equal(only.status, 0, only.stderr);
    const [pod, deployment] = (JSON.parse(only.stdout) as Obj).items as Obj[];
    assert.deepEqual(names(pod.spec.containers), ['log-agent', 'app', 'envoy'], 'the Pod is in "default", which has env=prod');
    assert.deepEqual(names(deployment.spec.template.spec.containers), ['log-agent', 'app'], 'labels of "prod" are unknown');

    const own = await inject('-f', WORKLOADS, '--sidecarsets', SIDECARSETS, '--namespace-labels', 'env=prod', '-o', 'json');
    assert.equal(own.status, 0, own.stderr);
    const [, prodDeployment] = (JSON.parse(own.stdout) as Obj).items as Obj[];
    assert.deepEqual(names(prodDeployment.spec.template.spec.containers), ['log-agent', 'app', 'envoy'], 'the Deployment names "prod", which gets the labels');
  });

  it('prints the JSON Patch with --patch, which turns the input into the injected object', async () => {
    const injected = JSON.parse((await inject('-f', WORKLOADS, '--sidecarsets', SIDECARSETS, '-o', 'json')).stdout) as Obj;
    const { status, stdout, stderr } = await inject('-f', WORKLOADS, '--sidecarsets', SIDECARSETS, '--patch');
    assert.equal(status, 0, stderr);
    const patches = JSON.parse(stdout) as jsonpatch.Operation[][];
    assert.equal(patches.length, 3);
    assert.deepEqual(patches[1].map((operation) => operation.path), ['/spec/template/metadata/annotations', '/spec/template/spec/containers/0']);
    const originals = parseAllDocuments(readFileSync(WORKLOADS, 'utf8')).map((document) => document.toJS() as Obj);
    originals.forEach((original, i) => {
      const patched = jsonpatch.applyPatch(original, patches[i], true).newDocument;
      assert.deepEqual(withoutTimestamps(patched), withoutTimestamps(injected.items[i]));
    });
  });

  it('prints one patch, not a list, for one object', async () => {
    const { status, stdout } = await inject('-f', PODS, '--sidecarsets', SIDECARSETS, '--patch');
    assert.equal(status, 0);
    const patch = JSON.parse(stdout) as jsonpatch.Operation[];
    assert.deepEqual(patch.map((operation) => operation.op), ['add', 'add']);
  });

  it('injects the pinned revision read with --revisions', async () => {
    const pinned = file('pinned.yaml', `apiVersion: apps.kruise.io/v1alpha1
kind: SidecarSet
metadata: {name: pinned}
spec:
  selector: {matchLabels: {app: web}}
  injectionStrategy: {revision: {revisionName: pinned-1}}
  containers:
  - {name: agent, image: "agent:2"}
`);
    const revisions = file('revisions.yaml', `apiVersion: apps/v1
kind: ControllerRevision
metadata: {name: pinned-1, namespace: kruise-system, annotations: {kruise.io/sidecarset-hash: old-hash}}
revision: 1
data: {spec: {$patch: replace, containers: [{name: agent, image: "agent:1"}]}}
`);
    const { status, stdout, stderr } = await inject('-f', PODS, '--sidecarsets', pinned, '--revisions', revisions, '-o', 'json');
    assert.equal(status, 0, stderr);
    const pod = JSON.parse(stdout) as Obj;
    assert.equal(pod.spec.containers.find((container: Obj) => container.name === 'agent').image, 'agent:1');
    assert.match(pod.metadata.annotations['kruise.io/sidecarset-hash'], /"hash":"old-hash".*"controllerRevision":"pinned-1"/);

    const refused = await inject('-f', PODS, '--sidecarsets', pinned);
    assert.equal(refused.status, 2);
    assert.equal(refused.stderr, 'error: Pod/web-0: injection refused: SidecarSet "pinned": spec.injectionStrategy.revision: controllerrevisions.apps "pinned-1" not found\n');
  });

  it('exits 2 with one line on bad input', async () => {
    for (const args of [['--sidecarsets', SIDECARSETS], ['-f', file('empty.yaml', '# nothing\n'), '--sidecarsets', SIDECARSETS]]) {
      const { status, stdout, stderr } = await inject(...args);
      assert.equal(status, 2, stderr);
      assert.equal(stdout, '');
      assert.match(stderr, /^error: (inject: -f PATH is required|.*empty\.yaml: no objects found)\n$/);
    }
  });
});

describe('sidecarset inject in a pipeline', { concurrency: true }, () => {
  const examples = path.join(ROOT, 'deploy/examples');
  const inputs = readdirSync(examples).sort().flatMap((name) => parseAllDocuments(readFileSync(path.join(examples, name), 'utf8')).map((document) => document.toJS() as Obj));

  it('reads a directory as kubectl does, uses its SidecarSets, passes other objects through and injects Pods and templates', async () => {
    const { status, stdout, stderr } = await inject('-f', 'deploy/examples/', '--namespace', 'demo');
    assert.equal(status, 0, stderr);
    assert.equal(stderr, 'Deployment/shop in namespace demo: injected log-agent\nPod/shop-standalone in namespace demo: injected log-agent\n');
    assert.doesNotMatch(stdout, /^\s*(- )?[&*]a\d+/m, 'no YAML anchors or aliases, although transferEnv copies an env var');
    const output = parseAllDocuments(stdout).map((document) => document.toJS() as Obj);
    assert.deepEqual(output.map((object) => `${object.kind}/${object.metadata.name}`), ['SidecarSet/log-agent', 'ConfigMap/log-agent-config', 'Deployment/shop', 'Pod/shop-standalone']);
    assert.deepEqual(output[0], inputs[0], 'the SidecarSet is passed through as written');
    assert.deepEqual(output[1], inputs[1], 'the ConfigMap is passed through unchanged');
    assert.deepEqual(names(output[2].spec.template.spec.containers), ['shop', 'log-agent']);
    assert.deepEqual(names(output[3].spec.containers), ['shop', 'log-agent']);
    const transferred = output[3].spec.containers[1].env.find((env: Obj) => env.name === 'CLUSTER_NAME');
    assert.deepEqual(transferred, { name: 'CLUSTER_NAME', value: 'demo-cluster' });
  });

  it('applies the webhook registration\'s exclusions unless --ignore-exclusions', async () => {
    const pods = file('excluded.yaml', [
      'apiVersion: v1\nkind: Pod\nmetadata: {name: system, namespace: kube-system, labels: {app: web}}\nspec: {containers: [{name: app, image: "nginx:1.25"}]}\n',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: own, namespace: ops, labels: {app: web}}\nspec: {containers: [{name: app, image: "nginx:1.25"}]}\n',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: opted-out, labels: {app: web, sidecarset.kruise.io/inject: "false"}}\nspec: {containers: [{name: app, image: "nginx:1.25"}]}\n',
    ].join('---\n'));
    const excluded = await inject('-f', pods, '--sidecarsets', SIDECARSETS, '--operator-namespace', 'ops', '-o', 'json');
    assert.equal(excluded.status, 0, excluded.stderr);
    assert.deepEqual(((JSON.parse(excluded.stdout) as Obj).items as Obj[]).map((pod) => names(pod.spec.containers)), [['app'], ['app'], ['app']]);
    assert.equal(excluded.stderr, [
      "Pod/system in namespace kube-system: not injected: namespace kube-system is excluded: the Pod webhook's namespaceSelector requires kubernetes.io/metadata.name notin (kube-system,ops) (--ignore-exclusions injects anyway)",
      "Pod/own in namespace ops: not injected: namespace ops is excluded: the Pod webhook's namespaceSelector requires kubernetes.io/metadata.name notin (kube-system,ops) (--ignore-exclusions injects anyway)",
      "Pod/opted-out in namespace default: not injected: the Pod opts out with its label sidecarset.kruise.io/inject=false: the Pod webhook's objectSelector requires sidecarset.kruise.io/inject notin (false) (--ignore-exclusions injects anyway)",
      '',
    ].join('\n'));
    const ignored = await inject('-f', pods, '--sidecarsets', SIDECARSETS, '--operator-namespace', 'ops', '--ignore-exclusions', '-o', 'json');
    assert.equal(ignored.status, 0, ignored.stderr);
    assert.deepEqual(((JSON.parse(ignored.stdout) as Obj).items as Obj[]).map((pod) => names(pod.spec.containers)), [['log-agent', 'app'], ['log-agent', 'app'], ['log-agent', 'app']]);
  });

  it('says when no SidecarSet matched', async () => {
    const other = file('other.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: api, labels: {app: api}}\nspec: {containers: [{name: app, image: "nginx:1.25"}]}\n');
    const { status, stderr } = await inject('-f', other, '--sidecarsets', SIDECARSETS);
    assert.equal(status, 0, stderr);
    assert.equal(stderr, 'Pod/api in namespace default: no SidecarSet matched\n');
  });
});

// The other input errors, checked in-process (starting the CLI costs about a second each).
describe('sidecarset inject input errors', () => {
  const cases: [string, Record<string, string | string[]>, RegExp][] = [
    ['no SidecarSets at all', { filename: [PODS] }, /^inject: no SidecarSets: pass --sidecarsets FILE, or include them in the input$/],
    ['an empty directory', { filename: [mkdtempSync(path.join(dir, 'empty-'))], sidecarsets: [SIDECARSETS] }, /empty-\w+: no objects found$/],
    ['an unreadable file', { filename: [path.join(dir, 'absent.yaml')], sidecarsets: [SIDECARSETS] }, /absent\.yaml: cannot read: ENOENT$/],
    ['a workload without a template', { filename: [file('empty-deployment.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {}\n')], sidecarsets: [SIDECARSETS] }, /^Deployment\/web: no Pod spec at spec\.template\.spec$/],
    ['a non-SidecarSet given as SidecarSets', { filename: [PODS], sidecarsets: [PODS] }, /pod\.yaml: expected kind SidecarSet, found kind Pod$/],
    ['a structurally broken SidecarSet', { filename: [PODS], sidecarsets: [file('broken.yaml', 'apiVersion: apps.kruise.io/v1alpha1\nkind: SidecarSet\nmetadata: {name: broken}\nspec: {containers: {name: x}}\n')] }, /^sidecarset\/broken: spec\.containers/],
    ['malformed namespace labels', { filename: [PODS], sidecarsets: [SIDECARSETS], 'namespace-labels': 'env' }, /^--namespace-labels: expected key=value, found "env"$/],
    ['an unknown output format', { filename: [PODS], sidecarsets: [SIDECARSETS], output: 'xml' }, /^-o: unsupported output format "xml"/],
    ['malformed YAML', { filename: [file('bad.yaml', 'kind: [Pod\n')], sidecarsets: [SIDECARSETS] }, /bad\.yaml(:\d+)?: malformed YAML/],
  ];
  for (const [what, values, message] of cases) {
    it(`refuses ${what}`, async () => {
      await assert.rejects(injectCommand.run(values), (error: unknown) => error instanceof InputError && message.test(error.message) && !error.message.includes('\n'));
    });
  }
});

/** The hash annotations carry the time of the run; compare everything else. */
function withoutTimestamps(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value).replace(/\\"updateTimestamp\\":\\"[^\\]*\\"/g, ''));
}
