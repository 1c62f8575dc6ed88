// `sidecarset certs`: files, permissions, names, and input errors.
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { certsCommand } from '../../src/operator/certs-command.ts';
import { InputError } from '../../src/cli/input.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'sidecarset-certs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function run(values: Record<string, string | string[]>): Promise<number> {
  const write = process.stdout.write;
  process.stdout.write = () => true; // the command reports on stdout; keep the test output clean
  try {
    return await certsCommand.run(values);
  } finally {
    process.stdout.write = write;
  }
}

describe('sidecarset certs', () => {
  it('writes ca.crt, tls.crt and an owner-only tls.key, even over a wider existing file', async () => {
    const out = path.join(dir, 'nested', 'out');
    await run({ service: 'hook', namespace: 'ops', out: path.join(dir, 'nested', 'out') });
    writeFileSync(path.join(out, 'tls.key'), 'old', { mode: 0o644 });
    assert.equal(await run({ service: 'hook', namespace: 'ops', out, 'extra-dns': ['localhost'], 'extra-ip': ['127.0.0.1'] }), 0);
    assert.equal(statSync(path.join(out, 'tls.key')).mode & 0o777, 0o600);
    const ca = new X509Certificate(readFileSync(path.join(out, 'ca.crt')));
    const serving = new X509Certificate(readFileSync(path.join(out, 'tls.crt')));
    assert.ok(serving.checkIssued(ca) && serving.verify(ca.publicKey));
    assert.ok(serving.checkPrivateKey(createPrivateKey(readFileSync(path.join(out, 'tls.key')))));
    assert.equal(serving.subjectAltName, 'DNS:hook, DNS:hook.ops, DNS:hook.ops.svc, DNS:hook.ops.svc.cluster.local, DNS:localhost, IP Address:127.0.0.1');
  });

  it('reports missing flags and bad addresses as input errors', async () => {
    await assert.rejects(run({ namespace: 'ops', out: dir }), (error: unknown) => error instanceof InputError && /--service is required/.test(error.message));
    await assert.rejects(run({ service: 'hook', namespace: 'ops', out: dir, 'extra-ip': ['1.2.3'] }), (error: unknown) => error instanceof InputError && /invalid IP address "1.2.3"/.test(error.message));
  });
});
