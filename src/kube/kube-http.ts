// Plain-JSON HTTP to the apiserver with the kubeconfig's credentials, for the watches and the
// controller's writes. Why not the generated client: client-node 2.0 builds a new undici Agent,
// hence a new TLS connection, for every call (measured: ~300 ms per reconcile on a busy 2-core
// host), turns timestamps into Date objects (and sends MicroTime fields with the millisecond
// precision the apiserver refuses), and hides the response stream a watch needs. Here one
// keep-alive agent per kubeconfig carries every request, bodies stay plain JSON, and every
// request can be aborted.
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

/** HTTP status of an API error from either client: our KubeApiError or client-node's ApiException. */
export function statusCodeOf(err: unknown): number | undefined {
  const e = err as { statusCode?: unknown; code?: unknown } | null;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  return typeof e?.code === 'number' ? e.code : undefined;
}

export const MERGE_PATCH = 'application/merge-patch+json';

export interface KubeRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  /** Default application/json; PATCH needs e.g. MERGE_PATCH. */
  contentType?: string;
  signal?: AbortSignal;
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

/** Sends a request and resolves with the response once a 2xx status arrives; rejects with KubeApiError otherwise. */
export async function openRequest(kubeConfig: KubeConfig, request: KubeRequest): Promise<http.IncomingMessage> {
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
  options.signal = request.signal;
  const send = secure ? https.request : http.request;
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const outgoing = send(url, options, resolve);
    outgoing.on('error', reject);
    outgoing.end(body);
  });
  const status = response.statusCode ?? 0;
  if (status >= 200 && status < 300) return response;
  throw statusError(status, await readText(response).catch(() => ''));
}

/** A request whose answer is JSON (or nothing). */
export async function requestJson<T>(kubeConfig: KubeConfig, request: KubeRequest): Promise<T> {
  const text = await readText(await openRequest(kubeConfig, request));
  return (text ? JSON.parse(text) : undefined) as T;
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
