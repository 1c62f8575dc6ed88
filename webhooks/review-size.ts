// How large a review body can be, from kube-apiserver's own limit: it refuses a write whose body
// exceeds 3 MiB (--max-request-bytes), and etcd stores less, so an object in a review is at most
// about 3 MiB of JSON. A review holds one object (Pod CREATE) or two (SidecarSet UPDATE: object and
// oldObject); 1 MiB more leaves room for the envelope and re-encoding.
const MiB = 1024 * 1024;
const OBJECT_BYTES = 3 * MiB;
const ENVELOPE_BYTES = 1 * MiB;

export const ONE_OBJECT_REVIEW_BYTES = OBJECT_BYTES + ENVELOPE_BYTES;
export const TWO_OBJECT_REVIEW_BYTES = 2 * OBJECT_BYTES + ENVELOPE_BYTES;
/**
 * A ConversionReview converts every object of a LIST at once, so it has no per-object bound. Tens of
 * SidecarSets of a few KiB are usual; 32 MiB leaves room for thousands, and the cap on bytes in
 * flight still lets only one such body in at a time.
 */
export const CONVERSION_REVIEW_BYTES = 32 * MiB;
