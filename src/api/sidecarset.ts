// The SidecarSet API field for field as OpenKruise 1.9 serves it. The operator works on one model, the
// v1alpha1 shape (`SidecarSet`); v1beta1 objects are converted at the edges (conversion.ts).
import type { Container, LabelSelector, LocalObjectReference, ObjectFieldSelector, ObjectMeta, Volume } from './core.ts';

export const GROUP = 'apps.kruise.io';
export const V1ALPHA1 = 'v1alpha1';
export const V1BETA1 = 'v1beta1';
export type SidecarSetVersion = typeof V1ALPHA1 | typeof V1BETA1;
/** Served versions, the storage version (v1beta1, as in Kruise 1.9) first. */
export const SERVED_VERSIONS: readonly SidecarSetVersion[] = [V1BETA1, V1ALPHA1];
export const STORAGE_VERSION: SidecarSetVersion = V1BETA1;
/** The version of the operator's own model. */
export const VERSION = V1ALPHA1;
export const API_VERSION = `${GROUP}/${VERSION}`;
export const API_VERSION_V1BETA1 = `${GROUP}/${V1BETA1}`;
export const apiVersionOf = (version: SidecarSetVersion): string => `${GROUP}/${version}`;
export const KIND = 'SidecarSet';
export const LIST_KIND = 'SidecarSetList';
export const PLURAL = 'sidecarsets';
export const SINGULAR = 'sidecarset';

export type PodInjectPolicy = 'BeforeAppContainer' | 'AfterAppContainer';
export type UpgradeType = 'ColdUpgrade' | 'HotUpgrade';
export type ShareVolumePolicyType = 'enabled' | 'disabled';
export type PatchPolicy = 'Retain' | 'Overwrite' | 'MergePatchJson';
export type RevisionPolicy = 'Always' | 'Partial';
export type IntOrString = number | string;

export interface ShareVolumePolicy {
  type?: ShareVolumePolicyType | string;
}

export interface SidecarContainerUpgradeStrategy {
  upgradeType?: UpgradeType | string;
  hotUpgradeEmptyImage?: string;
}

export interface TransferEnvVar {
  sourceContainerName?: string;
  sourceContainerNameFrom?: { fieldRef?: ObjectFieldSelector };
  envName?: string;
  envNames?: string[];
}

export interface ResourceExpressions {
  cpu?: string;
  memory?: string;
}

export interface ResourcesPolicy {
  targetContainersMode?: 'sum' | 'max' | string;
  targetContainersNameRegex?: string;
  resourcesExpr?: { limits?: ResourceExpressions; requests?: ResourceExpressions };
}

/** A corev1.Container plus the sidecar-specific fields, inlined as Kruise does. */
export interface SidecarContainer extends Container {
  podInjectPolicy?: PodInjectPolicy | string;
  upgradeStrategy?: SidecarContainerUpgradeStrategy;
  shareVolumePolicy?: ShareVolumePolicy;
  shareVolumeDevicePolicy?: ShareVolumePolicy;
  transferEnv?: TransferEnvVar[];
  resourcesPolicy?: ResourcesPolicy;
}

export interface UpdatePriorityStrategy {
  orderPriority?: { orderedKey: string }[];
  weightPriority?: { weight: number; matchSelector: LabelSelector }[];
}

export interface UpdateScatterTerm {
  key: string;
  value: string;
}

export interface SidecarSetUpdateStrategy {
  type?: 'NotUpdate' | 'RollingUpdate' | string;
  paused?: boolean;
  selector?: LabelSelector;
  partition?: IntOrString;
  maxUnavailable?: IntOrString;
  priorityStrategy?: UpdatePriorityStrategy;
  scatterStrategy?: UpdateScatterTerm[];
}

export interface SidecarSetInjectRevision {
  customVersion?: string;
  revisionName?: string;
  policy?: RevisionPolicy | string;
}

export interface SidecarSetInjectionStrategy {
  paused?: boolean;
  revision?: SidecarSetInjectRevision;
}

export interface SidecarSetPatchPodMetadata {
  annotations?: Record<string, string>;
  patchPolicy?: PatchPolicy | string;
}

export interface SidecarSetSpec {
  selector?: LabelSelector;
  namespace?: string;
  namespaceSelector?: LabelSelector;
  initContainers?: SidecarContainer[];
  containers?: SidecarContainer[];
  volumes?: Volume[];
  updateStrategy?: SidecarSetUpdateStrategy;
  injectionStrategy?: SidecarSetInjectionStrategy;
  imagePullSecrets?: LocalObjectReference[];
  revisionHistoryLimit?: number;
  patchPodMetadata?: SidecarSetPatchPodMetadata[];
}

export interface SidecarSetStatus {
  observedGeneration?: number;
  matchedPods: number;
  updatedPods: number;
  readyPods: number;
  updatedReadyPods?: number;
  latestRevision?: string;
  collisionCount?: number;
}

export interface SidecarSet {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: SidecarSetSpec;
  status?: SidecarSetStatus;
}

/** v1beta1: no `namespace` (a namespaceSelector says it), and `customVersion` instead of the label. */
export interface SidecarSetSpecV1beta1 extends Omit<SidecarSetSpec, 'namespace'> {
  customVersion?: string;
}

export interface SidecarSetV1beta1 extends Omit<SidecarSet, 'spec'> {
  spec: SidecarSetSpecV1beta1;
}

/** Annotation and label keys shared with OpenKruise (docs/behaviour/api.md, docs/behaviour/pod-annotations.md, docs/behaviour/revisions.md). */
export const ANNOTATION_SIDECARSET_HASH = 'kruise.io/sidecarset-hash';
export const ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE = 'kruise.io/sidecarset-hash-without-image';
export const ANNOTATION_INJECTED_LIST = 'kruise.io/sidecarset-injected-list';
export const ANNOTATION_WORKING_HOTUPGRADE_CONTAINER = 'kruise.io/sidecarset-working-hotupgrade-container';
export const ANNOTATION_INPLACE_UPDATE_STATE = 'kruise.io/sidecarset-inplace-update-state';
export const ANNOTATION_VERSION_PREFIX = 'version.sidecarset.kruise.io/';
export const ANNOTATION_VERSION_ALT_PREFIX = 'versionalt.sidecarset.kruise.io/';
export const LABEL_CUSTOM_VERSION = 'apps.kruise.io/sidecarset-custom-version';
/** The label every Namespace carries with its own name; a namespaceSelector on it alone names one namespace. */
export const LABEL_NAMESPACE_NAME = 'kubernetes.io/metadata.name';
export const LABEL_SIDECARSET_NAME = 'kruise.io/sidecarset-name';
export const LABEL_CONTROLLER_REVISION_HASH = 'controller.kubernetes.io/hash';
export const ANNOTATION_CANARY = 'apps.kruise.io/sidecarset-canary';
export const ANNOTATION_CANARY_BASE = 'apps.kruise.io/sidecarset-base';
export const ENV_IS_INJECTED = 'IS_INJECTED';
export const ENV_SIDECARSET_VERSION = 'SIDECARSET_VERSION';
export const ENV_SIDECARSET_VERSION_ALT = 'SIDECARSET_VERSION_ALT';
/** A Pod labelled `sidecarset.kruise.io/inject: "false"` is never injected (docs/behaviour/scope.md): the Pod webhook's objectSelector excludes it. */
export const LABEL_INJECT = 'sidecarset.kruise.io/inject';
export const LABEL_INJECT_OPT_OUT_VALUE = 'false';
