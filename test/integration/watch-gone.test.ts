// 410 Gone from a real kube-apiserver, made by compacting etcd (its JSON gRPC gateway on the
// client URL): a paginated LIST whose continue token predates the compaction, and a WATCH from a
// resourceVersion older than it. Run against the apiserver with and without its watch cache: with
// it (the default) the apiserver serves both from memory and never says 410 for a compaction (the
// continue pages come from its snapshot, the watch replays its event buffer); without it both go
// to etcd and answer 410 (the LIST as HTTP 410, the WATCH as a 200 stream whose first event is an
// ERROR with code 410). The unit tests cover the same paths on a fake server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { createWatchMetrics } from '../../src/kube/cache-metrics.ts';
import { KubeApiError, openRequest, requestJson } from '../../src/kube/kube-http.ts';
import { createWatchCache, type WatchCache } from '../../src/kube/watch-cache.ts';
import { SKIP_REASON, binariesAvailable, startControlPlane, waitFor, type ControlPlane } from '../control-plane/harness.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { recordingLogger } from '../unit/recording-logger.ts';

interface ConfigMap {
  metadata: { name: string; resourceVersion: string };
}

interface ConfigMapList {
  metadata: { resourceVersion: string; continue?: string };
  items: ConfigMap[];
}

/** Compacts etcd at its current revision (physically: old revisions are gone when it returns). */
async function compactEtcd(etcdUrl: string): Promise<number> {
  const post = async (path: string, body: unknown): Promise<any> => {
    const response = await fetch(etcdUrl + path, { method: 'POST', body: JSON.stringify(body) });
    assert.equal(response.status, 200, `${path}: ${await response.clone().text()}`);
    return response.json();
  };
  const revision = Number((await post('/v3/kv/range', { key: 'AA==' })).header.revision);
  await post('/v3/kv/compaction', { revision: String(revision), physical: true });
  return revision;
}

/** What the apiserver answers a watch from `resourceVersion`: an HTTP error, or a 200 stream and its first event. */
async function watchAnswer(kc: KubeConfig, path: string, resourceVersion: string): Promise<{ httpStatus: number; event?: { type: string; object: { code?: number; message?: string } } }> {
  const abort = new AbortController();
  try {
    const response = await openRequest(kc, { path, query: { watch: 'true', resourceVersion }, signal: abort.signal });
    response.setEncoding('utf8');
    let text = '';
    for await (const chunk of response as AsyncIterable<string>) {
      text += chunk;
      if (text.includes('\n')) break;
    }
    return { httpStatus: response.statusCode ?? 0, event: JSON.parse(text.slice(0, text.indexOf('\n'))) };
  } catch (err) {
    if (err instanceof KubeApiError) return { httpStatus: err.statusCode };
    throw err;
  } finally {
    abort.abort();
  }
}

for (const watchCache of [true, false]) {
  const gone = !watchCache; // only etcd itself forgets compacted revisions
  describe(`410 Gone from a real kube-apiserver (apiserver watch cache ${watchCache ? 'on' : 'off'})`, { skip: binariesAvailable() ? false : SKIP_REASON, timeout: 180_000 }, () => {
    let cp: ControlPlane;
    let kc: KubeConfig;
    let proxy: TcpProxy;
    let namespace: string;
    let configMaps: string;
    const caches: WatchCache<ConfigMap>[] = [];

    const create = (name: string): Promise<ConfigMap> =>
      requestJson(kc, { method: 'POST', path: configMaps, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { name } } });
    const remove = (name: string): Promise<unknown> => requestJson(kc, { method: 'DELETE', path: `${configMaps}/${name}` });
    const trueNames = async (): Promise<string[]> => (await requestJson<ConfigMapList>(kc, { path: configMaps })).items.map((cm) => cm.metadata.name).sort();

    before(async () => {
      cp = await startControlPlane({ handleSignals: false, quiet: true, extraApiserverArgs: [`--watch-cache=${watchCache}`] });
      kc = cp.kubeConfig;
      namespace = await cp.createNamespace({ prefix: 'gone' });
      configMaps = `/api/v1/namespaces/${namespace}/configmaps`;
      proxy = await startTcpProxy(Number(new URL(cp.server).port));
    });

    after(async () => {
      for (const cache of caches) await cache.stop();
      await proxy?.close();
      await cp?.stop();
    });

    it(`answers ${gone ? '410' : 'from its snapshot'} to a LIST continue token that predates an etcd compaction`, async (t) => {
      for (let i = 0; i < 4; i++) await create(`page-${i}`);
      const first = await requestJson<ConfigMapList>(kc, { path: configMaps, query: { limit: '2' } });
      assert.equal(first.items.length, 2);
      assert.ok(first.metadata.continue, 'a first page of 2 out of 4 has a continue token');
      await create('page-after-first');
      const compactedAt = await compactEtcd(cp.etcdUrl);
      assert.ok(compactedAt > Number(first.metadata.resourceVersion), 'the compaction is past the first page');

      const failure = await requestJson<ConfigMapList>(kc, { path: configMaps, query: { limit: '2', continue: first.metadata.continue } }).then(
        (rest) => rest,
        (err: unknown) => err,
      );
      if (!gone) {
        assert.ok(!(failure instanceof Error), `the apiserver's cache failed the continue: ${failure}`);
        const rest = failure as ConfigMapList;
        t.diagnostic(`LIST continue after compaction: HTTP 200, ${rest.items.length} items as of the first page`);
        // The same consistent snapshot as the first page: the object created after it is not there.
        assert.deepEqual(rest.items.map((cm) => cm.metadata.name), ['page-2', 'page-3']);
        return;
      }
      assert.ok(failure instanceof KubeApiError, `the continue after the compaction succeeded: ${JSON.stringify(failure)}`);
      t.diagnostic(`LIST continue after compaction: HTTP ${failure.statusCode} ${failure.reason}: ${failure.message}`);
      assert.equal(failure.statusCode, 410);
      assert.equal(failure.reason, 'Expired');
      assert.match(failure.message, /continue parameter is too old/);
    });

    it(`${gone ? 'relists at once after' : 'follows the replayed events of'} a WATCH from a resourceVersion older than the compaction, and converges`, async (t) => {
      const registry = new Registry();
      const logger = recordingLogger();
      const cache = createWatchCache<ConfigMap>({
        name: 'configmaps',
        kubeConfig: proxy.kubeConfigVia(kc),
        path: configMaps,
        logger,
        metrics: createWatchMetrics(registry),
        pageSize: 2,
        unreachableBackoff: { baseMs: 50, maxMs: 200 },
      });
      caches.push(cache);
      const deleted: string[] = [];
      cache.on('delete', (cm) => deleted.push(cm.metadata.name));
      cache.start();
      await cache.waitForSync();
      const staleResourceVersion = (await requestJson<ConfigMapList>(kc, { path: configMaps, query: { limit: '1' } })).metadata.resourceVersion;
      assert.deepEqual(cache.list().map((cm) => cm.metadata.name).sort(), await trueNames());

      // The fault: the cache cannot reach the apiserver while objects come and go and etcd is
      // compacted, so it comes back with a resourceVersion the apiserver no longer has.
      const restartsBefore = cache.state().restarts;
      proxy.setDown(true);
      await remove('page-0');
      await remove('page-after-first');
      for (let i = 0; i < 3; i++) await create(`during-fault-${i}`);
      await compactEtcd(cp.etcdUrl);
      const answer = await watchAnswer(kc, configMaps, staleResourceVersion);
      t.diagnostic(`WATCH from ${staleResourceVersion} after compaction: HTTP ${answer.httpStatus}${answer.event ? `, first event ${answer.event.type} code ${answer.event.object.code}: ${answer.event.object.message}` : ''}`);
      assert.equal(answer.httpStatus, 200, 'a watch error comes as an event, after the 200');
      if (gone) assert.deepEqual([answer.event?.type, answer.event?.object.code], ['ERROR', 410]);
      else assert.deepEqual([answer.event?.type, (answer.event?.object as ConfigMap).metadata.name], ['DELETED', 'page-0'], 'the apiserver cache replays the first event after the old resourceVersion');
      proxy.setDown(false);

      const goneRestarts = async (): Promise<number> =>
        ((await registry.getMetricsAsJSON()).find((m) => m.name === 'sidecarset_watch_restarts_total')?.values ?? [])
          .filter((v) => v.labels.reason === 'gone')
          .reduce((sum, v) => sum + v.value, 0);
      const expected = await trueNames();
      await waitFor('the cache holds the true set after the 410', async () => JSON.stringify(cache.list().map((cm) => cm.metadata.name).sort()) === JSON.stringify(expected), { timeoutMs: 20_000 });
      assert.ok(cache.state().restarts > restartsBefore, 'the fault restarted the watch');
      assert.deepEqual(deleted.sort(), ['page-0', 'page-after-first'], 'each deletion during the fault reached the handlers once');
      const goneLines = logger.lines.filter((line) => line.msg === 'watch restarted' && line.reason === 'gone');
      if (!gone) {
        assert.equal(await goneRestarts(), 0);
        assert.equal(goneLines.length, 0);
        return;
      }
      await waitFor('a restart for 410 Gone counted', async () => (await goneRestarts()) >= 1, { timeoutMs: 5_000 });
      // It relisted at once: no restart after the 410 waited.
      assert.deepEqual(goneLines.map((line) => line.delayMs), [0]);
      assert.ok(logger.lines.some((line) => line.msg === 'listed' && line.objects === expected.length), 'a relist produced the true set');
    });
  });
}
