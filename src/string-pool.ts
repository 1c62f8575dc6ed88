// One copy of strings that many cached objects repeat. JSON.parse gives every Pod its own copy of
// its namespace, images, image IDs, timestamps and injection annotations, although the Pods of one
// workload share them; a cache of 100,000 Pods holds each of those once through a pool. Bounded:
// a full pool starts afresh, so unique strings never pile up (the ones handed out stay valid, only
// later duplicates stop being shared with them).

export interface StringPool {
  /** The pooled string equal to `value` (`value` itself when it is new). */
  intern<T extends string | undefined>(value: T): T;
}

export function createStringPool(limit: number): StringPool {
  let pooled = new Map<string, string>();
  return {
    intern<T extends string | undefined>(value: T): T {
      if (typeof value !== 'string') return value;
      const known = pooled.get(value);
      if (known !== undefined) return known as T;
      if (pooled.size >= limit) pooled = new Map();
      pooled.set(value, value);
      return value;
    },
  };
}
