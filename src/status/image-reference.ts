// Just enough of the container image reference grammar (distribution/reference `Parse`, which
// Kruise's ParseImage uses) to tell digest images apart and compare an image with what the runtime
// reports. Unlike Kruise, references are compared normalised, by Docker's "familiar name" rules
// (ParseNormalizedNamed + TagNameOnly): `nginx:1.25`, `library/nginx:1.25` and
// `docker.io/library/nginx:1.25` are one image, no tag means `latest`, and a digest identifies the
// image by itself. Kruise's raw comparison never completes a re-tag with the same digest
// (kruise#1270), nor all-digest images under containerd (`docker.io/library/x@sha256:...`).

export interface ImageReference {
  name: string;
  tag: string;
  digest: string;
}

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const REFERENCE = new RegExp(`^(${NAME})(?::([\\w][\\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$`);
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** Parses an image reference; undefined when distribution's parser would refuse it. */
export function parseImageReference(image: string): ImageReference | undefined {
  const match = REFERENCE.exec(image);
  if (!match) return undefined;
  const [, name, tag = '', digest = ''] = match;
  if (name.length > 255) return undefined;
  if (digest) {
    const [algorithm, hex] = digest.split(':');
    if (DIGEST_HEX_LENGTH[algorithm] !== hex.length || !/^[a-f0-9]+$/.test(hex)) return undefined;
  }
  return { name, tag, digest };
}

/** `repo@sha256:...` (Kruise IsImageDigest). */
export function isDigestImage(image: string | undefined): boolean {
  return (parseImageReference(image ?? '')?.digest ?? '') !== '';
}

const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';

/** The reference with its domain (docker.io by default, `library/` for official images) and default tag filled in. */
export function normalizeImageReference(image: string): ImageReference | undefined {
  const reference = parseImageReference(image);
  if (!reference) return undefined;
  const slash = reference.name.indexOf('/');
  const first = slash < 0 ? '' : reference.name.slice(0, slash);
  let domain = DEFAULT_DOMAIN;
  let path = reference.name;
  if (slash >= 0 && (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first)) {
    domain = first === LEGACY_DEFAULT_DOMAIN ? DEFAULT_DOMAIN : first;
    path = reference.name.slice(slash + 1);
  }
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = `library/${path}`;
  return { name: `${domain}/${path}`, tag: reference.tag || (reference.digest ? '' : 'latest'), digest: reference.digest };
}

/** Kruise IsContainerImageEqual over normalised references: repo+digest when both are digests, else repo+tag. */
export function isSameImage(a: string, b: string): boolean {
  const left = normalizeImageReference(a);
  const right = normalizeImageReference(b);
  if (!left || !right) return a === b;
  if (left.digest && right.digest) return left.name === right.name && left.digest === right.digest;
  return left.name === right.name && left.tag === right.tag;
}

/** A status imageID (`docker-pullable://repo@sha256:...`) without its scheme. */
export function imageIdReference(imageID: string | undefined): string {
  const id = imageID ?? '';
  const scheme = id.indexOf('://');
  return scheme >= 0 ? id.slice(scheme + 3).split('://')[0] : id;
}
