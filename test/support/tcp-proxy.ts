// A TCP pass-through on 127.0.0.1 in front of the apiserver, so tests can cut or freeze the
// client's connections (TLS goes through untouched) without touching the apiserver itself.
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

export interface TcpProxy {
  port: number;
  /** A copy of `kubeConfig` whose current cluster points at the proxy. */
  kubeConfigVia(kubeConfig: KubeConfig): KubeConfig;
  /** Destroys every proxied connection (both sides); returns how many there were. */
  destroyConnections(): number;
  /** While frozen, bytes are neither read nor forwarded: connections look alive but go silent. */
  setFrozen(frozen: boolean): void;
  /** While down, every connection is cut and new ones are reset at once, as if the apiserver were gone. */
  setDown(down: boolean): void;
  connections(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const pairs = new Set<[net.Socket, net.Socket]>();
  let frozen = false;
  let down = false;
  const server = net.createServer((client) => {
    if (down) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(targetPort, targetHost);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    if (frozen) pair.forEach((socket) => socket.pause());
    const end = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    kubeConfigVia(kubeConfig) {
      const copy = new KubeConfig();
      copy.loadFromString(kubeConfig.exportConfig());
      const current = copy.getCurrentCluster()!;
      const url = new URL(current.server);
      url.port = String(port);
      copy.loadFromOptions({
        clusters: copy.getClusters().map((cluster) => (cluster.name === current.name ? { ...cluster, server: url.toString().replace(/\/$/, '') } : cluster)),
        users: copy.getUsers(),
        contexts: copy.getContexts(),
        currentContext: copy.getCurrentContext(),
      });
      return copy;
    },
    destroyConnections() {
      const count = pairs.size;
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
      return count;
    },
    setFrozen(value) {
      frozen = value;
      for (const pair of pairs) for (const socket of pair) (value ? socket.pause() : socket.resume());
    },
    setDown(value) {
      down = value;
      if (value) for (const pair of pairs) for (const socket of pair) socket.destroy();
    },
    connections: () => pairs.size,
    close: async () => {
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
