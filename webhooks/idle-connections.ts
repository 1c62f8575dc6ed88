// Which of a TLS server's connections have a request in flight, so that close() can end the others.
// Node's server.close() waits for every connection to end, and closeIdleConnections() does not end
// a connection that finished its TLS handshake but never sent a request, nor one still in its
// handshake: the apiserver keeps such spare connections open for up to 90 s, so close() did too.
// See docs/decisions/close-ends-idle-connections.md.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Server } from 'node:tls';

export interface IdleConnections {
  /** Ends every connection without a request in flight now, and every one accepted from now on. */
  endIdle(): void;
}

/** The key both the raw socket and its TLS socket answer to. */
const peer = (socket: Socket): string => `${socket.remoteAddress}:${socket.remotePort}`;

export function trackIdleConnections(server: Server): IdleConnections {
  const connections = new Map<string, Socket>();
  const busy = new Map<string, number>();
  let ending = false;
  server.on('connection', (socket: Socket) => {
    if (ending) return void socket.destroy();
    const key = peer(socket);
    connections.set(key, socket);
    socket.once('close', () => connections.delete(key));
  });
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const key = peer(request.socket);
    busy.set(key, (busy.get(key) ?? 0) + 1);
    response.once('close', () => {
      const left = (busy.get(key) ?? 1) - 1;
      if (left > 0) busy.set(key, left);
      else busy.delete(key);
    });
  });
  return {
    endIdle() {
      ending = true;
      // A connection that is answering closes itself after the reply (`Connection: close`).
      for (const [key, socket] of connections) if (!busy.has(key)) socket.destroy();
    },
  };
}
