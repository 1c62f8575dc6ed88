// What a container runtime (containerd) reports for an image: the reference normalised the way
// the Docker distribution rules do, and an imageID `<repository>@sha256:<digest>`. The simulated
// kubelet has no registry, so the digest is derived from the normalised reference: stable per
// image string, different for different images.
import { createHash } from 'node:crypto';

/** `nginx:1.25` -> `docker.io/library/nginx:1.25`; `ghcr.io/a/b` -> `ghcr.io/a/b:latest`. */
export function normaliseImage(image: string): string {
  const at = image.indexOf('@');
  const named = at >= 0 ? image.slice(0, at) : image;
  const digest = at >= 0 ? image.slice(at) : '';
  const slash = named.indexOf('/');
  const first = slash >= 0 ? named.slice(0, slash) : '';
  // The first component is a registry only when it looks like a host: a dot, a port, or localhost.
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let repository = hasRegistry ? named : `docker.io/${named}`;
  if (!hasRegistry && slash < 0) repository = `docker.io/library/${named}`;
  const lastPart = repository.slice(repository.lastIndexOf('/') + 1);
  const tagged = lastPart.includes(':');
  if (digest) return `${repository}${digest}`;
  return tagged ? repository : `${repository}:latest`;
}

/** The repository part of a normalised reference (no tag, no digest). */
function repositoryOf(normalised: string): string {
  const at = normalised.indexOf('@');
  const named = at >= 0 ? normalised.slice(0, at) : normalised;
  const lastSlash = named.lastIndexOf('/');
  const colon = named.indexOf(':', lastSlash);
  return colon >= 0 ? named.slice(0, colon) : named;
}

/** `docker.io/library/nginx@sha256:<hex>`: the digest of a pinned reference, else one derived from it. */
export function imageIdFor(image: string): string {
  const normalised = normaliseImage(image);
  const pinned = /@(sha256:[0-9a-f]{64})$/.exec(normalised)?.[1];
  const digest = pinned ?? `sha256:${createHash('sha256').update(normalised).digest('hex')}`;
  return `${repositoryOf(normalised)}@${digest}`;
}

/** The simulated registry's one failure: a tag ending in `pull-error` cannot be pulled. */
export function cannotPull(image: string): boolean {
  const normalised = normaliseImage(image);
  const at = normalised.indexOf('@');
  const named = at >= 0 ? normalised.slice(0, at) : normalised;
  const tag = named.slice(named.lastIndexOf('/') + 1).split(':')[1] ?? '';
  return tag.endsWith('pull-error');
}
