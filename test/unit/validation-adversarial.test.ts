// Request data must not drive validation into super-linear work: selectors of tens of thousands of
// values compared with each other, a megabyte SidecarSet sent while Pods wait. The bounds are
// generous (seconds) and the old quadratic code needed tens of seconds for the same inputs; the
// figures themselves come from test/bench/adversarial-sidecarset.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { formatFieldError, invalid } from '../../src/field-error.ts';
import { invalidStatus } from '../../webhooks/invalid-status.ts';
import { isSelectorOverlapping } from '../../src/validation/selector-overlap.ts';
import { validateSidecarSet } from '../../src/validation/validate-sidecarset.ts';
import { crowdedSidecarSet, hugeSelector, MiB } from '../support/adversarial-sidecarsets.ts';
import { pod, podReview, sidecarSetReview } from '../support/admission-requests.ts';
import { memoryClusterCaches, namespace } from '../support/memory-caches.ts';
import { startTestWebhookServer, type TestWebhookServer } from '../support/test-webhook-server.ts';
import { context } from './validation-helpers.ts';

// Generous for a loaded CI machine; the quadratic code took 25-30 s on these inputs.
const BOUND_MS = 10_000;

function timed<T>(work: () => T): [T, number] {
  const started = performance.now();
  const result = work();
  return [result, performance.now() - started];
}

describe('adversarial SidecarSets', () => {
  it('compares two 1 MiB selectors in linear time', () => {
    const a = hugeSelector('x', MiB);
    const b = hugeSelector('y', MiB);
    assert.ok(JSON.stringify(a).length >= 0.9 * MiB);
    const [overlapping, elapsed] = timed(() => isSelectorOverlapping(a, b));
    assert.equal(overlapping, false, 'disjoint In values never select the same Pod');
    assert.ok(elapsed < BOUND_MS, `compared in ${elapsed.toFixed(0)} ms`);
  });

  it('refuses selectors past the size limits with field errors', () => {
    const object = crowdedSidecarSet('huge', 'h', 0.01 * MiB, hugeSelector('x', 0.1 * MiB));
    object.spec.selector!.matchLabels = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, 'v']));
    const values = object.spec.selector!.matchExpressions![0].values!.length;
    const errors = validateSidecarSet(object, context()).map(formatFieldError);
    assert.deepEqual(errors.filter((error) => error.includes('Too many')), [
      'spec.selector.matchLabels: Too many: 101: must have at most 100 items',
      `spec.selector.matchExpressions[0].values: Too many: ${values}: must have at most 1000 items`,
      `spec.selector.matchExpressions[1].values: Too many: ${values}: must have at most 1000 items`,
    ]);
  });

  it('shows at most 256 characters of a huge value in a field error, and at most 100 errors in a denial', () => {
    const object = crowdedSidecarSet('huge', 'h', 0.001 * MiB);
    object.spec.containers![0].name = 'X'.repeat(MiB);
    const [message] = validateSidecarSet(object, context()).map(formatFieldError);
    assert.ok(message.length < 1_000, message.slice(0, 300));
    assert.match(message, /^spec\.containers\[0\]\.name: Invalid value: "XXX+\.\.\.\(1048578 characters\)/);
    const status = invalidStatus({ group: 'apps.kruise.io', kind: 'SidecarSet' }, Array.from({ length: 150 }, (_, i) => invalid(`spec.f${i}`, i, 'bad')));
    assert.equal(status.details!.causes!.length, 100);
    assert.match(status.message, /spec\.f99: Invalid value: 99: bad, and 50 more errors\]$/);
  });

  it('checks conflicts between two 1 MiB SidecarSets with thousands of containers and volumes in linear time', () => {
    const self = crowdedSidecarSet('self', 'a', MiB);
    const rival = crowdedSidecarSet('rival', 'b', MiB);
    rival.spec.containers!.push({ ...self.spec.containers![0] });
    const [errors, elapsed] = timed(() => validateSidecarSet(self, context({ others: [rival] })).map(formatFieldError));
    assert.deepEqual(errors, ['spec.containers: Invalid value: "a-0": container a-0 is already injected by SidecarSet rival: its selector app=web overlaps this one\'s app=web']);
    assert.ok(elapsed < BOUND_MS, `judged in ${elapsed.toFixed(0)} ms`);
  });

  describe('over the webhook', () => {
    let t: TestWebhookServer;
    before(async () => {
      // A rival with a 1 MiB selector already in the cluster (from before the limits, or written past the webhook).
      const rival = crowdedSidecarSet('rival', 'r', 0.001 * MiB, hugeSelector('y', MiB));
      t = await startTestWebhookServer({ logLevel: 'error', caches: memoryClusterCaches({ namespaces: [namespace('team-a')], sidecarSets: [rival] }) });
    });
    after(() => t.close());

    it('judges a 1 MiB SidecarSet quickly, and a Pod review sent meanwhile is answered in time', async () => {
      const adversary = crowdedSidecarSet('adversary', 'a', 0.001 * MiB, hugeSelector('x', MiB));
      const body = JSON.stringify(sidecarSetReview(adversary));
      assert.ok(body.length >= MiB);
      const started = performance.now();
      const judged = t.client.post('/validate-apps-kruise-io-v1alpha1-sidecarset', body, { timeoutMs: BOUND_MS }).then((reply) => [reply, performance.now() - started] as const);
      const podReply = await t.client.post('/mutate-pod', podReview(pod('meanwhile'), 'team-a'), { timeoutMs: BOUND_MS });
      const podElapsed = performance.now() - started;
      const [reply, elapsed] = await judged;
      assert.equal(reply.json.response.allowed, false);
      assert.match(reply.json.response.status.message, /spec.selector.matchExpressions\[0\].values: Too many/);
      assert.equal(podReply.status, 200);
      assert.ok(elapsed < BOUND_MS && podElapsed < BOUND_MS, `SidecarSet judged in ${elapsed.toFixed(0)} ms, Pod answered after ${podElapsed.toFixed(0)} ms`);
    });
  });
});
