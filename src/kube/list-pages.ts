// LIST in pages (limit + continue), for the one-shot reads of the CLI: a cluster's Pods in a single
// response can be hundreds of MiB, held twice (text and objects) and built at once by the apiserver.
import type { KubeConfig } from '@kubernetes/client-node';
import { requestJson } from './kube-http.ts';

export const LIST_PAGE_SIZE = 500;

/** Yields every item of the collection at `path`, one page of LIST_PAGE_SIZE at a time. */
export async function* listItems<T>(kubeConfig: KubeConfig, path: string, query: Record<string, string | undefined> = {}): AsyncGenerator<T> {
  let continueToken: string | undefined;
  do {
    const page = await requestJson<{ items?: T[]; metadata?: { continue?: string } }>(kubeConfig, {
      path,
      query: { ...query, limit: String(LIST_PAGE_SIZE), continue: continueToken },
    });
    yield* page.items ?? [];
    continueToken = page.metadata?.continue || undefined;
  } while (continueToken);
}

/** Every item of the collection at `path`, read in pages. */
export async function listAll<T>(kubeConfig: KubeConfig, path: string, query?: Record<string, string | undefined>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of listItems<T>(kubeConfig, path, query)) items.push(item);
  return items;
}
