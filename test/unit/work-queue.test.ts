import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { createWorkQueue, type KeyHandler, type WorkQueue } from '../../controllers/work-queue.ts';
import { recordingLogger } from './recording-logger.ts';

async function until(what: string, condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** A handler whose calls block until released, to control what is in flight. */
function gatedHandler() {
  const calls: string[] = [];
  const gates: (() => void)[] = [];
  let running = 0;
  let maxRunning = 0;
  const handler: KeyHandler = async (key) => {
    calls.push(key);
    running++;
    maxRunning = Math.max(maxRunning, running);
    await new Promise<void>((resolve) => gates.push(resolve));
    running--;
  };
  return {
    handler,
    calls,
    releaseAll: () => gates.splice(0).forEach((release) => release()),
    maxRunning: () => maxRunning,
    running: () => running,
  };
}

const make = (handler: KeyHandler, extra: { workers?: number; onDepth?: (d: number) => void } = {}): WorkQueue =>
  createWorkQueue({ handler, logger: recordingLogger(), backoff: { baseMs: 20, maxMs: 200, jitter: 0 }, ...extra });

describe('work queue', () => {
  it('de-duplicates keys waiting to be processed', async () => {
    const gate = gatedHandler();
    let depth = 0;
    const queue = make(gate.handler, { workers: 1, onDepth: (d) => (depth = d) });
    queue.add('blocker');
    for (let i = 0; i < 10; i++) queue.add('a');
    queue.add('b');
    queue.add('a');
    assert.equal(depth, 2);
    while (gate.calls.length < 3) {
      gate.releaseAll();
      await sleep(5);
    }
    gate.releaseAll();
    await queue.shutdown();
    assert.deepEqual(gate.calls, ['blocker', 'a', 'b']);
  });

  it('processes a key added during its processing once more afterwards, never concurrently', async () => {
    const gate = gatedHandler();
    const queue = make(gate.handler, { workers: 3 });
    queue.add('a');
    await until('a started', () => gate.calls.length === 1);
    queue.add('a');
    queue.add('a');
    assert.equal(gate.calls.length, 1, 'not started twice at once');
    gate.releaseAll();
    await until('a again', () => gate.calls.length === 2);
    gate.releaseAll();
    await queue.shutdown();
    assert.deepEqual(gate.calls, ['a', 'a']);
    assert.equal(gate.maxRunning(), 1);
  });

  it('bounds concurrency by the number of workers', async () => {
    const gate = gatedHandler();
    const depths: number[] = [];
    const queue = make(gate.handler, { workers: 3, onDepth: (d) => depths.push(d) });
    for (const key of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) queue.add(key);
    await until('three running', () => gate.calls.length === 3);
    assert.equal(gate.running(), 3);
    assert.equal(depths.at(-1), 4);
    while (gate.calls.length < 7) {
      gate.releaseAll();
      await sleep(5);
    }
    gate.releaseAll();
    await queue.shutdown();
    assert.equal(gate.maxRunning(), 3);
    assert.equal(depths.at(-1), 0);
  });

  it('retries failures with growing per-key backoff, and forgets after a success', async () => {
    const times: number[] = [];
    let failuresLeft = 3;
    const logger = recordingLogger();
    const queue = createWorkQueue({
      logger,
      backoff: { baseMs: 40, maxMs: 1000, jitter: 0 },
      handler: async () => {
        times.push(Date.now());
        if (failuresLeft-- > 0) throw new Error('try again');
      },
    });
    queue.add('k');
    await until('four attempts', () => times.length === 4);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    assert.ok(gaps[0] >= 35 && gaps[1] >= 75 && gaps[2] >= 155, `exponential gaps, got ${gaps}`);
    assert.equal(logger.lines.filter((l) => l.msg === 'processing failed, will retry').length, 3);
    // After the success the failure count is forgotten: the next failure waits the base delay again.
    failuresLeft = 1;
    const before = times.length;
    queue.add('k');
    await until('two more attempts', () => times.length === before + 2);
    const gap = times.at(-1)! - times.at(-2)!;
    assert.ok(gap < 120, `base delay after forget, got ${gap}`);
    await queue.shutdown();
  });

  it('honours requeueAfterMs and delayed adds (earliest wins)', async () => {
    const calls: [string, number][] = [];
    const start = Date.now();
    let first = true;
    const queue = make(async (key) => {
      calls.push([key, Date.now() - start]);
      if (key === 'r' && first) {
        first = false;
        return { requeueAfterMs: 50 };
      }
    });
    queue.add('r');
    queue.addAfter('d', 300);
    queue.addAfter('d', 60); // earlier: replaces
    queue.addAfter('d', 500); // later: ignored
    await until('three calls', () => calls.length === 3);
    await sleep(550);
    assert.deepEqual(calls.map(([key]) => key).sort(), ['d', 'r', 'r']);
    const d = calls.find(([key]) => key === 'd')!;
    assert.ok(d[1] >= 55 && d[1] < 290, `delayed add fired at ${d[1]}`);
    await queue.shutdown();
  });

  it('shutdown drains queued keys by default', async () => {
    const gate = gatedHandler();
    const queue = make(gate.handler, { workers: 1 });
    queue.add('a');
    queue.add('b');
    queue.addAfter('late', 10);
    const done = queue.shutdown();
    queue.add('ignored');
    let finished = false;
    void done.then(() => (finished = true));
    while (!finished) {
      gate.releaseAll();
      await sleep(5);
    }
    await sleep(30);
    assert.deepEqual(gate.calls, ['a', 'b']);
  });

  it('shutdown without drain drops queued keys and aborts in-flight handlers', async () => {
    const calls: string[] = [];
    let sawAbort = false;
    const queue = make(async (key, signal) => {
      calls.push(key);
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      sawAbort = signal.aborted;
    }, { workers: 1 });
    queue.add('a');
    queue.add('b');
    await until('a started', () => calls.length === 1);
    await queue.shutdown({ drain: false });
    assert.deepEqual(calls, ['a']);
    assert.equal(sawAbort, true);
  });
});
