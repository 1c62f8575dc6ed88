// `sidecarset explain` offline: one case per reason, as golden text (test/fixtures/explain/*.txt)
// and as reason codes (-o json); and for Pods read back from a cluster, whether they run the current
// version, can be upgraded in place, or which fields prevent it.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import type { Pod } from '../../src/api/core.ts';
import type { SidecarSet } from '../../src/api/sidecarset.ts';
import { explainFiles } from '../../src/cli/explain-command.ts';
import { renderExplanations, type ExplainedObject } from '../../src/cli/explain-text.ts';
import { defaultSidecarSet } from '../../src/defaulting.ts';
import { injectPod } from '../../src/injection/inject-pod.ts';
import { temporaryDirectory } from '../support/temporary-directory.ts';
import { REPO_ROOT } from './cli-spawn.ts';

const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/explain');
const fixture = (name: string): string => path.join(FIXTURES, name);
const reasons = (explained: ExplainedObject[]) =>
  Object.fromEntries(explained.map((item) => [item.object, Object.fromEntries(item.sidecarSets.map((verdict) => [verdict.sidecarSet, `${verdict.injected ? 'injected' : 'not injected'}: ${verdict.reason}`]))]));

describe('sidecarset explain -f (golden)', () => {
  it('selector, namespace, namespaceSelector, paused, empty selector, same-named container, excluded namespace, opt-out, inactive Pod', async () => {
    const explained = await explainFiles({ filename: [fixture('pods.yaml')], sidecarsets: [fixture('sidecarsets.yaml')], 'namespace-labels': 'env=dev' });
    assert.equal(renderExplanations(explained, 'text'), readFileSync(fixture('pods.txt'), 'utf8'));
    const notMatched = { 'db-tier': 'not injected: selector', elsewhere: 'not injected: namespace', 'empty-selector': 'not injected: no-selector', paused: 'not injected: paused', 'prod-only': 'not injected: namespace-selector' };
    const all = (reason: string) => Object.fromEntries(['db-tier', 'elsewhere', 'empty-selector', 'paused', 'prod-only', 'web'].map((name) => [name, `not injected: ${reason}`]));
    assert.deepEqual(reasons(explained), {
      'Pod/plain': { ...notMatched, web: 'injected: injected' },
      'Pod/own-agent': { ...notMatched, web: 'injected: replaces-container' },
      'Pod/system': all('excluded-namespace'),
      'Pod/opted-out': all('opt-out'),
      'Pod/done': all('inactive-pod'),
    });
  });

  it('a conflict and a missing pinned revision refuse the Pod', async () => {
    const explained = await explainFiles({ filename: [fixture('refusals.yaml')] });
    assert.equal(renderExplanations(explained, 'text'), readFileSync(fixture('refusals.txt'), 'utf8'));
    assert.deepEqual(reasons(explained), {
      'Pod/both': { 'logs-a': 'not injected: conflict', 'logs-b': 'not injected: conflict', pinned: 'not injected: selector' },
      'Pod/pinned-pod': { 'logs-a': 'not injected: selector', 'logs-b': 'not injected: selector', pinned: 'not injected: revision-missing' },
    });
  });

  it('an invalid namespaceSelector selects no namespace; an invalid selector refuses the Pod', async () => {
    const explained = await explainFiles({ filename: [fixture('invalid-selectors.yaml')] });
    assert.equal(renderExplanations(explained, 'text'), readFileSync(fixture('invalid-selectors.txt'), 'utf8'));
    assert.deepEqual(reasons(explained), { 'Pod/p': { 'bad-ns': 'not injected: namespace-selector-invalid', 'bad-selector': 'not injected: invalid' } });
  });

  it('--ignore-exclusions looks past the webhook registration', async () => {
    const explained = await explainFiles({ filename: [fixture('pods.yaml')], sidecarsets: [fixture('sidecarsets.yaml')], 'ignore-exclusions': true });
    assert.equal(reasons(explained)['Pod/system'].web, 'injected: injected');
    assert.equal(reasons(explained)['Pod/opted-out'].web, 'injected: injected');
  });
});

describe('sidecarset explain -f of a Pod read back from a cluster', () => {
  const sidecarSet = (image: string, env: string): SidecarSet =>
    defaultSidecarSet({
      apiVersion: 'apps.kruise.io/v1alpha1',
      kind: 'SidecarSet',
      metadata: { name: 'web' },
      spec: { selector: { matchLabels: { app: 'web' } }, containers: [{ name: 'agent', image, env: [{ name: 'MODE', value: env }] }] },
      status: { matchedPods: 0, updatedPods: 0, readyPods: 0, latestRevision: 'web-v1' },
    } as SidecarSet);
  const v1 = sidecarSet('agent:1', 'fast');
  const pod: Pod = {
    ...(injectPod({
      pod: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'demo', uid: 'u-1', labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1' }] } } as Pod,
      namespace: { name: 'demo', labels: {} },
      sidecarSets: [v1],
      now: new Date('2026-01-01T00:00:00Z'),
      random: () => 0,
    }).pod),
  };
  const revision = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: { name: 'web-v1', namespace: 'sidecarset-system', annotations: { 'kruise.io/sidecarset-hash': v1.metadata.annotations!['kruise.io/sidecarset-hash'] } },
    revision: 1,
    data: { spec: { $patch: 'replace', containers: v1.spec.containers } },
  };
  const directory = temporaryDirectory('sidecarset-explain-');
  const write = (name: string, objects: unknown[]): string => {
    const file = path.join(directory, name);
    writeFileSync(file, objects.map((object) => stringify(object)).join('---\n'));
    return file;
  };
  const podFile = write('pod.yaml', [pod]);
  const explain = async (current: SidecarSet, revisions: unknown[] = []) => {
    const explained = await explainFiles({ filename: [podFile], sidecarsets: [write('current.yaml', [current])], revisions: revisions.length > 0 ? [write('revisions.yaml', revisions)] : undefined });
    return renderExplanations(explained, 'text').split('\n')[2];
  };

  it('up to date when it carries the current hash', async () => {
    assert.equal(await explain(v1), `    up to date (hash ${v1.metadata.annotations!['kruise.io/sidecarset-hash']})`);
  });

  it('outdated, upgradable in place, when only images changed', async () => {
    const v2 = sidecarSet('agent:2', 'fast');
    assert.equal(await explain(v2), `    outdated (hash ${v1.metadata.annotations!['kruise.io/sidecarset-hash']}, current ${v2.metadata.annotations!['kruise.io/sidecarset-hash']}): only images changed, so it can be upgraded in place`);
  });

  it('outdated, not upgradable in place, naming the fields from the revision it was injected from', async () => {
    const v2 = sidecarSet('agent:2', 'safe');
    const old = v1.metadata.annotations!['kruise.io/sidecarset-hash'];
    const now = v2.metadata.annotations!['kruise.io/sidecarset-hash'];
    assert.equal(await explain(v2, [revision]), `    outdated (hash ${old}, current ${now}): cannot be upgraded in place, because more than images changed: spec.containers[agent].env; recreate the Pod`);
    assert.equal(await explain(v2), `    outdated (hash ${old}, current ${now}): cannot be upgraded in place, because more than images changed (revision web-v1 is not available to tell which fields); recreate the Pod`);
  });
});
