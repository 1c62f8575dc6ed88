// What a sidecar may copy from the Pod it is injected into (docs/behaviour/injection.md step 10d): the volume mounts,
// devices and subPathExpr env vars of the Pod's app containers (shareVolumePolicy, shareVolumeDevicePolicy),
// the env vars of the Pod's containers (transferEnv), and resources computed from the Pod's containers and
// native-sidecar init containers (resourcesPolicy, docs/behaviour/injection.md). Other init containers are never sources.
//
// Deliberate difference from Kruise, for idempotence: a Pod container that this injection is about to
// replace (same name as a sidecar it places) is not a source. Kruise reads it before overwriting it, so a
// second injection of the same Pod would otherwise see different sources than the first.
import type { Container, EnvVar, Pod, ResourceRequirements, VolumeDevice, VolumeMount } from '../api/core.ts';
import { ENV_IS_INJECTED, type ResourcesPolicy } from '../api/sidecarset.ts';
import { sidecarResources } from '../resources-policy/sidecar-resources.ts';
import type { Labels } from '../label-selector.ts';

export interface SharedMounts {
  mounts: VolumeMount[];
  /** Env vars named by `$(VAR)` in the shared mounts' subPathExpr, taken from the mounting container. */
  envs: EnvVar[];
}

const SUBPATH_EXPR_VARIABLE = /\$\(([-._a-zA-Z][-._a-zA-Z0-9]*)\)/g;

/** A container Kruise injected: its first IS_INJECTED env var says "true". */
export function isInjectedContainer(container: Container): boolean {
  return container.env?.find((env) => env.name === ENV_IS_INJECTED)?.value === 'true';
}

export class PodSources {
  readonly labels: Labels;
  readonly annotations: Labels;
  private readonly containers: readonly Container[];
  private readonly appContainers: readonly Container[];
  private mountsCache?: SharedMounts;
  private devicesCache?: VolumeDevice[];
  private envIndex?: Map<string, Map<string, EnvVar>>;
  private readonly pod: Pod;
  private readonly sidecarNames: ReadonlySet<string>;

  /**
   * `annotations` are the Pod's annotations after patchPodMetadata; `placedNames` the containers this
   * injection places; `sidecarNames` those and the spec names of every matched SidecarSet's containers.
   */
  constructor(pod: Pod, annotations: Labels, placedNames: ReadonlySet<string>, sidecarNames: ReadonlySet<string> = placedNames) {
    this.pod = pod;
    this.sidecarNames = sidecarNames;
    this.labels = pod.metadata?.labels ?? {};
    this.annotations = annotations;
    this.containers = (pod.spec.containers ?? []).filter((container) => !placedNames.has(container.name));
    this.appContainers = this.containers.filter((container) => !isInjectedContainer(container));
  }

  /** Every volume mount of the app containers, with the env vars their subPathExpr refers to. */
  sharedMounts(): SharedMounts {
    if (this.mountsCache) return this.mountsCache;
    const shared: SharedMounts = { mounts: [], envs: [] };
    for (const container of this.appContainers) {
      // First definition of each name, as a search of the list finds it; a Map keeps this linear.
      let envByName: Map<string, EnvVar> | undefined;
      for (const mount of container.volumeMounts ?? []) {
        shared.mounts.push(mount);
        for (const [, name] of (mount.subPathExpr ?? '').matchAll(SUBPATH_EXPR_VARIABLE)) {
          envByName ??= new Map([...(container.env ?? [])].reverse().map((env) => [env.name, env]));
          const env = envByName.get(name);
          if (env) shared.envs.push(env); // a missing variable is only logged by Kruise
        }
      }
    }
    this.mountsCache = shared;
    return shared;
  }

  /** Every volume device of the app containers. */
  sharedDevices(): VolumeDevice[] {
    this.devicesCache ??= this.appContainers.flatMap((container) => container.volumeDevices ?? []);
    return this.devicesCache;
  }

  /** The env var `envName` of container `containerName`; the last definition wins, as in Kruise's lookup map. */
  env(containerName: string, envName: string): EnvVar | undefined {
    if (!this.envIndex) {
      this.envIndex = new Map();
      for (const container of this.containers) {
        const envs = this.envIndex.get(container.name) ?? new Map<string, EnvVar>();
        for (const env of container.env ?? []) envs.set(env.name, env);
        this.envIndex.set(container.name, envs);
      }
    }
    return this.envIndex.get(containerName)?.get(envName);
  }

  /** A sidecar's resources under its resourcesPolicy; throws ResourcesPolicyError. */
  resources(policy: ResourcesPolicy): ResourceRequirements {
    return sidecarResources(policy, this.pod.spec, this.sidecarNames);
  }
}
