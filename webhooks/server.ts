// The admission server: one Fastify instance over HTTPS (HTTP/1.1, TLS >= 1.2) serving the
// webhooks, the CRD conversion webhook /convert (from the first moment: it needs no cache) plus
// /healthz and /readyz. Settings follow what kube-apiserver does as a client
// (docs/behaviour/admission.md, docs/admission-transport.md):
//   - idle keep-alive sockets stay open 100 s, longer than the apiserver's 90 s reuse window (closing
//     sooner races with its reuse: EOF and reset errors);
//   - a request must arrive within 30 s (the longest webhook timeout), a TLS handshake within 10 s;
//   - bodies per route: each webhook declares its limit (a Pod review holds one object of at most
//     3 MiB, a SidecarSet UPDATE review two);
//   - bounded memory: caps on connections (connection-limits.ts) and on the request bytes in flight
//     (body-budget.ts), sized from the heap limit;
//   - no 503 while closing: the operator drains first (see src/operator/operator.ts), and replies say
//     `Connection: close` from the start of the drain.
import { createServer, type Server as HttpsServer } from 'node:https';
import fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { AdmissionWebhook } from './admission-outcome.ts';
import { registerAdmissionWebhook } from './admission-route.ts';
import { getHeapStatistics } from 'node:v8';
import { limitBodyBytesInFlight } from './body-budget.ts';
import { clientErrorHandler, logTlsClientErrors } from './client-errors.ts';
import { registerConversionWebhook } from './conversion-route.ts';
import { DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, limitConnections } from './connection-limits.ts';
import { registerHealthRoutes } from './health-routes.ts';
import { trackIdleConnections } from './idle-connections.ts';
import type { Readiness } from './readiness.ts';
import { ServingCertificate, TLS_CONTEXT_OPTIONS, type CertificatePair } from './serving-certificate.ts';
import { trackServedCertificates } from './served-certificates.ts';
import { statusBody } from './status-body.ts';
import type { WebhookMetrics } from './webhook-metrics.ts';

/** For routes that do not set their own (webhooks do: AdmissionWebhook.maxBodyBytes). */
const DEFAULT_BODY_LIMIT = 64 * 1024;
/** Share of the heap that request bodies in flight may take: their parsed objects take several times more. */
const HEAP_SHARE_FOR_BODIES = 1 / 16;

export interface WebhookServerOptions {
  /** Fastify logger options, e.g. `{ level: 'info' }`; the server's pino logger then serves the whole process. */
  logger?: FastifyServerOptions['logger'];
  /** An existing pino logger instead (takes precedence over `logger`). */
  loggerInstance?: FastifyBaseLogger;
  readiness: Readiness;
  metrics: WebhookMetrics;
  /** Served from the start; without one, handshakes fail until setCertificate(). */
  certificate?: CertificatePair;
  /** Request bytes being read and judged at once; past it, 429 (one request is always let in). Default: 1/16 of the heap limit. */
  maxBodyBytesInFlight?: number;
  /** Default 1,000. */
  maxConnections?: number;
  /** Default 250. */
  maxConnectionsPerAddress?: number;
  /** Idle keep-alive sockets are closed after this long. Default 100 s. */
  keepAliveTimeoutMs?: number;
  /** Headers and body must arrive within this long (else 408). Default 30 s. */
  requestTimeoutMs?: number;
  /** A TLS handshake must finish within this long. Default 10 s. */
  handshakeTimeoutMs?: number;
  /** How often request timeouts are enforced. Default 1 s (Node's own default is 30 s). */
  timeoutCheckIntervalMs?: number;
}

export interface WebhookServer {
  readonly app: FastifyInstance;
  readonly log: FastifyBaseLogger;
  readonly httpsServer: HttpsServer;
  readonly certificate: ServingCertificate;
  /** Serves a new key and certificate from the next handshake on (see ServingCertificate.set). */
  setCertificate(pair: CertificatePair): boolean;
  addWebhook(webhook: AdmissionWebhook): void;
  /** Resolves with the bound port (useful with port 0). */
  listen(port: number, host: string): Promise<number>;
  /** Stops accepting connections, ends the ones without a request in flight, waits for the others. */
  close(): Promise<void>;
}

/** Starts listening; resolves with the bound port (useful with port 0). Shared with the metrics server. */
export async function listenOn(app: Pick<FastifyInstance, 'listen' | 'server'>, port: number, host: string): Promise<number> {
  await app.listen({ port, host });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error(`unexpected listen address ${String(address)}`);
  return address.port;
}

export function createWebhookServer(options: WebhookServerOptions): WebhookServer {
  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  let httpsServer: HttpsServer | undefined;
  const app = fastify({
    ...(options.loggerInstance ? { loggerInstance: options.loggerInstance } : { logger: options.logger ?? { level: 'info' } }),
    bodyLimit: DEFAULT_BODY_LIMIT,
    return503OnClosing: false,
    // One line per admission is written by the route (at debug unless notable), none per HTTP request.
    logController: new LogController({ disableRequestLogging: true }),
    https: {}, // only tells Fastify the scheme (for its logs): the server itself comes from serverFactory
    clientErrorHandler: clientErrorHandler(() => app.log),
    serverFactory: (handler) => {
      httpsServer = createServer(
        {
          ...TLS_CONTEXT_OPTIONS,
          ALPNProtocols: ['http/1.1'],
          handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
          requestTimeout,
          headersTimeout: requestTimeout,
          keepAliveTimeout: options.keepAliveTimeoutMs ?? 100_000,
          connectionsCheckingInterval: options.timeoutCheckIntervalMs ?? 1_000,
        },
        handler,
      );
      return httpsServer as never;
    },
  }) as unknown as FastifyInstance;
  if (!httpsServer) throw new Error('fastify did not call the server factory');
  const server = httpsServer;
  logTlsClientErrors(server, () => app.log);
  limitConnections(
    server,
    { maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS, maxConnectionsPerAddress: options.maxConnectionsPerAddress ?? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS },
    options.metrics.refusedConnections,
  );
  limitBodyBytesInFlight(app, options.maxBodyBytesInFlight ?? Math.floor(getHeapStatistics().heap_size_limit * HEAP_SHARE_FOR_BODIES), options.metrics.shedRequests);
  const idleConnections = trackIdleConnections(server);
  const servedCertificates = trackServedCertificates(server, options.metrics.tlsHandshakes);

  // JSON only: a text/plain body is refused with 415 instead of reaching the review parser as a string.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const code = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (code === 500) request.log.error({ err: error, url: request.url }, 'request failed');
    else request.log.info({ code, err: { message: error.message, code: error.code }, url: request.url }, 'request refused');
    return reply.code(code).send(statusBody(code, error.message));
  });
  app.setNotFoundHandler((request, reply) => {
    request.log.info({ method: request.method, url: request.url }, 'no such endpoint');
    return reply.code(404).send(statusBody(404, `no endpoint ${request.method} ${request.url.split('?')[0]}`));
  });
  // Once shutdown has begun, every reply closes its connection: the client reconnects, through the
  // Service, to a replica that is still ready, and no idle keep-alive connection outlives close().
  // Decided when the reply is sent, so a request already in flight when shutdown began is covered too.
  // So does a reply on a connection opened with a certificate since replaced: the client reconnects
  // and verifies the current one (served-certificates.ts).
  let closing = false;
  app.addHook('onSend', (request, reply, payload, done) => {
    const outdated = servedCertificates.outdated(request.raw.socket, certificate.info()?.serialNumber);
    if (closing || options.readiness.shuttingDown || outdated) reply.header('connection', 'close');
    done(null, payload);
  });
  registerHealthRoutes(app, options.readiness);
  registerConversionWebhook(app, options.metrics);

  const certificate = new ServingCertificate(server, (info) => {
    options.metrics.certificateExpiry.set(Date.parse(info.notAfter) / 1000);
  });
  if (options.certificate) certificate.set(options.certificate);

  return {
    app,
    log: app.log,
    httpsServer: server,
    certificate,
    setCertificate: (pair) => certificate.set(pair),
    addWebhook: (webhook) => registerAdmissionWebhook(app, webhook, options.metrics),
    listen: (port, host) => listenOn(app, port, host),
    async close() {
      closing = true;
      const closed = app.close();
      idleConnections.endIdle();
      await closed;
    },
  };
}
