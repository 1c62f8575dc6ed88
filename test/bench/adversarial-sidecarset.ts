// How long validation takes on SidecarSets built to be expensive: two selectors of 0.25-1 MiB
// compared with each other, two SidecarSets of thousands of containers and volumes checked for
// conflicts, and a 1 MiB SidecarSet judged over the webhook while a 1 MiB rival is cached. Prints
// milliseconds; never fails on speed. Target: a 1 MiB adversarial SidecarSet judged in < 100 ms.
//
//   node test/bench/adversarial-sidecarset.ts
import { isSelectorOverlapping } from '../../src/validation/selector-overlap.ts';
import { validateSidecarSet } from '../../src/validation/validate-sidecarset.ts';
import { crowdedSidecarSet, hugeSelector, MiB } from '../support/adversarial-sidecarsets.ts';
import { sidecarSetReview } from '../support/admission-requests.ts';
import { memoryClusterCaches } from '../support/memory-caches.ts';
import { startTestWebhookServer } from '../support/test-webhook-server.ts';

const context = { operation: 'CREATE' as const, revisions: [], allowPatchMetadataWithoutWhitelist: false };

function millis(work: () => unknown): string {
  const started = performance.now();
  work();
  return (performance.now() - started).toFixed(1);
}

for (const size of [0.25, 0.5, 1]) {
  const a = hugeSelector('x', size * MiB);
  const b = hugeSelector('y', size * MiB);
  const self = crowdedSidecarSet('self', 'a', size * MiB);
  const rival = crowdedSidecarSet('rival', 'b', size * MiB);
  console.log(`${size} MiB: selector overlap ${millis(() => isSelectorOverlapping(a, b))} ms; conflict check of ${self.spec.containers!.length} containers ${millis(() => validateSidecarSet(self, { ...context, others: [rival] }))} ms`);
}

const rival = crowdedSidecarSet('rival', 'r', 0.001 * MiB, hugeSelector('y', MiB));
const t = await startTestWebhookServer({ logLevel: 'error', caches: memoryClusterCaches({ sidecarSets: [rival] }) });
const body = JSON.stringify(sidecarSetReview(crowdedSidecarSet('adversary', 'a', 0.001 * MiB, hugeSelector('x', MiB))));
const rounds: number[] = [];
for (let i = 0; i < 5; i++) {
  const started = performance.now();
  await t.client.post('/validate-apps-kruise-io-v1alpha1-sidecarset', body);
  rounds.push(performance.now() - started);
}
console.log(`webhook: ${(body.length / MiB).toFixed(2)} MiB SidecarSet against a 1 MiB cached rival judged in ${rounds.map((ms) => ms.toFixed(0)).join(', ')} ms (TLS, parse, validate, reply)`);
await t.close();
