// Caps on open connections, server-wide and per client address. Every TLS connection costs about
// 75 KiB, kept for the idle timeout; without a cap, a few thousand idle connections from any Pod
// exhaust the container's memory. A connection past a cap is closed at once, before the handshake.
// kube-apiserver keeps at most 25 idle connections per webhook host, plus those busy at a moment,
// so the per-address default leaves it ten times that.
import type { Socket } from 'node:net';
import type { Server } from 'node:tls';
import type { Counter } from 'prom-client';

export const DEFAULT_MAX_CONNECTIONS = 1_000;
export const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 250;

export interface ConnectionLimits {
  maxConnections: number;
  maxConnectionsPerAddress: number;
}

export function limitConnections(server: Server, limits: ConnectionLimits, refused: Counter<'limit'>): void {
  const perAddress = new Map<string, number>();
  let open = 0;
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const fromAddress = perAddress.get(address) ?? 0;
    const limit = open >= limits.maxConnections ? 'server' : fromAddress >= limits.maxConnectionsPerAddress ? 'address' : undefined;
    if (limit) {
      refused.inc({ limit });
      socket.destroy();
      return;
    }
    open++;
    perAddress.set(address, fromAddress + 1);
    socket.once('close', () => {
      open--;
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left === 0) perAddress.delete(address);
      else perAddress.set(address, left);
    });
  });
}
