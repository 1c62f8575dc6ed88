// RFC 6902 JSON Patch operations, as this operator writes them: the Pod injection's patch in an
// AdmissionReview, and the caBundle patch of the webhook configurations.
export interface JsonPatchOperation {
  /** add, remove, replace, move, copy or test. */
  op: string;
  path: string;
  value?: unknown;
  /** move and copy only. */
  from?: string;
}

/** Escapes one reference token of a JSON Pointer (RFC 6901). */
export function escapePointerToken(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}
