// One entry of a SidecarSet's `initContainers` or `containers`, and the Pod container(s) it becomes
// (docs/behaviour/injection.md steps 10d-10e): its own fields without the SidecarSet-only ones, `IS_INJECTED=true`
// appended to its env, then what it shares or transfers from the Pod, then the hot-upgrade pair if any.
// Everything that does not depend on the Pod is computed once, when the SidecarSet is prepared.
import type { Container, Volume } from '../api/core.ts';
import { ENV_IS_INJECTED, type ResourcesPolicy, type SidecarContainer, type TransferEnvVar } from '../api/sidecarset.ts';
import { mergeEnvVars, mergeVolumeDevices, mergeVolumeMounts } from './container-merge.ts';
import { hotUpgradeContainerNames, hotUpgradePair } from './hot-upgrade.ts';
import type { PodSources } from './pod-sources.ts';
import { transferredEnvs } from './transfer-env.ts';

export interface PreparedSidecar {
  /** Where it sits in the SidecarSet, e.g. `spec.containers[1]`, for messages. */
  readonly path: string;
  readonly specName: string;
  readonly beforeAppContainers: boolean;
  /** An init container with `restartPolicy: Always`. */
  readonly nativeSidecar: boolean;
  /** Injected as the pair `<name>-1`/`<name>-2` (containers, and native-sidecar init containers). */
  readonly hotUpgrade: boolean;
  readonly podContainerNames: readonly string[];
  /** SidecarSet volumes its mounts and devices use, and names it uses that the SidecarSet lacks. */
  readonly volumes: readonly Volume[];
  readonly unknownVolumes: readonly string[];
  /** Resources computed from the Pod replace the sidecar's own (docs/behaviour/injection.md). */
  readonly resourcesPolicy: ResourcesPolicy | undefined;
  /** The Pod container before anything is taken from the Pod. */
  readonly base: Container;
  readonly hotUpgradeEmptyImage: string | undefined;
  readonly sharesVolumes: boolean;
  readonly sharesDevices: boolean;
  readonly transferEnv: readonly TransferEnvVar[];
  /** The finished containers when nothing depends on the Pod. */
  readonly podIndependent: readonly Container[] | undefined;
}

export function prepareSidecar(source: SidecarContainer, path: string, isInit: boolean, volumesByName: ReadonlyMap<string, Volume>): PreparedSidecar {
  const { podInjectPolicy, upgradeStrategy, shareVolumePolicy, shareVolumeDevicePolicy, transferEnv, resourcesPolicy, ...container } = source;
  const base: Container = { ...container, env: [...(container.env ?? []), { name: ENV_IS_INJECTED, value: 'true' }] };
  const nativeSidecar = isInit && container.restartPolicy === 'Always';
  const hotUpgrade = upgradeStrategy?.upgradeType === 'HotUpgrade' && (!isInit || nativeSidecar);
  const volumes: Volume[] = [];
  const unknownVolumes: string[] = [];
  for (const { name } of [...(container.volumeMounts ?? []), ...(container.volumeDevices ?? [])]) {
    const volume = volumesByName.get(name);
    if (volume) volumes.push(volume);
    else unknownVolumes.push(name);
  }
  const sharesVolumes = shareVolumePolicy?.type === 'enabled';
  const sharesDevices = shareVolumeDevicePolicy?.type === 'enabled';
  const transfers = transferEnv ?? [];
  const prepared: Omit<PreparedSidecar, 'podIndependent'> = {
    path,
    specName: container.name,
    beforeAppContainers: podInjectPolicy === 'BeforeAppContainer',
    nativeSidecar,
    hotUpgrade,
    podContainerNames: hotUpgrade ? hotUpgradeContainerNames(container.name) : [container.name],
    volumes,
    unknownVolumes,
    resourcesPolicy: resourcesPolicy ?? undefined,
    base,
    hotUpgradeEmptyImage: upgradeStrategy?.hotUpgradeEmptyImage,
    sharesVolumes,
    sharesDevices,
    transferEnv: transfers,
  };
  const podIndependent = !sharesVolumes && !sharesDevices && transfers.length === 0 && !prepared.resourcesPolicy ? finish(prepared, base) : undefined;
  return { ...prepared, podIndependent };
}

/**
 * The Pod containers this sidecar becomes in this Pod. `warn` receives what Kruise would only log, as a
 * message to append to the sidecar's path; `refuseSecret`, when given, is called (and throws) for a
 * transferEnv of a Secret-backed env var.
 */
export function buildSidecarContainers(sidecar: PreparedSidecar, sources: PodSources, warn: (message: string) => void, refuseSecret?: (message: string) => never): readonly Container[] {
  return sidecar.podIndependent ?? finish(sidecar, withPodContent(sidecar, sources, warn, refuseSecret));
}

function finish(sidecar: Omit<PreparedSidecar, 'podIndependent'>, container: Container): readonly Container[] {
  return sidecar.hotUpgrade ? hotUpgradePair(container, sidecar.hotUpgradeEmptyImage) : [container];
}

function withPodContent(sidecar: PreparedSidecar, sources: PodSources, warn: (message: string) => void, refuseSecret?: (message: string) => never): Container {
  const { base } = sidecar;
  const container: Container = { ...base };
  if (sidecar.resourcesPolicy) container.resources = sources.resources(sidecar.resourcesPolicy);
  const shared = sidecar.sharesVolumes ? sources.sharedMounts() : undefined;
  let transferred = transferredEnvs(sidecar.transferEnv, sources, warn, refuseSecret);
  if (shared) transferred = mergeEnvVars(transferred, shared.envs);
  if (transferred.length > 0) container.env = mergeEnvVars(base.env!, transferred);

  const ownMounts = base.volumeMounts ?? [];
  const ownDevices = base.volumeDevices ?? [];
  if (shared && shared.mounts.length > 0) {
    const mounts = mergeVolumeMounts(ownMounts, shared.mounts, new Set(ownDevices.map((device) => device.devicePath)));
    if (mounts.length > ownMounts.length) container.volumeMounts = mounts;
  }
  if (sidecar.sharesDevices) {
    const mountPaths = new Set((container.volumeMounts ?? []).map((mount) => mount.mountPath));
    const devices = mergeVolumeDevices(ownDevices, sources.sharedDevices(), mountPaths);
    if (devices.length > ownDevices.length) container.volumeDevices = devices;
  }
  return container;
}
