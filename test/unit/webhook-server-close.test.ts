// Closing the admission server after the drain: connections without a request in flight must not
// hold close() (the apiserver keeps spare connections open for up to 90 s, which held the
// operator's exit past the Pod's grace period); a request in flight is still answered.
import assert from 'node:assert/strict';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { startTestWebhookServer } from '../support/test-webhook-server.ts';

/** Resolves when the server has closed `socket`; fails after 5 s (the old close() waited for the client, forever). */
const closedByServer = (socket: Socket, what: string): Promise<void> =>
  Promise.race([
    new Promise<void>((resolve) => socket.once('close', () => resolve())),
    sleep(5_000).then(() => assert.fail(`${what} still open: close() waits for it`)),
  ]);

describe('admission server close()', () => {
  it('ends connections that sent no request, before or after the TLS handshake, and resolves', async () => {
    const t = await startTestWebhookServer();
    const handshaken = tlsConnect({ host: '127.0.0.1', port: t.port, ca: t.tls.caPem, servername: 'localhost' });
    handshaken.on('error', () => {});
    await new Promise((resolve) => handshaken.once('secureConnect', resolve));
    const handshaking = netConnect(t.port, '127.0.0.1'); // TCP only: no ClientHello
    await new Promise((resolve) => handshaking.once('connect', resolve));
    await sleep(50); // both accepted by the server
    const closed = t.close();
    await Promise.all([closedByServer(handshaken, 'a TLS connection that sent no request'), closedByServer(handshaking, 'a connection in its TLS handshake')]);
    await Promise.race([closed, sleep(5_000).then(() => assert.fail('close() did not resolve'))]);
  });

  it('answers a request in flight, with Connection: close, before it resolves', async () => {
    const t = await startTestWebhookServer({
      configure: (server) => server.app.get('/slow', async () => {
        await sleep(300);
        return { ok: true };
      }),
    });
    const raw = new Promise<string>((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: t.port, ca: t.tls.caPem, servername: 'localhost' }, () => socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n'));
      let data = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk) => (data += chunk));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    await sleep(100); // the request is in the handler
    await t.close();
    const reply = await raw;
    assert.match(reply, /^HTTP\/1.1 200 OK/);
    assert.match(reply, /\r\nconnection: close\r\n/i);
    assert.match(reply, /\{"ok":true\}$/);
  });
});
