// Plain-JSON shapes of the Kubernetes core/v1 and meta/v1 objects this operator reads and writes.
// Only the fields our logic touches are typed; the index signatures keep every other field intact,
// because a webhook must hand back exactly what it was given plus its own changes.

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  [field: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface ObjectFieldSelector {
  apiVersion?: string;
  fieldPath: string;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: ObjectFieldSelector;
    secretKeyRef?: { name?: string; key: string; optional?: boolean };
    [source: string]: unknown;
  };
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  subPath?: string;
  subPathExpr?: string;
  readOnly?: boolean;
  [field: string]: unknown;
}

export interface VolumeDevice {
  name: string;
  devicePath: string;
}

export interface ContainerPort {
  containerPort: number;
  protocol?: string;
  [field: string]: unknown;
}

export interface HTTPGetAction {
  path?: string;
  port: number | string;
  scheme?: string;
  [field: string]: unknown;
}

/** A probe's or lifecycle hook's action: exactly one of these is set. */
export interface LifecycleHandler {
  exec?: { command?: string[] };
  httpGet?: HTTPGetAction;
  tcpSocket?: { port: number | string };
  grpc?: { port: number };
  sleep?: { seconds: number };
  [field: string]: unknown;
}

export interface Probe extends LifecycleHandler {
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
  terminationGracePeriodSeconds?: number;
}

export interface Lifecycle {
  postStart?: LifecycleHandler;
  preStop?: LifecycleHandler;
  [field: string]: unknown;
}

export type Quantity = string | number;

export interface ResourceRequirements {
  limits?: Record<string, Quantity>;
  requests?: Record<string, Quantity>;
  [field: string]: unknown;
}

export interface Container {
  name: string;
  image?: string;
  ports?: ContainerPort[];
  env?: EnvVar[];
  resources?: ResourceRequirements;
  restartPolicy?: string;
  volumeMounts?: VolumeMount[];
  volumeDevices?: VolumeDevice[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: Lifecycle;
  terminationMessagePath?: string;
  terminationMessagePolicy?: string;
  imagePullPolicy?: string;
  securityContext?: SecurityContext;
  [field: string]: unknown;
}

/** The parts of core/v1 SecurityContext the security policy reads. */
export interface SecurityContext {
  privileged?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  [field: string]: unknown;
}

export interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

export interface DownwardAPIVolumeFile {
  path: string;
  fieldRef?: ObjectFieldSelector;
  [field: string]: unknown;
}

export interface VolumeProjection {
  secret?: { items?: KeyToPath[]; [field: string]: unknown };
  configMap?: { items?: KeyToPath[]; [field: string]: unknown };
  downwardAPI?: { items?: DownwardAPIVolumeFile[]; [field: string]: unknown };
  serviceAccountToken?: { path: string; expirationSeconds?: number; audience?: string };
  [source: string]: unknown;
}

export interface Volume {
  name: string;
  emptyDir?: Record<string, unknown>;
  hostPath?: { path: string; type?: string };
  secret?: { defaultMode?: number; [field: string]: unknown };
  configMap?: { defaultMode?: number; [field: string]: unknown };
  downwardAPI?: { defaultMode?: number; items?: DownwardAPIVolumeFile[]; [field: string]: unknown };
  projected?: { defaultMode?: number; sources?: VolumeProjection[] };
  [source: string]: unknown;
}

export interface LocalObjectReference {
  name?: string;
}

export interface PodCondition {
  type: string;
  status: string;
  [field: string]: unknown;
}

export interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; message?: string; exitCode?: number };
}

export interface ContainerStatus {
  name: string;
  image?: string;
  imageID?: string;
  ready?: boolean;
  restartCount?: number;
  state?: ContainerState;
  [field: string]: unknown;
}

export interface PodSpec {
  nodeName?: string;
  initContainers?: Container[];
  containers: Container[];
  volumes?: Volume[];
  imagePullSecrets?: LocalObjectReference[];
  [field: string]: unknown;
}

export interface PodStatus {
  phase?: string;
  conditions?: PodCondition[];
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
  [field: string]: unknown;
}

export interface Pod {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: PodSpec;
  status?: PodStatus;
}

export interface Namespace {
  metadata: ObjectMeta;
}

export interface ControllerRevision {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  data?: unknown;
  revision: number;
}

export interface Secret {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  type?: string;
  immutable?: boolean;
  /** Base64 values by key. */
  data?: Record<string, string>;
  [field: string]: unknown;
}
