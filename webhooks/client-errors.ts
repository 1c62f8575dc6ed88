// What the server does when a client breaks HTTP itself (a request not received within the
// request timeout, oversized headers, bytes that are not HTTP): answer with a Status body and close
// the connection, logging one line. Fastify's default answers the same but logs at trace only.
// TLS handshake failures are logged too, throttled: a wrong caBundle on the apiserver's side shows
// up here as "certificate unknown" alerts, and a port scanner must not flood the log.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Server } from 'node:tls';
import type { FastifyBaseLogger } from 'fastify';
import { statusBody } from './status-body.ts';

const LOG_INTERVAL_MS = 10_000;

export function clientErrorHandler(log: () => FastifyBaseLogger): (error: NodeJS.ErrnoException, socket: Socket) => void {
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const [code, message] =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'the request was not received in time']
        : error.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'request headers too large']
          : [400, `malformed HTTP request: ${error.code ?? error.message}`];
    log().info({ code, err: { message: error.message, code: error.code }, remoteAddress: socket.remoteAddress }, 'client error');
    if (socket.writable) {
      const body = JSON.stringify(statusBody(code, message));
      socket.end(`HTTP/1.1 ${code} ${STATUS_CODES[code]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      // end() waits for the peer; a peer that never reads must not keep the socket forever.
      setTimeout(() => socket.destroy(), 5_000).unref();
    } else {
      socket.destroy();
    }
  };
}

export function logTlsClientErrors(server: Server, log: () => FastifyBaseLogger): void {
  let lastLoggedAt = 0;
  let suppressed = 0;
  server.on('tlsClientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const now = Date.now();
    if (now - lastLoggedAt < LOG_INTERVAL_MS) {
      suppressed++;
      return;
    }
    log().warn({ err: { message: error.message, code: error.code }, remoteAddress: socket.remoteAddress, suppressedSinceLast: suppressed }, 'TLS handshake failed');
    lastLoggedAt = now;
    suppressed = 0;
  });
}
