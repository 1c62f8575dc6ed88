// Reads and writes the one certificate Secret all replicas share, with optimistic concurrency:
// a write that loses a race (AlreadyExists, Conflict, a failed precondition, a vanished object)
// resolves to undefined, so the caller re-reads and adopts what the winner stored.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Secret } from '../src/api/core.ts';
import { requestJson, statusCodeOf } from '../src/kube/kube-http.ts';

export interface SecretStore {
  read(): Promise<Secret | undefined>;
  /**
   * Stores `body` in place of `current`, the version it was derived from (undefined: create).
   * Resolves to the stored Secret, or undefined when another writer got there first.
   */
  write(current: Secret | undefined, body: Secret): Promise<Secret | undefined>;
}

/** The Secret calls the store makes, named after the apiserver's operations. */
export interface SecretApi {
  readNamespacedSecret(params: { name: string; namespace: string }): Promise<Secret>;
  createNamespacedSecret(params: { namespace: string; body: Secret }): Promise<Secret>;
  replaceNamespacedSecret(params: { name: string; namespace: string; body: Secret }): Promise<Secret>;
  deleteNamespacedSecret(params: { name: string; namespace: string; body: { preconditions: { uid?: string; resourceVersion?: string } } }): Promise<unknown>;
}

export function secretApi(kubeConfig: KubeConfig): SecretApi {
  const collection = (namespace: string) => `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`;
  const item = (namespace: string, name: string) => `${collection(namespace)}/${encodeURIComponent(name)}`;
  return {
    readNamespacedSecret: ({ name, namespace }) => requestJson(kubeConfig, { path: item(namespace, name) }),
    createNamespacedSecret: ({ namespace, body }) => requestJson(kubeConfig, { method: 'POST', path: collection(namespace), body }),
    replaceNamespacedSecret: ({ name, namespace, body }) => requestJson(kubeConfig, { method: 'PUT', path: item(namespace, name), body }),
    deleteNamespacedSecret: ({ name, namespace, body }) => requestJson(kubeConfig, { method: 'DELETE', path: item(namespace, name), body }),
  };
}

const LOST_RACE = new Set([404, 409]);

async function unlessRaceLost<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (LOST_RACE.has(statusCodeOf(error) ?? 0)) return undefined;
    throw error;
  }
}

export function createSecretStore(core: SecretApi, namespace: string, name: string): SecretStore {
  const create = (body: Secret) => unlessRaceLost(() => core.createNamespacedSecret({ namespace, body }));
  return {
    async read() {
      try {
        return await core.readNamespacedSecret({ name, namespace });
      } catch (error) {
        if (statusCodeOf(error) === 404) return undefined;
        throw error;
      }
    },
    async write(current, body) {
      if (!current) return create(body);
      if (current.type === body.type && !current.immutable) return unlessRaceLost(() => core.replaceNamespacedSecret({ name, namespace, body }));
      // A Secret's type cannot change, nor can an immutable Secret: replace the whole object, but
      // only the very version we judged.
      const { uid, resourceVersion } = current.metadata ?? {};
      const deleted = await unlessRaceLost(() => core.deleteNamespacedSecret({ name, namespace, body: { preconditions: { uid, resourceVersion } } }));
      if (!deleted) return undefined;
      return create({ ...body, metadata: { ...body.metadata, uid: undefined, resourceVersion: undefined } });
    },
  };
}
