// `sidecarset rollout status|pause|resume NAME`: the in-place sidecar rollout of one SidecarSet, the
// way `kubectl rollout` treats a Deployment. `status` prints progress until the rollout completes
// (exit 0), or stops at once on a stall, on Pods that cannot be upgraded in place or at --timeout
// (exit 1); `--watch=false` prints once. `pause`/`resume` set `spec.updateStrategy.paused`.
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Namespace, Pod } from '../api/core.ts';
import { API_VERSION, PLURAL, type SidecarSet } from '../api/sidecarset.ts';
import type { Command, CommandValues } from '../cli/command.ts';
import { parseDuration } from '../cli/duration.ts';
import { InputError } from '../cli/input.ts';
import { MERGE_PATCH, requestJson, statusCodeOf } from '../kube/kube-http.ts';
import { listAll } from '../kube/list-pages.ts';
import { selectPods } from '../status/sidecarset-status.ts';
import { rolloutProgress, type RolloutProgress } from '../upgrade/rollout-progress.ts';
import { loadKubeConfig } from '../kube/kube-config.ts';

const USAGE = `usage: sidecarset rollout status NAME [--watch=true|false] [--timeout DURATION] [--interval DURATION] [--kubeconfig FILE]
       sidecarset rollout pause NAME [--kubeconfig FILE]
       sidecarset rollout resume NAME [--kubeconfig FILE]

status: prints the progress of the SidecarSet's in-place sidecar upgrade until every Pod its
updateStrategy moves runs the current sidecars, ready (exit 0). Exits 1 when the rollout is stuck:
updated Pods not ready past the stall deadline (annotation
sidecarset.kruise.io/upgrade-stall-deadline-seconds, default 600), Pods whose non-image fields changed
(they keep the old sidecars until recreated), or --timeout (default: none) passed.
pause, resume: set or clear spec.updateStrategy.paused.`;

const sidecarSetPath = (name: string) => `/apis/${API_VERSION}/${PLURAL}/${encodeURIComponent(name)}`;

async function getSidecarSet(kubeConfig: KubeConfig, name: string): Promise<SidecarSet> {
  try {
    return await requestJson<SidecarSet>(kubeConfig, { path: sidecarSetPath(name) });
  } catch (error) {
    if (statusCodeOf(error) === 404) throw new InputError(`rollout: sidecarset "${name}" not found`);
    throw error;
  }
}

/** The Pods of the cluster the SidecarSet's selector picks (matchLabels narrow the list on the server). */
async function listPods(kubeConfig: KubeConfig, sidecarSet: SidecarSet): Promise<Pod[]> {
  const labels = Object.entries(sidecarSet.spec.selector?.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`).join(',');
  const path = sidecarSet.spec.namespace ? `/api/v1/namespaces/${encodeURIComponent(sidecarSet.spec.namespace)}/pods` : '/api/v1/pods';
  return listAll<Pod>(kubeConfig, path, { labelSelector: labels || undefined });
}

async function progressOf(kubeConfig: KubeConfig, name: string): Promise<RolloutProgress> {
  const sidecarSet = await getSidecarSet(kubeConfig, name);
  const [pods, namespaces] = await Promise.all([
    listPods(kubeConfig, sidecarSet),
    sidecarSet.spec.namespaceSelector ? listAll<Namespace>(kubeConfig, '/api/v1/namespaces') : Promise.resolve([]),
  ]);
  const labels = new Map(namespaces.map((ns) => [ns.metadata.name ?? '', ns.metadata.labels ?? {}]));
  const { matched } = selectPods(sidecarSet, pods, { namespaceLabels: (ns) => labels.get(ns) });
  return rolloutProgress(sidecarSet, matched, Date.now());
}

function describe(name: string, p: RolloutProgress): string {
  const counts = `${p.updated} of ${p.target} Pod(s) updated, ${p.updatedReady} updated and ready (${p.matched} matched)`;
  if (p.complete) return `sidecarset "${name}" successfully rolled out: ${counts}`;
  return `Waiting for sidecarset "${name}" rollout to finish: ${counts}${p.waitingFor ? `; waiting for ${p.waitingFor}` : ''}`;
}

/** Why the rollout cannot finish by itself, or undefined. */
function stuck(p: RolloutProgress): string | undefined {
  if (p.stalled.length > 0) {
    const pods = p.stalled.slice(0, 5).map((s) => `${s.pod.metadata.namespace}/${s.pod.metadata.name} (${s.reason})`).join(', ');
    return `rollout stalled: ${p.stalled.length} updated Pod(s) not ready past the deadline: ${pods}`;
  }
  if (p.notUpgradable > 0) return `rollout cannot finish: ${p.notUpgradable} Pod(s) changed in non-image fields keep the previous sidecars until recreated`;
  return undefined;
}

function booleanFlag(values: CommandValues, name: string, fallback: boolean): boolean {
  const value = values[name];
  if (value === undefined) return fallback;
  if (value === 'true' || value === true) return true;
  if (value === 'false') return false;
  throw new InputError(`rollout: --${name}: expected true or false, got "${String(value)}"`);
}

function durationFlag(values: CommandValues, name: string, fallback: number | undefined): number | undefined {
  const value = values[name];
  if (typeof value !== 'string') return fallback;
  const ms = parseDuration(value);
  if (ms === undefined || ms < 0) throw new InputError(`rollout: --${name}: not a duration: "${value}"`);
  return ms;
}

async function status(kubeConfig: KubeConfig, name: string, values: CommandValues): Promise<number> {
  const watch = booleanFlag(values, 'watch', true);
  const timeoutMs = durationFlag(values, 'timeout', undefined);
  const intervalMs = durationFlag(values, 'interval', 2_000)!;
  const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const progress = await progressOf(kubeConfig, name);
    const line = describe(name, progress);
    if (line !== last) process.stdout.write(`${line}\n`);
    last = line;
    if (progress.complete) return 0;
    const reason = stuck(progress);
    if (reason) {
      process.stderr.write(`error: ${reason}\n`);
      return 1;
    }
    if (!watch) return 1;
    if (deadline !== undefined && Date.now() >= deadline) {
      process.stderr.write(`error: timed out waiting for the rollout to finish\n`);
      return 1;
    }
    await sleep(intervalMs);
  }
}

async function setPaused(kubeConfig: KubeConfig, name: string, paused: boolean): Promise<number> {
  await getSidecarSet(kubeConfig, name);
  await requestJson(kubeConfig, { method: 'PATCH', path: sidecarSetPath(name), contentType: MERGE_PATCH, body: { spec: { updateStrategy: { paused } } } });
  process.stdout.write(`sidecarset "${name}" ${paused ? 'paused' : 'resumed'}\n`);
  return 0;
}

export const rolloutCommand: Command = {
  usage: USAGE,
  positionals: true,
  options: { watch: { type: 'string' }, timeout: { type: 'string' }, interval: { type: 'string' }, kubeconfig: { type: 'string' } },
  async run(values, positionals) {
    const [action, name, ...extra] = positionals ?? [];
    if (!['status', 'pause', 'resume'].includes(action ?? '') || !name || extra.length > 0) throw new InputError(`rollout: expected status|pause|resume NAME\n${USAGE}`);
    const kubeConfig = loadKubeConfig(typeof values.kubeconfig === 'string' ? values.kubeconfig : undefined);
    if (action === 'status') return status(kubeConfig, name, values);
    return setPaused(kubeConfig, name, action === 'pause');
  },
};
