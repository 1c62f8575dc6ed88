// Which serving certificate each TLS connection was opened with. Counts handshakes per certificate
// serial (what the apiserver was shown and verified), and tells whether a connection still runs on
// a certificate that has since been replaced: such a connection is closed after its next reply, so
// pooled keep-alive connections reconnect and verify the new certificate against the caBundle
// instead of living on the old one for up to 90 s. See docs/decisions/close-connections-after-renewal.md.
import type { Socket } from 'node:net';
import type { Server, TLSSocket } from 'node:tls';
import type { Counter } from 'prom-client';

export interface ServedCertificates {
  /** True when the connection was opened with a certificate other than `currentSerial`. */
  outdated(socket: Socket, currentSerial: string | undefined): boolean;
}

export function trackServedCertificates(server: Server, handshakes: Counter<'serial'>): ServedCertificates {
  const serials = new WeakMap<Socket, string>();
  server.on('secureConnection', (socket: TLSSocket) => {
    const serial = socket.getX509Certificate()?.serialNumber;
    if (serial === undefined) return;
    serials.set(socket, serial);
    handshakes.inc({ serial });
  });
  return {
    outdated(socket, currentSerial) {
      const serial = serials.get(socket);
      return serial !== undefined && currentSerial !== undefined && serial !== currentSerial;
    },
  };
}
