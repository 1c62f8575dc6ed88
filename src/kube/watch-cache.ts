// A list+watch cache of one resource, shared by the webhooks and the controller.
//
// Written instead of client-node's informer because that one stops for good on most errors,
// can sit forever on a dead connection, hands out Date objects and lets a throwing handler crash
// the process. Here one loop per cache lists (paginated), then watches from the list's
// resourceVersion with bookmarks; every way a watch can end leads back into the loop:
//   - the server closes it (timeoutSeconds elapsed)        -> watch again at once;
//   - 410 Gone (our resourceVersion is too old)            -> relist, emitting deletes for vanished objects;
//   - nothing received (no event, no bookmark) for a while -> abort and watch again;
//   - any other error                                      -> retry with exponential backoff and jitter.
// The cache stays readable (and `synced()` stays true) while it recovers: slightly stale is
// better than empty for admission decisions.
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
  /** Restart a watch that delivered nothing (no event, no bookmark) for this long. Default 3 min. */
  inactivityTimeoutMs?: number;
  /** Retry delays after errors. Default 250 ms doubling to 30 s, ±20 %. */
  backoff?: BackoffOptions;
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
  restarts: number;
  lastEventAt?: number;
  lastError?: string;
}

export interface WatchCache<T> {
  start(): void;
  stop(): Promise<void>;
  synced(): boolean;
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

const DEFAULT_INACTIVITY_MS = 180_000;
const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 30_000 };
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

type Outcome = 'closed' | 'gone' | 'inactivity' | 'error';

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
    return { synced: this.#synced, restarts: this.#restarts, lastEventAt: this.#lastEventAt, lastError: this.#lastError };
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stopped) {
      const abort = new AbortController();
      this.#abort = abort;
      let outcome: Outcome = 'closed';
      let receivedData = false;
      try {
        if (this.#resourceVersion === undefined) await this.#relist(abort.signal);
        receivedData = await this.#watch(abort.signal);
      } catch (err) {
        if (this.#stopped) break;
        receivedData = (err as { receivedData?: boolean }).receivedData === true;
        if (isGone(err)) {
          outcome = 'gone';
          this.#resourceVersion = undefined;
        } else if (err instanceof InactivityError) {
          outcome = 'inactivity';
        } else {
          outcome = 'error';
          this.#lastError = this.#options.notFound && statusCodeOf(err) === 404 ? this.#options.notFound : errorFields(err).err.message;
        }
      }
      if (this.#stopped) break;
      if (this.#refreshWaiters.length > 0 && this.#resourceVersion === undefined && outcome === 'error') continue; // refresh(): relist at once
      // A watch that delivered something proves the connection healthy: start backing off afresh.
      if (receivedData) failures = 0;
      if (outcome !== 'closed' || !receivedData) failures++;
      const delayMs = failures === 0 ? 0 : backoffDelay(failures, this.#options.backoff ?? DEFAULT_BACKOFF);
      this.#restarts++;
      this.#options.metrics?.restarts.inc({ cache: this.#options.name, reason: outcome });
      const fields = { reason: outcome, restarts: this.#restarts, delayMs, ...(outcome === 'error' ? { err: { message: this.#lastError } } : {}) };
      if (outcome === 'error' && this.#lastError === this.#options.notFound) this.#logOnceAMinute('error', fields, this.#lastError!);
      else if (outcome === 'error') this.#logOnceAMinute('warn', fields, 'watch restarted');
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

  /** Watches until the server closes the stream (resolves) or something goes wrong (rejects). Returns whether any data arrived. */
  async #watch(signal: AbortSignal): Promise<boolean> {
    const inactivityMs = this.#options.inactivityTimeoutMs ?? DEFAULT_INACTIVITY_MS;
    const watchdog = new AbortController();
    const timer = setTimeout(() => watchdog.abort(new InactivityError(`no watch event for ${inactivityMs} ms`)), inactivityMs);
    timer.unref();
    const minTimeout = this.#options.minWatchTimeoutSeconds ?? 300;
    let receivedData = false;
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
      response.setEncoding('utf8');
      let pending = '';
      for await (const chunk of response as AsyncIterable<string>) {
        timer.refresh();
        pending += chunk;
        let start = 0;
        for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n', start)) {
          const line = pending.slice(start, newline);
          start = newline + 1;
          if (line.trim() === '') continue;
          this.#apply(JSON.parse(line) as WatchEvent);
          receivedData = true;
          this.#lastError = undefined;
        }
        pending = pending.slice(start);
      }
      return receivedData;
    } catch (err) {
      const cause = watchdog.signal.aborted ? watchdog.signal.reason : err;
      throw Object.assign(cause instanceof Error ? cause : new Error(String(cause)), { receivedData });
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
