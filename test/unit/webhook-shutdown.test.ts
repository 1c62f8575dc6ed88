// SIGTERM in a real process: readiness turns false at once, every request is still answered during
// the drain (open keep-alive connections, new connections, requests in flight), requests in flight
// when the drain ends still complete, never a 503, and the process exits 0.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { newServingCert } from '../control-plane/harness.ts';
import { pod, podReview } from '../support/admission-requests.ts';
import { webhookClient } from '../support/webhook-client.ts';

const CHILD = fileURLToPath(new URL('../support/operator-process.ts', import.meta.url));
const DRAIN_MS = 1_500;

/** A review sent in two halves on its own connection: the second half goes when asked. */
function splitRequest(port: number, ca: string, body: string): { finish(): void; reply: Promise<string> } {
  let socket: TLSSocket;
  const half = Math.floor(body.length / 2);
  const reply = new Promise<string>((resolve, reject) => {
    socket = connect({ host: '127.0.0.1', port, ca }, () => {
      socket.write(`POST /mutate-pod HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, half)}`);
    });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
      if (/\r\n\r\n[\s\S]*\}\}$/.test(data)) resolve(data);
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(data));
  });
  return { finish: () => socket.write(body.slice(half)), reply };
}

describe('SIGTERM', () => {
  const tls = newServingCert();
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sidecarset-drain-'));
    writeFileSync(join(dir, 'tls.crt'), tls.certPem);
    writeFileSync(join(dir, 'tls.key'), tls.keyPem);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('drains: not ready, still answering everything, then exit 0', async () => {
    const child = spawn(process.execPath, [CHILD, dir, String(DRAIN_MS)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const ports = await new Promise<{ webhook: number; metrics: number }>((resolve, reject) => {
      let stderr = '';
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
        const match = /READY (\{.*\})/.exec(stderr);
        if (match) resolve(JSON.parse(match[1]));
      });
      child.on('exit', () => reject(new Error(`child exited early: ${stderr}`)));
    });
    const readyz = async (): Promise<number> => (await fetch(`http://127.0.0.1:${ports.metrics}/readyz`)).status;
    assert.equal(await readyz(), 200);

    const kept = webhookClient(ports.webhook, tls.caPem, { maxSockets: 1 });
    const opened = await kept.post('/mutate-pod', podReview(pod('a'), 'default'));
    assert.equal(opened.status, 200);
    const duringDrain = splitRequest(ports.webhook, tls.caPem, JSON.stringify(podReview(pod('b'), 'default')));
    const pastDrain = splitRequest(ports.webhook, tls.caPem, JSON.stringify(podReview(pod('c'), 'default')));
    await new Promise((resolve) => setTimeout(resolve, 100)); // both halves on the wire

    const signalledAt = Date.now();
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(await readyz(), 503, 'not ready once SIGTERM arrived');

    const fresh = webhookClient(ports.webhook, tls.caPem);
    const onNewConnection = await fresh.post('/mutate-pod', podReview(pod('d'), 'default'));
    assert.equal(onNewConnection.status, 200);
    assert.equal(onNewConnection.json.response.allowed, true);
    const onKeptConnection = await kept.post('/mutate-pod', podReview(pod('e'), 'default'));
    assert.equal(onKeptConnection.status, 200);
    assert.equal(onKeptConnection.localPort, opened.localPort, 'same keep-alive connection');
    duringDrain.finish();
    assert.match(await duringDrain.reply, /^HTTP\/1.1 200 OK/);

    // Finish the last request only once the drain is over: the server no longer accepts, but answers it.
    await new Promise((resolve) => setTimeout(resolve, DRAIN_MS + 300 - (Date.now() - signalledAt)));
    pastDrain.finish();
    const last = await pastDrain.reply;
    assert.match(last, /^HTTP\/1.1 200 OK/);
    assert.match(last, /"kind":"AdmissionReview"/);

    assert.equal(await exited, 0);
    assert.ok(Date.now() - signalledAt >= DRAIN_MS, 'exit only after the drain');
    assert.doesNotMatch(stdout, /"statusCode":503|"code":503/);
    assert.match(stdout, /shutting down: not ready, still serving while draining/);
    assert.match(stdout, /operator stopped/);
    kept.close();
    fresh.close();
  });
});
