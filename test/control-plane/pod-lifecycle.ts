// The part of a kubelet the operator depends on, as one pure function: given a Pod bound to a
// simulated node and the time, the status the kubelet would report next, and when to look again.
// kubelet-simulator.ts applies it through the apiserver; README "Simulated nodes" lists what is
// and is not simulated.
import { randomBytes } from 'node:crypto';
import { cannotPull, imageIdFor, normaliseImage } from './image-reference.ts';

/**
 * Holds readiness false: `"true"` for every container, or a comma-separated list of container
 * names. What a failing readiness probe looks like to everyone else.
 */
export const ANNOTATION_HOLD_UNREADY = 'simulated-kubelet.sidecarset.test/unready';
/** A pulled image backs off to ImagePullBackOff after this long in ErrImagePull. */
export const PULL_BACKOFF_MS = 1000;

type Json = Record<string, any>;

export interface NodeAddressing {
  hostIP: string;
  /** Next free Pod IP on this node. */
  allocatePodIP(): string;
}

export interface LifecycleOptions {
  /** How long a container that (re)started stays not ready before it turns ready. */
  readyDelayMs: number;
  /** When each container (by containerID) started, to the millisecond (startedAt has seconds). */
  startedAtMs: Map<string, number>;
  /** Containers (by name) whose readiness probe failed this time. */
  probeFailed?: ReadonlySet<string>;
}

export interface NextStatus {
  /** Status to write, or undefined when the current one is already right. */
  status?: Json;
  /** Milliseconds until the status changes on its own (a container turning ready), if it will. */
  wakeInMs?: number;
}

const seconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const newContainerId = (): string => `containerd://${randomBytes(32).toString('hex')}`;

function heldUnready(pod: Json, name: string): boolean {
  const v = pod.metadata?.annotations?.[ANNOTATION_HOLD_UNREADY];
  if (v === undefined) return false;
  return v === 'true' || String(v).split(',').map((s: string) => s.trim()).includes(name);
}

interface ContainerOutcome {
  status: Json;
  /** Running (for an init container: completed, or started for a sidecar). */
  done: boolean;
  ready: boolean;
  /** Waiting for the first time (never ran): keeps the Pod Pending. */
  neverRan: boolean;
  wakeInMs?: number;
}

/**
 * One container, as the kubelet drives it: pull (a `pull-error` tag fails), start, turn ready
 * after the delay unless held; a changed image kills the running container and starts a new one
 * (restartCount + 1, lastState terminated).
 */
function container(spec: Json, prior: Json | undefined, kind: 'app' | 'init' | 'sidecar', pod: Json, now: number, o: LifecycleOptions): ContainerOutcome {
  const image = spec.image as string;
  const wanted = normaliseImage(image);
  const base = { name: spec.name, image: wanted };
  const running = prior?.state?.running;
  const sameImage = prior !== undefined && normaliseImage(prior.image ?? '') === wanted;
  const lastTerminated = (): Json =>
    running && prior?.containerID
      ? { terminated: { exitCode: 0, reason: 'Completed', startedAt: running.startedAt, finishedAt: seconds(now), containerID: prior.containerID } }
      : (prior?.lastState ?? {});
  const everRan = Boolean(prior?.containerID || prior?.lastState?.terminated);

  if (cannotPull(image)) {
    // ErrImagePull first, then the back-off; no container is created, so no restart is counted.
    const reason = prior?.state?.waiting?.reason === 'ErrImagePull' || prior?.state?.waiting?.reason === 'ImagePullBackOff' ? 'ImagePullBackOff' : 'ErrImagePull';
    const message = reason === 'ErrImagePull'
      ? `failed to pull and unpack image "${wanted}": not found`
      : `Back-off pulling image "${wanted}"`;
    return {
      status: { ...base, imageID: '', ready: false, started: false, restartCount: prior?.restartCount ?? 0, state: { waiting: { reason, message } }, lastState: lastTerminated() },
      done: false,
      ready: false,
      neverRan: !everRan,
      wakeInMs: reason === 'ErrImagePull' ? PULL_BACKOFF_MS : undefined,
    };
  }

  if (kind === 'init' && sameImage && prior?.state?.terminated) {
    return { status: prior, done: true, ready: true, neverRan: false };
  }
  if (kind === 'init') {
    const at = seconds(now);
    const status = { ...base, imageID: imageIdFor(image), containerID: newContainerId(), ready: true, started: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: at, finishedAt: at } }, lastState: {} };
    return { status, done: true, ready: true, neverRan: false };
  }

  let status: Json;
  if (running && sameImage && prior?.containerID) {
    status = prior;
  } else {
    const containerID = newContainerId();
    o.startedAtMs.set(containerID, now);
    status = {
      ...base,
      imageID: imageIdFor(image),
      containerID,
      ready: false,
      started: true,
      restartCount: (prior?.restartCount ?? 0) + (everRan ? 1 : 0),
      state: { running: { startedAt: seconds(now) } },
      lastState: lastTerminated(),
    };
  }
  const started = o.startedAtMs.get(status.containerID) ?? Date.parse(status.state.running.startedAt);
  const readyAt = started + o.readyDelayMs;
  const held = heldUnready(pod, spec.name) || (o.probeFailed?.has(spec.name) ?? false);
  const ready = !held && now >= readyAt;
  if (status.ready !== ready) status = { ...status, ready };
  return { status, done: true, ready, neverRan: false, wakeInMs: !held && !ready ? readyAt - now : undefined };
}

function waitingForInit(spec: Json, prior: Json | undefined): ContainerOutcome {
  const status = { name: spec.name, image: normaliseImage(spec.image), imageID: '', ready: false, started: false, restartCount: prior?.restartCount ?? 0, state: { waiting: { reason: 'PodInitializing' } }, lastState: prior?.lastState ?? {} };
  return { status, done: false, ready: false, neverRan: true };
}

function condition(prior: Json[], type: string, ok: boolean, now: number): Json {
  const status = ok ? 'True' : 'False';
  const old = prior.find((c) => c.type === type);
  return { type, status, lastProbeTime: null, lastTransitionTime: old?.status === status ? old.lastTransitionTime : seconds(now) };
}

/** Same JSON, key order aside. */
function sameJson(a: unknown, b: unknown): boolean {
  const canon = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canon) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).sort(([x], [y]) => (x < y ? -1 : 1)).map(([k, x]) => [k, canon(x)])) : v;
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}

export function nextPodStatus(pod: Json, node: NodeAddressing, now: number, o: LifecycleOptions): NextStatus {
  const current: Json = pod.status ?? {};
  const priorOf = (list: Json[] | undefined, name: string): Json | undefined => list?.find((s) => s.name === name);
  const wakes: number[] = [];

  // Init containers in order; a sidecar (restartPolicy Always) keeps running beside the app.
  const initStatuses: Json[] = [];
  let initialized = true;
  let sidecarsReady = true;
  for (const spec of pod.spec.initContainers ?? []) {
    const prior = priorOf(current.initContainerStatuses, spec.name);
    const kind = spec.restartPolicy === 'Always' ? 'sidecar' : 'init';
    const r = initialized ? container(spec, prior, kind, pod, now, o) : waitingForInit(spec, prior);
    if (r.wakeInMs !== undefined) wakes.push(r.wakeInMs);
    initStatuses.push(r.status);
    if (!r.done) initialized = false;
    if (kind === 'sidecar' && !r.ready) sidecarsReady = false;
  }

  const appStatuses: Json[] = [];
  let appReady = true;
  let pending = !initialized;
  for (const spec of pod.spec.containers) {
    const prior = priorOf(current.containerStatuses, spec.name);
    const r = initialized ? container(spec, prior, 'app', pod, now, o) : waitingForInit(spec, prior);
    if (r.wakeInMs !== undefined) wakes.push(r.wakeInMs);
    appStatuses.push(r.status);
    if (!r.ready) appReady = false;
    if (r.neverRan) pending = true;
  }

  const priorConditions: Json[] = current.conditions ?? [];
  const containersReady = initialized && appReady && sidecarsReady;
  const gates = (pod.spec.readinessGates ?? []).map((g: Json) => g.conditionType as string);
  const gatesOk = gates.every((t: string) => priorConditions.some((c) => c.type === t && c.status === 'True'));
  const ours = ['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready'];
  const conditions = [
    ...priorConditions.filter((c) => !ours.includes(c.type)),
    condition(priorConditions, 'PodReadyToStartContainers', true, now),
    condition(priorConditions, 'Initialized', initialized, now),
    condition(priorConditions, 'ContainersReady', containersReady, now),
    condition(priorConditions, 'Ready', containersReady && gatesOk, now),
  ];

  const podIP = current.podIP ?? (pod.spec.hostNetwork ? node.hostIP : undefined);
  const next: Json = {
    phase: pending ? 'Pending' : 'Running',
    conditions,
    hostIP: node.hostIP,
    hostIPs: [{ ip: node.hostIP }],
    startTime: current.startTime ?? seconds(now),
    initContainerStatuses: initStatuses,
    containerStatuses: appStatuses,
  };
  const same = podIP !== undefined && Object.entries(next).every(([k, v]) => sameJson(current[k], v));
  const wakeInMs = wakes.length ? Math.max(0, Math.min(...wakes)) : undefined;
  if (same) return { wakeInMs };
  const ip = podIP ?? node.allocatePodIP();
  return { status: { ...next, podIP: ip, podIPs: [{ ip }] }, wakeInMs };
}
