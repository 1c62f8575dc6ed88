import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createControllerMetrics } from '../../controllers/metrics.ts';
import { createWatchCache, type WatchCache, type WatchCacheOptions } from '../../src/kube/watch-cache.ts';
import { startFakeKubeServer, type FakeKubeServer, type FakeObject } from './fake-kube-server.ts';
import { recordingLogger, type RecordingLogger } from './recording-logger.ts';

const pod = (name: string, extra: Record<string, unknown> = {}): FakeObject => ({
  metadata: { name, namespace: 'ns', creationTimestamp: '2026-01-02T03:04:05Z', labels: { app: name } },
  ...extra,
});

async function until(what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('watch cache', () => {
  let server: FakeKubeServer;
  let logger: RecordingLogger;
  let registry: Registry;
  let cache: WatchCache<any> | undefined;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };

  beforeEach(async () => {
    server = await startFakeKubeServer({ pageSize: 2 });
    logger = recordingLogger();
    registry = new Registry();
    process.on('unhandledRejection', onUnhandled);
  });

  afterEach(async () => {
    await cache?.stop();
    cache = undefined;
    await server.close();
    process.off('unhandledRejection', onUnhandled);
    assert.deepEqual(unhandled, [], 'no unhandled rejection');
    assert.ok(server.maxConcurrentWatches() <= 1, `never two concurrent watches (saw ${server.maxConcurrentWatches()})`);
  });

  const make = (extra: Partial<WatchCacheOptions<any>> = {}): WatchCache<any> => {
    cache = createWatchCache({
      name: 'pods',
      kubeConfig: server.kubeConfig,
      path: '/api/v1/pods',
      logger,
      metrics: createControllerMetrics(registry).watch,
      backoff: { baseMs: 20, maxMs: 100 },
      ...extra,
    });
    return cache;
  };
  const restartLines = (reason: string) => logger.lines.filter((line) => line.msg === 'watch restarted' && line.reason === reason);
  const metricValue = async (name: string, labels: Record<string, string>): Promise<number> => {
    const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
    const value = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
    return value?.value ?? 0;
  };

  it('lists every page, then follows add/update/delete events, as plain JSON', async () => {
    for (const name of ['a', 'b', 'c']) server.applySilently('ADDED', pod(name));
    const c = make();
    const seen: string[] = [];
    c.on('add', (obj) => seen.push(`add ${obj.metadata.name}`));
    c.on('update', (obj, old) => seen.push(`update ${obj.metadata.name} ${old?.metadata.labels.app}->${obj.metadata.labels.app}`));
    c.on('delete', (obj) => seen.push(`delete ${obj.metadata.name}`));
    c.start();
    c.start(); // idempotent
    await c.waitForSync();
    assert.equal(c.synced(), true);
    assert.deepEqual(c.list().map((p) => p.metadata.name).sort(), ['a', 'b', 'c']);
    assert.ok(server.requests.some((r) => r.includes('continue=2')), 'paginated');
    const listed = c.get('ns/a');
    assert.equal(listed.kind, 'Pod', 'list items get their kind back');
    assert.equal(typeof listed.metadata.creationTimestamp, 'string', 'timestamps stay strings');

    await until('watch open', () => server.openWatches() === 1);
    const watchRequest = server.requests.find((r) => r.includes('watch=true'))!;
    assert.match(watchRequest, /allowWatchBookmarks=true/);
    assert.match(watchRequest, /resourceVersion=103/);
    server.apply('ADDED', pod('d'));
    server.apply('MODIFIED', pod('a', { metadata: { name: 'a', namespace: 'ns', labels: { app: 'z' } } }));
    server.apply('DELETED', pod('b'));
    await until('events applied', () => seen.length === 6);
    assert.deepEqual(seen, ['add a', 'add b', 'add c', 'add d', 'update a a->z', 'delete b']);
    assert.equal(c.get('ns/b'), undefined);
    assert.equal(await metricValue('sidecarset_watch_objects', { cache: 'pods' }), 3);
    assert.equal(await metricValue('sidecarset_watch_synced', { cache: 'pods' }), 1);
  });

  it('applies the projection to listed and watched objects', async () => {
    server.applySilently('ADDED', pod('a'));
    const c = make({ project: (raw) => ({ metadata: { name: raw.metadata.name } }) });
    c.start();
    await c.waitForSync();
    await until('watch open', () => server.openWatches() === 1);
    server.apply('ADDED', pod('b'));
    await until('b', () => c.get('ns/b') !== undefined);
    assert.deepEqual(c.get('ns/a'), { metadata: { name: 'a' } });
    assert.deepEqual(c.get('ns/b'), { metadata: { name: 'b' } });
  });

  it('refresh() lists afresh and resolves once the store holds what the apiserver held at the call', async () => {
    server.applySilently('ADDED', pod('a'));
    const c = make();
    c.start();
    await c.waitForSync();
    await until('watch open', () => server.openWatches() === 1);
    const listsBefore = server.requests.filter((r) => !r.includes('watch=true')).length;
    server.applySilently('ADDED', pod('written-elsewhere')); // a write the watch never delivers
    assert.equal(c.get('ns/written-elsewhere'), undefined);
    await c.refresh();
    assert.ok(c.get('ns/written-elsewhere'), 'the refreshed store shows it');
    assert.equal(server.requests.filter((r) => !r.includes('watch=true')).length, listsBefore + 1, 'one more list');
    assert.equal(restartLines('error').length, 0, 'a refresh is not a watch failure');
    await until('watch reopened', () => server.openWatches() === 1);
  });

  it('restarts with backoff after watch errors, and catches up', async () => {
    server.failWatches(3, 500);
    const c = make();
    c.start();
    await c.waitForSync();
    await until('watch open after failures', () => server.openWatches() === 1);
    assert.equal(restartLines('error').length, 3);
    assert.equal(await metricValue('sidecarset_watch_restarts_total', { cache: 'pods', reason: 'error' }), 3);
    assert.equal(c.state().restarts, 3);
    server.apply('ADDED', pod('late'));
    await until('late event', () => c.get('ns/late') !== undefined);
    assert.equal(c.state().lastError, undefined, 'a working watch clears the error');
  });

  it('restarts a watch whose connection is cut', async () => {
    const c = make();
    c.start();
    await c.waitForSync();
    await until('watch open', () => server.openWatches() === 1);
    server.destroyWatches();
    await until('watch reopened', () => restartLines('unreachable').length === 1 && server.openWatches() === 1);
    server.apply('ADDED', pod('after-cut'));
    await until('event after cut', () => c.get('ns/after-cut') !== undefined);
  });

  it('restarts a silent watch (watchdog), but not one that receives bookmarks', async () => {
    const c = make({ inactivityTimeoutMs: 300 });
    c.start();
    await c.waitForSync();
    await until('watch open', () => server.openWatches() === 1);
    for (let i = 0; i < 6; i++) {
      await sleep(100);
      server.bookmark();
    }
    assert.equal(restartLines('inactivity').length, 0, 'bookmarks keep the watch alive');

    server.setSilent(true);
    await until('watchdog fired', () => restartLines('inactivity').length >= 1);
    assert.equal(await metricValue('sidecarset_watch_restarts_total', { cache: 'pods', reason: 'inactivity' }) >= 1, true);
    server.setSilent(false);
    await until('watch reopened', () => server.openWatches() === 1);
    server.apply('ADDED', pod('after-silence'));
    await until('event after silence', () => c.get('ns/after-silence') !== undefined);
  });

  it('relists at once on a 410 Gone HTTP answer, to a LIST page or a WATCH, without backing off', async () => {
    const c = make({ backoff: { baseMs: 20_000, maxMs: 30_000 } });
    server.failLists(1, 410);
    const started = Date.now();
    c.start();
    await c.waitForSync();
    assert.ok(Date.now() - started < 5_000, `synced ${Date.now() - started} ms after a 410 list (backoff would wait 20 s)`);
    await until('watch open', () => server.openWatches() === 1);
    server.failWatches(1, 410);
    server.destroyWatches();
    const lists = server.requests.filter((r) => !r.includes('watch=true')).length;
    const cutAt = Date.now();
    await until('relisted and watching', () => server.requests.filter((r) => !r.includes('watch=true')).length > lists && server.openWatches() === 1, 10_000);
    assert.ok(Date.now() - cutAt < 5_000, `relisted ${Date.now() - cutAt} ms after a 410 watch (backoff would wait 20 s)`);
    assert.equal(restartLines('gone').length, 2);
    assert.deepEqual(restartLines('gone').map((line) => line.delayMs), [0, 0]);
  });

  it('starts backing off afresh once the apiserver answers, and retries an unreachable one at least every second', async () => {
    const c = make({ backoff: { baseMs: 400, maxMs: 30_000, jitter: 0 } });
    server.failWatches(3, 500); // 400, 800, 1600 ms
    c.start();
    await c.waitForSync();
    await until('watch open after failures', () => server.openWatches() === 1, 10_000);
    assert.deepEqual(restartLines('error').map((line) => line.delayMs), [400, 800, 1600]);
    server.destroyWatches(); // the first failure after a successful connect
    await until('watch reopened', () => restartLines('unreachable').length === 1 && server.openWatches() === 1);
    const delayMs = Number(restartLines('unreachable')[0].delayMs);
    assert.ok(delayMs <= 120, `retried after ${delayMs} ms, not 3.2 s`);
  });

  it('is stale once nothing was heard from the apiserver for staleAfterMs, and fresh again when it answers', async () => {
    const c = make({ inactivityTimeoutMs: 200, staleAfterMs: 400, backoff: { baseMs: 50, maxMs: 50 } });
    c.start();
    await c.waitForSync();
    await until('watch open', () => server.openWatches() === 1);
    assert.equal(c.stale(), false);
    server.failWatches(1_000, 503);
    server.setSilent(true);
    await until('stale', () => c.stale(), 3_000);
    assert.equal(c.state().stale, true);
    assert.equal(c.synced(), true, 'still readable');
    server.failWatches(0, 503);
    server.setSilent(false);
    await until('fresh again', () => !c.stale(), 3_000);
  });

  it('relists on 410 Gone and emits deletes for objects that vanished meanwhile', async () => {
    for (const name of ['keep', 'vanish']) server.applySilently('ADDED', pod(name));
    const c = make();
    const deleted: string[] = [];
    const added: string[] = [];
    c.on('delete', (obj) => deleted.push(obj.metadata.name));
    c.on('add', (obj) => added.push(obj.metadata.name));
    c.start();
    await c.waitForSync();
    await until('watch open', () => server.openWatches() === 1);
    server.applySilently('DELETED', pod('vanish'));
    server.applySilently('ADDED', pod('appeared'));
    const listsBefore = server.requests.filter((r) => !r.includes('watch=true')).length;
    server.errorEvent(410);
    await until('relisted', () => deleted.includes('vanish') && added.includes('appeared'));
    assert.equal(restartLines('gone').length, 1);
    assert.ok(server.requests.filter((r) => !r.includes('watch=true')).length > listsBefore);
    assert.deepEqual(c.list().map((p) => p.metadata.name).sort(), ['appeared', 'keep']);
    assert.equal(c.synced(), true);
  });

  it('contains handler exceptions and rejections; other handlers still run', async () => {
    const c = make();
    const seen: string[] = [];
    c.on('add', () => {
      throw new Error('boom');
    });
    c.on('add', (async () => {
      throw new Error('async boom');
    }) as (obj: unknown) => void);
    c.on('add', (obj) => seen.push(obj.metadata.name));
    c.start();
    await c.waitForSync();
    await until('watch open', () => server.openWatches() === 1);
    server.apply('ADDED', pod('x'));
    server.apply('ADDED', pod('y'));
    await until('both seen', () => seen.length === 2);
    await sleep(20);
    const failures = logger.lines.filter((line) => line.msg === 'watch handler failed');
    assert.equal(failures.length, 4);
    assert.deepEqual(new Set(failures.map((f) => (f.err as { message: string }).message)), new Set(['boom', 'async boom']));
    assert.equal(server.openWatches(), 1, 'the watch itself was not disturbed');
  });

  it('waitForSync honours an abort signal, and stop() ends the watch', async () => {
    server.failWatches(0, 500);
    const c = make({ path: '/api/v1/pods' });
    const aborted = AbortSignal.abort(new Error('gave up'));
    await assert.rejects(c.waitForSync(aborted), /gave up/);
    c.start();
    await c.waitForSync(AbortSignal.timeout(2000));
    await until('watch open', () => server.openWatches() === 1);
    await c.stop();
    await until('watch closed', () => server.openWatches() === 0);
    assert.equal(restartLines('error').length + restartLines('closed').length, 0, 'stopping is not a restart');
  });
});
