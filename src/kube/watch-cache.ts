// A list+watch cache of one resource, shared by the webhooks and the controller.
//
// Written instead of client-node's informer because that one stops for good on most errors,
// can sit forever on a dead connection, hands out Date objects and lets a throwing handler crash
// the process. Here one loop per cache lists (paginated), then watches from the list's
// resourceVersion with bookmarks; every way a watch can end leads back into the loop:
//   - the server closes it (timeoutSeconds elapsed)        -> watch again at once;
//   - 410 Gone (our resourceVersion is too old), on the watch or on a list page -> relist at once,
//     emitting deletes for vanished objects;
//   - nothing received (no event, no bookmark) for 75 s    -> abort and watch again (the apiserver
//     sends a bookmark about every minute, so a healthy watch is never that silent);
//   - the apiserver unreachable (refused, reset, timed out) -> retry every second at most: it has
//     nothing to overload, and the cache must catch up as soon as it is back;
//   - an HTTP error (5xx, 429, ...)                        -> retry with exponential backoff and jitter.
// A successful connect (a list page, a watch's response headers) resets the backoff. The cache
// stays readable while it recovers, but says how fresh it is: stale() is true once nothing was
// heard from the apiserver for `staleAfterMs`, and the webhooks then refuse to judge from it.
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { backoffDelay, type BackoffOptions } from './backoff.ts';
import { isGone, openRequest, requestJson, statusCodeOf, statusError } from './kube-http.ts';
import { errorFields, type Logger } from './logger.ts';
import type { WatchMetrics } from './cache-metrics.ts';

export interface WatchCacheOptions<T> {
  name: string;
  kubeConfig: KubeConfig;
  /** List path, e.g. '/api/v1/pods', '/apis/apps.kruise.io/v1alpha1/sidecarsets', '/apis/apps/v1/namespaces/<ns>/controllerrevisions'. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Keeps only the fields consumers need; receives plain JSON. Default: the object as served. */
  project?: (raw: any) => T;
  logger: Logger;
  metrics?: WatchMetrics;
  /** Restart a watch that delivered nothing (no event, no bookmark) for this long. Default 75 s. */
  inactivityTimeoutMs?: number;
  /** stale() once nothing was heard from the apiserver for this long. Default inactivity timeout + 15 s. */
  staleAfterMs?: number;
  /** Retry delays after HTTP errors. Default 250 ms doubling to 30 s, ±20 %. */
  backoff?: BackoffOptions;
  /** Retry delays while the apiserver is unreachable. Default 100 ms doubling to 1 s, ±20 %. */
  unreachableBackoff?: BackoffOptions;
  /** Objects per list page. Default 500. */
  pageSize?: number;
  /** Server-side watch duration, drawn in [min, 2*min). Default 300 s, like client-go. */
  minWatchTimeoutSeconds?: number;
  /** What a 404 on `path` means and what to do about it (a CRD not installed): logged as an error and kept as lastError. */
  notFound?: string;
}

export type WatchEventName = 'add' | 'update' | 'delete';

export interface WatchCacheState {
  synced: boolean;
  /** Nothing heard from the apiserver for longer than the cache's limit. */
  stale: boolean;
  restarts: number;
  lastEventAt?: number;
  /** Last list page, watch connect, event or bookmark. */
  lastHeardAt?: number;
  lastError?: string;
}

export interface WatchCache<T> {
  start(): void;
  stop(): Promise<void>;
  synced(): boolean;
  /** Synced once, but nothing heard from the apiserver for longer than the limit: do not trust it. */
  stale(): boolean;
  waitForSync(signal?: AbortSignal): Promise<void>;
  /**
   * Lists afresh (a consistent read) and resolves once the store holds that list: afterwards the cache
   * shows every write made before the call, e.g. the previous leader's.
   */
  refresh(signal?: AbortSignal): Promise<void>;
  list(): T[];
  /** By 'namespace/name', or 'name' for cluster-scoped objects. */
  get(key: string): T | undefined;
  /** Handlers run synchronously in event order; what they throw (or reject) is logged, never propagated. */
  on(event: WatchEventName, handler: (obj: T, old?: T) => void): void;
  state(): WatchCacheState;
}

export function createWatchCache<T>(options: WatchCacheOptions<T>): WatchCache<T> {
  return new ListWatchCache(options);
}

/** The key an object is cached under. */
export function objectKey(raw: { metadata?: { name?: string; namespace?: string } }): string {
  const { name = '', namespace } = raw.metadata ?? {};
  return namespace ? `${namespace}/${name}` : name;
}

const DEFAULT_INACTIVITY_MS = 75_000;
const STALE_MARGIN_MS = 15_000;
const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 30_000 };
const DEFAULT_UNREACHABLE_BACKOFF: BackoffOptions = { baseMs: 100, maxMs: 1_000 };
/** TCP keep-alive probes on watch connections start after this much silence. */
const TCP_KEEPALIVE_DELAY_MS = 15_000;
const LIST_TIMEOUT_MS = 60_000;
/** The same failure is logged again only after this long (at debug level in between). */
const REPEAT_LOG_MS = 60_000;

interface Entry<T> {
  object: T;
  resourceVersion: string;
}

interface WatchEvent {
  type: string;
  object: any;
}

class InactivityError extends Error {}

type Outcome = 'closed' | 'gone' | 'inactivity' | 'unreachable' | 'error';

/** No HTTP answer at all: refused, reset, timed out, DNS. */
const isUnreachable = (err: unknown): boolean => statusCodeOf(err) === undefined;

class ListWatchCache<T> implements WatchCache<T> {
  readonly #options: WatchCacheOptions<T>;
  readonly #log: Logger;
  readonly #project: (raw: any) => T;
  readonly #handlers: Record<WatchEventName, ((obj: T, old?: T) => void)[]> = { add: [], update: [], delete: [] };
  #store = new Map<string, Entry<T>>();
  #resourceVersion: string | undefined;
  #synced = false;
  #syncWaiters = new Set<() => void>();
  #refreshWaiters: (() => void)[] = [];
  #restarts = 0;
  #lastEventAt: number | undefined;
  #lastHeardAt: number | undefined;
  /** Watch chunks received so far: tells a watch that delivered something from one that did not. */
  #chunksReceived = 0;
  #lastError: string | undefined;
  #lastLogged: { message: string; at: number } | undefined;
  #loop: Promise<void> | undefined;
  #abort: AbortController | undefined;
  #stopped = true;

  constructor(options: WatchCacheOptions<T>) {
    this.#options = options;
    this.#log = options.logger.child({ cache: options.name });
    this.#project = options.project ?? ((raw) => raw as T);
    options.metrics?.synced.set({ cache: options.name }, 0);
  }

  start(): void {
    if (this.#loop) return; // one loop, hence never two concurrent watches
    this.#stopped = false;
    this.#loop = this.#run().catch((err) => this.#log.error(errorFields(err), 'watch loop failed'));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort?.abort();
    await this.#loop;
    this.#loop = undefined;
  }

  synced(): boolean {
    return this.#synced;
  }

  stale(): boolean {
    const inactivityMs = this.#options.inactivityTimeoutMs ?? DEFAULT_INACTIVITY_MS;
    const limit = this.#options.staleAfterMs ?? inactivityMs + STALE_MARGIN_MS;
    return this.#synced && this.#lastHeardAt !== undefined && Date.now() - this.#lastHeardAt > limit;
  }

  #heard(): void {
    this.#lastHeardAt = Date.now();
  }

  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.#synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.#syncWaiters.delete(done);
        reject(signal?.reason ?? new Error('aborted'));
      };
      const done = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#syncWaiters.add(done);
    });
  }

  refresh(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(signal?.reason ?? new Error('aborted'));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#refreshWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      this.#resourceVersion = undefined; // the loop relists before it watches again
      this.#abort?.abort();
    });
  }

  list(): T[] {
    return Array.from(this.#store.values(), (entry) => entry.object);
  }

  get(key: string): T | undefined {
    return this.#store.get(key)?.object;
  }

  on(event: WatchEventName, handler: (obj: T, old?: T) => void): void {
    this.#handlers[event].push(handler);
  }

  state(): WatchCacheState {
    return { synced: this.#synced, stale: this.stale(), restarts: this.#restarts, lastEventAt: this.#lastEventAt, lastHeardAt: this.#lastHeardAt, lastError: this.#lastError };
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stopped) {
      const abort = new AbortController();
      this.#abort = abort;
      let outcome: Outcome = 'closed';
      const heardBefore = this.#lastHeardAt;
      const chunksBefore = this.#chunksReceived;
      try {
        if (this.#resourceVersion === undefined) await this.#relist(abort.signal);
        await this.#watch(abort.signal);
      } catch (err) {
        if (this.#stopped) break;
        if (isGone(err)) {
          outcome = 'gone';
          this.#resourceVersion = undefined;
        } else if (err instanceof InactivityError) {
          outcome = 'inactivity';
        } else {
          outcome = isUnreachable(err) ? 'unreachable' : 'error';
          this.#lastError = this.#options.notFound && statusCodeOf(err) === 404 ? this.#options.notFound : errorFields(err).err.message;
        }
      }
      if (this.#stopped) break;
      // refresh() aborted the watch to relist: do that at once.
      if (this.#refreshWaiters.length > 0 && this.#resourceVersion === undefined && (outcome === 'error' || outcome === 'unreachable')) continue;
      // Having reached the apiserver (a list page, a watch connect) proves it up: back off afresh.
      if (this.#lastHeardAt !== heardBefore) failures = 0;
      // 410 and a watch the server ended after delivering something are routine: relist or watch
      // again at once. A watch closed without a word backs off a little (no busy loop).
      const immediate = outcome === 'gone' || (outcome === 'closed' && this.#chunksReceived !== chunksBefore);
      if (!immediate) failures++;
      const backoff = outcome === 'unreachable' ? (this.#options.unreachableBackoff ?? DEFAULT_UNREACHABLE_BACKOFF) : (this.#options.backoff ?? DEFAULT_BACKOFF);
      const delayMs = immediate ? 0 : backoffDelay(failures, backoff);
      this.#restarts++;
      this.#options.metrics?.restarts.inc({ cache: this.#options.name, reason: outcome });
      const failed = outcome === 'error' || outcome === 'unreachable';
      const fields = { reason: outcome, restarts: this.#restarts, delayMs, ...(failed ? { err: { message: this.#lastError } } : {}) };
      if (outcome === 'error' && this.#lastError === this.#options.notFound) this.#logOnceAMinute('error', fields, this.#lastError!);
      else if (failed) this.#logOnceAMinute('warn', fields, 'watch restarted');
      else if (outcome === 'inactivity') this.#log.warn(fields, 'watch restarted');
      else this.#log.info(fields, 'watch restarted');
      if (delayMs > 0) await sleep(delayMs, undefined, { signal: abort.signal }).catch(() => {});
    }
  }

  /** A failure that repeats is logged at `level` once a minute, at debug level in between. */
  #logOnceAMinute(level: 'warn' | 'error', fields: Record<string, unknown>, message: string): void {
    const now = Date.now();
    const key = `${message}\n${this.#lastError}`;
    if (this.#lastLogged?.message === key && now - this.#lastLogged.at < REPEAT_LOG_MS) {
      this.#log.debug(fields, message);
      return;
    }
    this.#lastLogged = { message: key, at: now };
    this.#log[level](fields, message);
  }

  /** Lists every page, swaps the store, then tells handlers what changed since the previous contents. */
  async #relist(signal: AbortSignal): Promise<void> {
    const { kubeConfig, path, labelSelector, fieldSelector } = this.#options;
    const fresh = new Map<string, Entry<T>>();
    let continueToken: string | undefined;
    let listResourceVersion = '';
    do {
      const page = await requestJson<{ apiVersion?: string; kind?: string; metadata?: { resourceVersion?: string; continue?: string }; items?: any[] }>(kubeConfig, {
        path,
        query: { limit: String(this.#options.pageSize ?? 500), continue: continueToken, labelSelector, fieldSelector },
        signal,
        timeoutMs: LIST_TIMEOUT_MS,
      });
      // List items come without apiVersion/kind; watch events carry them. Make both look alike.
      const kind = page.kind?.replace(/List$/, '');
      for (const raw of page.items ?? []) {
        raw.apiVersion ??= page.apiVersion;
        raw.kind ??= kind;
        fresh.set(objectKey(raw), { object: this.#project(raw), resourceVersion: raw.metadata?.resourceVersion ?? '' });
      }
      this.#heard();
      continueToken = page.metadata?.continue || undefined;
      listResourceVersion = page.metadata?.resourceVersion ?? listResourceVersion;
    } while (continueToken);

    const previous = this.#store;
    const changes: [WatchEventName, T, T | undefined][] = [];
    for (const [key, entry] of fresh) {
      const old = previous.get(key);
      if (!old) changes.push(['add', entry.object, undefined]);
      else if (old.resourceVersion !== entry.resourceVersion) changes.push(['update', entry.object, old.object]);
      else fresh.set(key, old); // unchanged: keep the object consumers may already hold
    }
    for (const [key, old] of previous) if (!fresh.has(key)) changes.push(['delete', old.object, undefined]);
    this.#store = fresh;
    this.#resourceVersion = listResourceVersion;
    this.#options.metrics?.objects.set({ cache: this.#options.name }, fresh.size);
    this.#log.debug({ objects: fresh.size, resourceVersion: listResourceVersion }, 'listed');
    for (const [event, object, old] of changes) this.#emit(event, object, old);
    const refreshed = this.#refreshWaiters;
    this.#refreshWaiters = [];
    refreshed.forEach((resolve) => resolve());
    if (!this.#synced) {
      this.#synced = true;
      this.#options.metrics?.synced.set({ cache: this.#options.name }, 1);
      for (const waiter of this.#syncWaiters) waiter();
      this.#syncWaiters.clear();
    }
  }

  /** Watches until the server closes the stream (resolves) or something goes wrong (rejects). */
  async #watch(signal: AbortSignal): Promise<void> {
    const inactivityMs = this.#options.inactivityTimeoutMs ?? DEFAULT_INACTIVITY_MS;
    const watchdog = new AbortController();
    const timer = setTimeout(() => watchdog.abort(new InactivityError(`no watch event for ${inactivityMs} ms`)), inactivityMs);
    timer.unref();
    const minTimeout = this.#options.minWatchTimeoutSeconds ?? 300;
    try {
      const response = await openRequest(this.#options.kubeConfig, {
        path: this.#options.path,
        query: {
          watch: 'true',
          resourceVersion: this.#resourceVersion,
          allowWatchBookmarks: 'true',
          timeoutSeconds: String(Math.floor(minTimeout * (1 + Math.random()))),
          labelSelector: this.#options.labelSelector,
          fieldSelector: this.#options.fieldSelector,
        },
        signal: AbortSignal.any([signal, watchdog.signal]),
      });
      this.#heard();
      // A connection the network dropped without a word is found by the kernel, not only by the watchdog.
      response.socket?.setKeepAlive(true, TCP_KEEPALIVE_DELAY_MS);
      response.setEncoding('utf8');
      let pending = '';
      for await (const chunk of response as AsyncIterable<string>) {
        timer.refresh();
        this.#heard();
        this.#chunksReceived++;
        pending += chunk;
        let start = 0;
        for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n', start)) {
          const line = pending.slice(start, newline);
          start = newline + 1;
          if (line.trim() === '') continue;
          this.#apply(JSON.parse(line) as WatchEvent);
          this.#lastError = undefined;
        }
        pending = pending.slice(start);
      }
    } catch (err) {
      const cause = watchdog.signal.aborted ? watchdog.signal.reason : err;
      throw cause instanceof Error ? cause : new Error(String(cause));
    } finally {
      clearTimeout(timer);
    }
  }

  #apply(event: WatchEvent): void {
    this.#lastEventAt = Date.now();
    const raw = event.object;
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED': {
        const key = objectKey(raw);
        const old = this.#store.get(key);
        const entry = { object: this.#project(raw), resourceVersion: raw.metadata?.resourceVersion ?? '' };
        this.#store.set(key, entry);
        if (!old) this.#options.metrics?.objects.set({ cache: this.#options.name }, this.#store.size);
        this.#emit(old ? 'update' : 'add', entry.object, old?.object);
        break;
      }
      case 'DELETED': {
        const key = objectKey(raw);
        const old = this.#store.get(key);
        this.#store.delete(key);
        this.#options.metrics?.objects.set({ cache: this.#options.name }, this.#store.size);
        this.#emit('delete', old?.object ?? this.#project(raw));
        break;
      }
      case 'BOOKMARK':
        break;
      case 'ERROR':
        throw statusError(500, raw ?? {});
      default:
        this.#log.warn({ type: event.type }, 'unknown watch event type');
        return;
    }
    const resourceVersion = raw?.metadata?.resourceVersion;
    if (resourceVersion) this.#resourceVersion = resourceVersion;
  }

  #emit(event: WatchEventName, object: T, old?: T): void {
    for (const handler of this.#handlers[event]) {
      try {
        const result = handler(object, old) as unknown;
        if (result instanceof Promise) result.catch((err) => this.#handlerFailed(event, err));
      } catch (err) {
        this.#handlerFailed(event, err);
      }
    }
  }

  #handlerFailed(event: WatchEventName, err: unknown): void {
    this.#log.error({ event, ...errorFields(err) }, 'watch handler failed');
  }
}
