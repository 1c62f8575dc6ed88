// The one Kubernetes API client of the operator: plain-JSON HTTP to the apiserver with the
// kubeconfig's credentials, for the watches, the controller's writes, leader election and the
// certificate manager. One keep-alive agent per kubeconfig carries every request, bodies stay
// plain JSON (fields this code does not know survive a read-modify-write), every call has a
// timeout and can be aborted, and every non-2xx answer is a KubeApiError. Why not client-node's
// generated API: docs/decisions/own-http-client.md.
import * as http from 'node:http';
import * as https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** A non-2xx answer, with the Kubernetes Status fields worth acting on. */
export class KubeApiError extends Error {
  readonly statusCode: number;
  readonly reason?: string;
  constructor(statusCode: number, message: string, reason?: string) {
    super(message);
    this.name = 'KubeApiError';
    this.statusCode = statusCode;
    this.reason = reason;
  }
}

export function isGone(err: unknown): boolean {
  return err instanceof KubeApiError && err.statusCode === 410;
}

/** HTTP status of a KubeApiError; undefined for anything else (a network error, a timeout). */
export function statusCodeOf(err: unknown): number | undefined {
  return err instanceof KubeApiError ? err.statusCode : undefined;
}

export const MERGE_PATCH = 'application/merge-patch+json';
export const JSON_PATCH = 'application/json-patch+json';

/** Time allowed for a call: the whole exchange for requestJson, until the response headers for openRequest. */
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface KubeRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  /** Default application/json; PATCH needs MERGE_PATCH or JSON_PATCH. */
  contentType?: string;
  signal?: AbortSignal;
  /** Default DEFAULT_TIMEOUT_MS. */
  timeoutMs?: number;
}

export class KubeTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeTimeoutError';
  }
}

/** A signal that aborts on the caller's signal or after `timeoutMs`; cancel() ends the timer. */
function deadline(request: KubeRequest): { signal: AbortSignal; cancel(): void } {
  const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new KubeTimeoutError(`${request.method ?? 'GET'} ${request.path}: no answer within ${timeoutMs} ms`)), timeoutMs);
  timer.unref();
  return {
    signal: request.signal ? AbortSignal.any([request.signal, controller.signal]) : controller.signal,
    cancel: () => clearTimeout(timer),
  };
}

// One keep-alive agent per kubeconfig; a proxied cluster keeps the agent client-node builds for it.
const agents = new WeakMap<KubeConfig, http.Agent>();

function agentFor(kubeConfig: KubeConfig, options: https.RequestOptions, secure: boolean): http.Agent {
  let agent = agents.get(kubeConfig);
  if (!agent) {
    if (kubeConfig.getCurrentCluster()?.proxyUrl && options.agent) {
      agent = options.agent as http.Agent;
    } else {
      const tls = { ca: options.ca, cert: options.cert, key: options.key, pfx: options.pfx, passphrase: options.passphrase, servername: options.servername, rejectUnauthorized: options.rejectUnauthorized };
      agent = secure ? new https.Agent({ keepAlive: true, ...tls }) : new http.Agent({ keepAlive: true });
    }
    agents.set(kubeConfig, agent);
  }
  return agent;
}

/**
 * Sends a request and resolves with the response stream once a 2xx status arrives; rejects with
 * KubeApiError otherwise. The timeout covers the wait for the headers; the caller's signal, the
 * whole stream.
 */
export async function openRequest(kubeConfig: KubeConfig, request: KubeRequest): Promise<http.IncomingMessage> {
  const { signal, cancel } = deadline(request);
  try {
    return await send(kubeConfig, request, signal, request.signal);
  } finally {
    cancel();
  }
}

/** A request whose answer is JSON (or nothing); the timeout covers the whole exchange. */
export async function requestJson<T>(kubeConfig: KubeConfig, request: KubeRequest): Promise<T> {
  const { signal, cancel } = deadline(request);
  try {
    const text = await readText(await send(kubeConfig, request, signal, signal));
    return (text ? JSON.parse(text) : undefined) as T;
  } catch (error) {
    throw signal.aborted && signal.reason instanceof KubeTimeoutError ? signal.reason : error;
  } finally {
    cancel();
  }
}

/** `untilHeaders` bounds the wait for the status line; `streamSignal` stays attached to the response. */
async function send(kubeConfig: KubeConfig, request: KubeRequest, untilHeaders: AbortSignal, streamSignal: AbortSignal | undefined): Promise<http.IncomingMessage> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const url = new URL(cluster.server.replace(/\/$/, '') + request.path);
  for (const [key, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, value);
  }
  const body = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body));
  const options: https.RequestOptions = {
    method: request.method ?? 'GET',
    headers: {
      Accept: 'application/json',
      ...(body ? { 'Content-Type': request.contentType ?? 'application/json', 'Content-Length': String(body.length) } : {}),
    },
  };
  await kubeConfig.applyToHTTPSOptions(options); // credentials (headers, client certificate), per request: tokens may rotate
  const secure = url.protocol !== 'http:';
  options.agent = agentFor(kubeConfig, options, secure);
  if (streamSignal) options.signal = streamSignal;
  untilHeaders.throwIfAborted();
  const sendRequest = secure ? https.request : http.request;
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const outgoing = sendRequest(url, options, resolve);
    const onAbort = (): void => {
      outgoing.destroy(untilHeaders.reason);
    };
    untilHeaders.addEventListener('abort', onAbort, { once: true });
    outgoing.on('response', () => untilHeaders.removeEventListener('abort', onAbort));
    outgoing.on('error', (error) => {
      untilHeaders.removeEventListener('abort', onAbort);
      reject(untilHeaders.aborted ? untilHeaders.reason : error);
    });
    outgoing.end(body);
  });
  const status = response.statusCode ?? 0;
  if (status >= 200 && status < 300) return response;
  throw statusError(status, await readText(response).catch(() => ''));
}

async function readText(stream: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** A KubeApiError from a Kubernetes Status object (a watch ERROR event carries one too). */
export function statusError(status: number, text: string | { code?: number; message?: string; reason?: string }): KubeApiError {
  let body: { code?: number; message?: string; reason?: string } | undefined;
  if (typeof text === 'string') {
    try {
      body = JSON.parse(text);
    } catch {
      body = { message: text.slice(0, 200) };
    }
  } else {
    body = text;
  }
  const code = typeof body?.code === 'number' && body.code > 0 ? body.code : status;
  return new KubeApiError(code, body?.message || http.STATUS_CODES[code] || `HTTP ${code}`, body?.reason);
}
