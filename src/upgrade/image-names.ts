// Image references compared as the container runtime sees them: Docker's "familiar name" rules
// (distribution/reference ParseNormalizedNamed + TagNameOnly). `nginx:1.25`, `library/nginx:1.25` and
// `docker.io/library/nginx:1.25` are one image; no tag means `latest`; a digest identifies the image
// by itself. Kruise compares raw strings, so a re-tag with the same digest never completes (kruise#1270)
// and all-digest images under containerd (`docker.io/library/x@sha256:...`) never look consistent.
import { imageIdReference, parseImageReference } from '../../controllers/image-reference.ts';

export interface NormalizedImage {
  /** Fully qualified repository, e.g. `docker.io/library/nginx`. */
  name: string;
  /** `latest` when the reference has neither tag nor digest. */
  tag: string;
  digest: string;
}

const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';

/** Normalises an image reference; undefined when it does not parse. */
export function normalizeImage(image: string): NormalizedImage | undefined {
  const reference = parseImageReference(image);
  if (!reference) return undefined;
  const slash = reference.name.indexOf('/');
  const first = slash < 0 ? '' : reference.name.slice(0, slash);
  let domain: string;
  let path: string;
  if (slash < 0 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = DEFAULT_DOMAIN;
    path = reference.name;
  } else {
    domain = first === LEGACY_DEFAULT_DOMAIN ? DEFAULT_DOMAIN : first;
    path = reference.name.slice(slash + 1);
  }
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = `library/${path}`;
  const tag = reference.tag || (reference.digest ? '' : 'latest');
  return { name: `${domain}/${path}`, tag, digest: reference.digest };
}

/** Whether two references name the same image: by digest when both carry one, else by name and tag. */
export function isSameNormalizedImage(a: string, b: string): boolean {
  const left = normalizeImage(a);
  const right = normalizeImage(b);
  if (!left || !right) return a === b;
  if (left.digest && right.digest) return left.name === right.name && left.digest === right.digest;
  return left.name === right.name && left.tag === right.tag;
}

/** Whether a container status imageID (`docker-pullable://repo@sha256:...`, or containerd's form) is this digest image. */
export function imageIdMatches(image: string, imageID: string | undefined): boolean {
  return isSameNormalizedImage(image, imageIdReference(imageID));
}
