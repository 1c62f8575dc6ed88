// HotUpgrade injection (docs/behaviour/hot-upgrade.md): a sidecar X becomes the pair X-1 (working, real image) and X-2
// (idle, `hotUpgradeEmptyImage`), each told its own and its peer's version through downward-API env vars.
import type { Container, EnvVar } from '../api/core.ts';
import { ANNOTATION_VERSION_ALT_PREFIX, ANNOTATION_VERSION_PREFIX, ENV_SIDECARSET_VERSION, ENV_SIDECARSET_VERSION_ALT } from '../api/sidecarset.ts';

/** The Pod container names of a hot-upgrade sidecar: working first. */
export function hotUpgradeContainerNames(specName: string): [string, string] {
  return [`${specName}-1`, `${specName}-2`];
}

const annotationRef = (key: string): EnvVar['valueFrom'] => ({ fieldRef: { fieldPath: `metadata.annotations['${key}']` } });

function withName(container: Container, name: string, image: string | undefined): Container {
  const named: Container = { ...container, name };
  if (image) named.image = image;
  else delete named.image; // Go omits an empty image
  named.env = [
    ...(container.env ?? []),
    { name: ENV_SIDECARSET_VERSION, valueFrom: annotationRef(`${ANNOTATION_VERSION_PREFIX}${name}`) },
    { name: ENV_SIDECARSET_VERSION_ALT, valueFrom: annotationRef(`${ANNOTATION_VERSION_ALT_PREFIX}${name}`) },
  ];
  return named;
}

/** The two containers that replace `container` (already carrying its merged env, mounts and devices). */
export function hotUpgradePair(container: Container, emptyImage: string | undefined): [Container, Container] {
  const [working, idle] = hotUpgradeContainerNames(container.name);
  return [withName(container, working, container.image), withName(container, idle, emptyImage)];
}

/** Version annotations of a freshly injected pair: the working half is version "1", the idle half "0". */
export function hotUpgradeVersionAnnotations(specName: string): Record<string, string> {
  const [working, idle] = hotUpgradeContainerNames(specName);
  return {
    [`${ANNOTATION_VERSION_PREFIX}${working}`]: '1',
    [`${ANNOTATION_VERSION_ALT_PREFIX}${working}`]: '0',
    [`${ANNOTATION_VERSION_PREFIX}${idle}`]: '0',
    [`${ANNOTATION_VERSION_ALT_PREFIX}${idle}`]: '1',
  };
}
