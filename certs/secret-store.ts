// Reads and writes the one certificate Secret all replicas share, with optimistic concurrency:
// a write that loses a race (AlreadyExists, Conflict, a failed precondition, a vanished object)
// resolves to undefined, so the caller re-reads and adopts what the winner stored.
import type { CoreV1Api, V1Secret } from '@kubernetes/client-node';
import { errorFields } from '../src/kube/logger.ts';

export interface SecretStore {
  read(): Promise<V1Secret | undefined>;
  /**
   * Stores `body` in place of `current`, the version it was derived from (undefined: create).
   * Resolves to the stored Secret, or undefined when another writer got there first.
   */
  write(current: V1Secret | undefined, body: V1Secret): Promise<V1Secret | undefined>;
}

const LOST_RACE = new Set([404, 409]);

async function unlessRaceLost<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (LOST_RACE.has(errorFields(error).err.code ?? 0)) return undefined;
    throw error;
  }
}

export function createSecretStore(core: CoreV1Api, namespace: string, name: string): SecretStore {
  const create = (body: V1Secret) => unlessRaceLost(() => core.createNamespacedSecret({ namespace, body }));
  return {
    async read() {
      try {
        return await core.readNamespacedSecret({ name, namespace });
      } catch (error) {
        if (errorFields(error).err.code === 404) return undefined;
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
