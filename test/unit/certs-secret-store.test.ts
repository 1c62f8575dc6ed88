// The shared Secret's optimistic concurrency: every lost race resolves to "re-read", real errors throw.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Secret } from '../../src/api/core.ts';
import { KubeApiError } from '../../src/kube/kube-http.ts';
import { createSecretStore, type SecretApi } from '../../certs/secret-store.ts';

const apiError = (code: number): KubeApiError => new KubeApiError(code, `HTTP ${code}`);

/** A SecretApi stand-in: each method answers from `answers` and records its parameters. */
function fakeCore(answers: Record<string, (params: any) => unknown>): { core: SecretApi; calls: [string, any][] } {
  const calls: [string, any][] = [];
  const core = new Proxy({}, {
    get: (_target, method: string) => async (params: unknown) => {
      calls.push([method, params]);
      const answer = answers[method];
      if (!answer) throw new Error(`unexpected call ${method}`);
      return answer(params);
    },
  }) as unknown as SecretApi;
  return { core, calls };
}
const fail = (code: number) => () => {
  throw apiError(code);
};

const body: Secret = { type: 'kubernetes.io/tls', metadata: { name: 'certs', namespace: 'ops', resourceVersion: '5', uid: 'u1' }, data: {} };
const current: Secret = { ...body, metadata: { ...body.metadata } };

describe('secret store', () => {
  it('reads a missing Secret as undefined and other failures as errors', async () => {
    assert.equal(await createSecretStore(fakeCore({ readNamespacedSecret: fail(404) }).core, 'ops', 'certs').read(), undefined);
    await assert.rejects(createSecretStore(fakeCore({ readNamespacedSecret: fail(403) }).core, 'ops', 'certs').read(), /HTTP 403/);
  });

  it('creates when there is nothing, and reports a lost creation race (409 AlreadyExists)', async () => {
    const created = fakeCore({ createNamespacedSecret: ({ body: b }) => ({ ...b, metadata: { ...b.metadata, resourceVersion: '1' } }) });
    assert.equal((await createSecretStore(created.core, 'ops', 'certs').write(undefined, body))?.metadata?.resourceVersion, '1');
    assert.equal(await createSecretStore(fakeCore({ createNamespacedSecret: fail(409) }).core, 'ops', 'certs').write(undefined, body), undefined);
  });

  it('replaces with the read resourceVersion, and reports a conflict or a vanished Secret as a lost race', async () => {
    const replaced = fakeCore({ replaceNamespacedSecret: ({ body: b }) => b });
    await createSecretStore(replaced.core, 'ops', 'certs').write(current, body);
    assert.equal(replaced.calls[0][1].body.metadata.resourceVersion, '5');
    for (const code of [409, 404]) {
      assert.equal(await createSecretStore(fakeCore({ replaceNamespacedSecret: fail(code) }).core, 'ops', 'certs').write(current, body), undefined);
    }
    await assert.rejects(createSecretStore(fakeCore({ replaceNamespacedSecret: fail(422) }).core, 'ops', 'certs').write(current, body), /HTTP 422/);
  });

  it('recreates a Secret of another type or an immutable one, deleting only the version it judged', async () => {
    const foreign: Secret = { ...current, type: 'kubernetes.io/dockerconfigjson' };
    for (const unchangeable of [foreign, { ...current, immutable: true }]) {
      const recreated = fakeCore({ deleteNamespacedSecret: () => ({}), createNamespacedSecret: ({ body: b }) => b });
      const written = await createSecretStore(recreated.core, 'ops', 'certs').write(unchangeable, body);
      assert.deepEqual(recreated.calls.map(([method]) => method), ['deleteNamespacedSecret', 'createNamespacedSecret']);
      assert.deepEqual(recreated.calls[0][1].body, { preconditions: { uid: 'u1', resourceVersion: '5' } });
      assert.equal(written?.metadata?.resourceVersion, undefined);
      assert.equal(written?.metadata?.uid, undefined);
    }

    const raced = fakeCore({ deleteNamespacedSecret: fail(409) });
    assert.equal(await createSecretStore(raced.core, 'ops', 'certs').write(foreign, body), undefined);
    assert.equal(raced.calls.length, 1, 'a failed precondition creates nothing');
  });
});
