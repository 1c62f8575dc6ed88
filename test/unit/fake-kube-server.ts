// A tiny stand-in for the apiserver's list/watch protocol on 127.0.0.1: paginated lists, chunked
// watch streams of JSON lines, bookmarks, ERROR events, and knobs to misbehave (fail, stay silent,
// cut connections), so the watch cache's recovery paths can be tested without a cluster.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

export interface FakeObject {
  metadata: { name: string; namespace?: string; resourceVersion?: string; [field: string]: unknown };
  [field: string]: unknown;
}

interface Watcher {
  response: http.ServerResponse;
  labelSelector?: string;
}

export interface FakeKubeServer {
  kubeConfig: KubeConfig;
  /** Current objects by 'ns/name'. */
  objects: Map<string, FakeObject>;
  /** Every request path+query received, in order. */
  requests: string[];
  /** Watches open right now, and the most ever open at once. */
  openWatches(): number;
  maxConcurrentWatches(): number;
  /** Store a change and stream it to open watches. */
  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: FakeObject): void;
  /** Change the store without telling watchers (as if the events were compacted away). */
  applySilently(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: FakeObject): void;
  bookmark(): void;
  /** Send an ERROR event carrying a Status with this code to open watches. */
  errorEvent(code: number): void;
  /** Answer the next `count` watch requests with this HTTP status. */
  failWatches(count: number, status: number): void;
  /** Answer the next `count` list requests with this HTTP status. */
  failLists(count: number, status: number): void;
  /** Accept watches but send nothing on them, until turned off. */
  setSilent(silent: boolean): void;
  /** Cut every open watch connection without a clean end. */
  destroyWatches(): void;
  close(): Promise<void>;
}

export async function startFakeKubeServer(options: { listKind?: string; pageSize?: number } = {}): Promise<FakeKubeServer> {
  const objects = new Map<string, FakeObject>();
  const requests: string[] = [];
  const watchers = new Set<Watcher>();
  let resourceVersion = 100;
  let maxWatches = 0;
  let failing = { count: 0, status: 500 };
  let failingLists = { count: 0, status: 500 };
  const fail = (response: http.ServerResponse, status: number): void => {
    response.writeHead(status, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify({ kind: 'Status', status: 'Failure', code: status, message: 'injected failure' }));
  };
  let silent = false;

  const keyOf = (object: FakeObject): string => (object.metadata.namespace ? `${object.metadata.namespace}/${object.metadata.name}` : object.metadata.name);
  const store = (type: string, object: FakeObject): FakeObject => {
    const stamped = structuredClone(object);
    stamped.metadata.resourceVersion = String(++resourceVersion);
    if (type === 'DELETED') objects.delete(keyOf(stamped));
    else objects.set(keyOf(stamped), stamped);
    return stamped;
  };
  const send = (event: unknown): void => {
    if (silent) return;
    for (const watcher of watchers) watcher.response.write(JSON.stringify(event) + '\n');
  };

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    requests.push(url.pathname + url.search);
    if (url.searchParams.get('watch') === 'true') {
      if (failing.count > 0) {
        failing.count--;
        return fail(response, failing.status);
      }
      response.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      response.flushHeaders();
      const watcher = { response };
      watchers.add(watcher);
      maxWatches = Math.max(maxWatches, watchers.size);
      const forget = (): void => {
        watchers.delete(watcher);
      };
      response.on('close', forget);
      request.on('close', forget);
      return;
    }
    if (failingLists.count > 0) {
      failingLists.count--;
      return fail(response, failingLists.status);
    }
    const all = [...objects.values()].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
    const limit = Number(url.searchParams.get('limit') ?? 0) || all.length;
    const pageSize = Math.min(limit, options.pageSize ?? limit);
    const offset = Number(url.searchParams.get('continue') ?? 0);
    const items = all.slice(offset, offset + pageSize);
    const next = offset + pageSize < all.length ? String(offset + pageSize) : undefined;
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify({
      kind: options.listKind ?? 'PodList',
      apiVersion: 'v1',
      metadata: { resourceVersion: String(resourceVersion), ...(next ? { continue: next } : {}) },
      items: items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest),
    }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'fake', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'fake', token: 'fake-token' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
    currentContext: 'fake',
  });

  return {
    kubeConfig,
    objects,
    requests,
    openWatches: () => watchers.size,
    maxConcurrentWatches: () => maxWatches,
    apply: (type, object) => send({ type, object: store(type, object) }),
    applySilently: (type, object) => void store(type, object),
    bookmark: () => send({ type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: String(resourceVersion) } } }),
    errorEvent: (code) => send({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason: code === 410 ? 'Expired' : 'InternalError', message: `error ${code}` } }),
    failWatches: (count, status) => {
      failing = { count, status };
    },
    failLists: (count, status) => {
      failingLists = { count, status };
    },
    setSilent: (value) => {
      silent = value;
    },
    destroyWatches: () => {
      for (const watcher of watchers) watcher.response.socket?.destroy();
    },
    close: async () => {
      for (const watcher of watchers) watcher.response.socket?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
