// The heap share of `serve`: 60 % of the container's memory limit, unless told otherwise.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heapSizeFlag } from '../../src/operator/heap-size.ts';

const MiB = 1024 * 1024;
const MACHINE = 24 * 1024 * MiB;

describe('heapSizeFlag', () => {
  it('sizes the heap to 60 % of a cgroup memory limit', () => {
    assert.equal(heapSizeFlag(512 * MiB, MACHINE, [], undefined), '--max-old-space-size=307');
  });

  it('adds nothing without a limit (Node reports a huge number, or the machine size)', () => {
    assert.equal(heapSizeFlag(2 ** 64, MACHINE, [], undefined), undefined);
    assert.equal(heapSizeFlag(MACHINE, MACHINE, [], undefined), undefined);
    assert.equal(heapSizeFlag(0, MACHINE, [], undefined), undefined);
  });

  it('keeps a size it was told, on the command line or in NODE_OPTIONS', () => {
    assert.equal(heapSizeFlag(512 * MiB, MACHINE, ['--max-old-space-size=200'], undefined), undefined);
    assert.equal(heapSizeFlag(512 * MiB, MACHINE, [], '--enable-source-maps --max-old-space-size=300'), undefined);
    assert.equal(heapSizeFlag(512 * MiB, MACHINE, [], '--max_old_space_size=300'), undefined);
  });
});
