// The string pool (src/string-pool.ts) and its use by the Pod projection. String identity cannot
// be seen from JavaScript, so sharing and the bound are measured on the heap, with margins far
// wider than the noise: each case differs from its failure by megabytes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { projectPod } from '../../src/pod-projection.ts';
import { createStringPool } from '../../src/string-pool.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
async function heapUsed(): Promise<number> {
  await sleep(10);
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const KB = 1024;
/** A fresh copy of `text`, as JSON.parse would give each Pod. */
const copyOf = (text: string): string => JSON.parse(JSON.stringify(text));

describe('string pool', () => {
  it('returns equal strings and passes undefined through', () => {
    const pool = createStringPool(2);
    assert.equal(pool.intern(copyOf('a')), 'a');
    assert.equal(pool.intern(undefined), undefined);
    for (const value of ['b', 'c', 'd', 'a']) assert.equal(pool.intern(copyOf(value)), value);
  });

  it('keeps one copy of a repeated string', async () => {
    const pool = createStringPool(100);
    const long = 'x'.repeat(4 * KB);
    const before = await heapUsed();
    const held = Array.from({ length: 2_000 }, () => pool.intern(copyOf(long)));
    const grown = (await heapUsed()) - before;
    assert.equal(held.length, 2_000);
    assert.ok(grown < 1_000 * KB, `2,000 pooled copies of a 4 KiB string grew the heap by ${grown} bytes (unpooled: ~8 MiB)`);
  });

  it('stays bounded under a stream of unique strings', async () => {
    const pool = createStringPool(100);
    const before = await heapUsed();
    const filler = 'y'.repeat(KB);
    for (let i = 0; i < 20_000; i++) pool.intern(copyOf(`${i}:${filler}`));
    const grown = (await heapUsed()) - before;
    assert.equal(pool.intern(copyOf('kept alive')), 'kept alive'); // the pool itself must not be collected
    assert.ok(grown < 2_000 * KB, `20,000 unique 1 KiB strings left ${grown} bytes behind (a pool of 100 holds ~100 KiB)`);
  });

  it('lets cached Pods of one workload share their image IDs and annotations', async () => {
    const imageID = `docker-pullable://registry.example.com/team/app@sha256:${'a'.repeat(64)}`;
    const hash = JSON.stringify({ proxy: { updateTimestamp: '2026-12-02T18:00:00Z', hash: 'h'.repeat(2 * KB), sidecarList: ['proxy'] } });
    // Serialised one by one: JSON.stringify gives flat strings, which JSON.parse reads without
    // allocating (a concatenated string would be flattened, on the heap, during the measurement).
    const raws = Array.from({ length: 2_000 }, (_, i) => JSON.stringify({
      metadata: { name: `pod-${i}`, namespace: 'team-payments-production', annotations: { 'kruise.io/sidecarset-hash': hash } },
      spec: { containers: [{ name: 'app', image: 'registry.example.com/team/app:1.2.3' }] },
      status: { containerStatuses: [{ name: 'app', ready: true, imageID }] },
    }));
    const before = await heapUsed();
    const pods = raws.map((text) => projectPod(JSON.parse(text)));
    const perPod = ((await heapUsed()) - before) / pods.length;
    assert.equal(pods[1999].status?.containerStatuses?.[0].imageID, imageID);
    assert.ok(perPod < KB, `${perPod.toFixed(0)} bytes per projected Pod (the annotation alone is 2 KiB unshared)`);
  });
});
