// The two crash recipes of the hardening review, against the server in a child process with a small
// heap: many large reviews at once (the heap ran out: SIGABRT), and thousands of idle connections
// (the container ran out of memory). Both must leave the process alive and answering; the caps must
// be seen to act (429s, refused connections), so the test proves the fault was provoked.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pod, podReview, sidecarSet, sidecarSetReview } from '../support/admission-requests.ts';
import { webhookClient, type Reply } from '../support/webhook-client.ts';

const SERVER_PROCESS = fileURLToPath(new URL('../support/webhook-server-process.ts', import.meta.url));
const MiB = 1024 * 1024;

interface Child {
  process: ChildProcess;
  port: number;
  caPem: string;
  stderr: string[];
}

async function startChild(heapMiB: number, server: Record<string, unknown> = {}): Promise<Child> {
  const child = spawn(process.execPath, [`--max-old-space-size=${heapMiB}`, SERVER_PROCESS, JSON.stringify(server)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const [line] = (await Promise.race([once(createInterface({ input: child.stdout! }), 'line'), once(child, 'exit').then(() => [undefined])])) as [string | undefined];
  if (!line) throw new Error(`server process exited before listening: ${stderr.join('')}`);
  return { process: child, ...JSON.parse(line), stderr };
}

async function stopChild(child: Child | undefined): Promise<void> {
  if (!child || child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill('SIGTERM');
  await once(child.process, 'exit');
}

const alive = (child: Child): boolean => child.process.exitCode === null && child.process.signalCode === null;

describe('bounded resources of the admission server (child process, small heap)', () => {
  describe('many large reviews at once', () => {
    let child: Child;
    before(async () => {
      child = await startChild(64);
    });
    after(() => stopChild(child));

    it('sheds with 429 + Retry-After instead of running out of heap, and answers afterwards', async () => {
      // Sixteen SidecarSet UPDATE reviews of two 3 MiB objects each: ~100 MiB of bodies at once into
      // a 64 MiB heap. Without the cap on bytes in flight this kills the process (checked by hand
      // with maxBodyBytesInFlight: 1e12: the connections are reset when it dies).
      const object = sidecarSet('big', {}, { annotations: { big: 'x'.repeat(3 * MiB) } });
      const body = JSON.stringify(sidecarSetReview(object, { operation: 'UPDATE', oldObject: object }));
      assert.ok(body.length > 6 * MiB);
      const client = webhookClient(child.port, child.caPem, { maxSockets: 16 });
      try {
        const replies: Reply[] = await Promise.all(
          Array.from({ length: 16 }, () => client.post('/validate-apps-kruise-io-v1alpha1-sidecarset', body, { timeoutMs: 60_000 })),
        );
        const statuses = replies.map((reply) => reply.status);
        assert.ok(statuses.every((status) => status === 200 || status === 429), `every request answered: ${statuses}`);
        const shed = replies.filter((reply) => reply.status === 429);
        assert.ok(shed.length > 0, 'the cap on bytes in flight acted');
        for (const reply of shed) {
          assert.equal(reply.headers['retry-after'], '1');
          assert.equal(reply.json.reason, 'TooManyRequests');
        }
        assert.ok(statuses.includes(200), 'some reviews were judged');
        assert.ok(alive(child), `the process survived: ${child.stderr.join('').slice(-500)}`);
        const after = await client.post('/mutate-pod', podReview(pod('after'), 'team-a'));
        assert.equal(after.status, 200);
      } finally {
        client.close();
      }
    });
  });

  describe('thousands of idle connections', () => {
    const limits = { maxConnections: 200, maxConnectionsPerAddress: 80 };
    let child: Child;
    before(async () => {
      child = await startChild(96, limits);
    });
    after(() => stopChild(child));

    /** Opens a TLS connection from `localAddress`; resolves with the socket if the handshake completes, else undefined. */
    const open = (localAddress: string): Promise<TLSSocket | undefined> =>
      new Promise((resolve) => {
        // localAddress is passed on to net.connect, though the TLS options type does not list it.
        const socket = tlsConnect({ host: '127.0.0.1', port: child.port, ca: child.caPem, servername: 'localhost', ...({ localAddress } as object) });
        socket.setTimeout(5_000, () => socket.destroy());
        socket.once('secureConnect', () => {
          socket.setTimeout(0); // idle from now on, as the attack keeps it
          resolve(socket);
        });
        socket.once('error', () => resolve(undefined));
        socket.once('close', () => resolve(undefined));
      });

    it('holds at most the caps, server-wide and per address, and keeps answering', async () => {
      // 4 loopback addresses x 100 connections, opened in batches; all loopback, all closed at the end.
      const sockets: TLSSocket[] = [];
      const accepted: Record<string, number> = {};
      try {
        for (const address of ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4']) {
          const opened = (await Promise.all(Array.from({ length: 100 }, () => open(address)))).filter((socket) => socket !== undefined);
          // A connection past a cap is closed by the server right away; give it a moment to arrive.
          await new Promise((resolve) => setTimeout(resolve, 200));
          const stillOpen = opened.filter((socket) => !socket.destroyed && socket.readyState === 'open');
          accepted[address] = stillOpen.length;
          sockets.push(...stillOpen);
        }
        assert.deepEqual(accepted, { '127.0.0.1': 80, '127.0.0.2': 80, '127.0.0.3': 40, '127.0.0.4': 0 });
        assert.ok(alive(child));
      } finally {
        for (const socket of sockets) socket.destroy();
      }
      // Once the idle connections are gone, a review is answered again.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const client = webhookClient(child.port, child.caPem);
      try {
        const reply = await client.post('/mutate-pod', podReview(pod('after'), 'team-a'));
        assert.equal(reply.status, 200);
      } finally {
        client.close();
      }
    });
  });
});
