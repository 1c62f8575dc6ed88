// The one definition of the SidecarSet schema. The CRD in deploy/ is generated from it (src/api/crd.ts),
// and the runtime validation compiles it with ajv (src/validation/structural.ts), swapping the
// schemaless container and volume parts for the strict core/v1 schemas. The two served versions differ
// in two spec fields only (v1alpha1 `namespace`, v1beta1 `customVersion`); everything else is shared.
import { type SidecarSetVersion, V1ALPHA1 } from './sidecarset.ts';

export interface SchemaNode {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  required?: string[];
  enum?: string[];
  default?: unknown;
  anyOf?: SchemaNode[];
  description?: string;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
}

const string = (description?: string): SchemaNode => ({ type: 'string', ...(description ? { description } : {}) });
const int32 = (description?: string): SchemaNode => ({ type: 'integer', format: 'int32', ...(description ? { description } : {}) });
const object = (properties: Record<string, SchemaNode>, extra: Partial<SchemaNode> = {}): SchemaNode => ({
  type: 'object',
  properties,
  ...extra,
});
const array = (items: SchemaNode, extra: Partial<SchemaNode> = {}): SchemaNode => ({ type: 'array', items, ...extra });
const stringMap = (): SchemaNode => ({ type: 'object', additionalProperties: { type: 'string' } });
const intOrString = (description: string): SchemaNode => ({
  anyOf: [{ type: 'integer' }, { type: 'string' }],
  'x-kubernetes-int-or-string': true,
  description,
});

const labelSelector = (description: string): SchemaNode =>
  object(
    {
      matchExpressions: array(
        object(
          {
            key: string(),
            operator: string(),
            values: array(string(), { 'x-kubernetes-list-type': 'atomic' }),
          },
          { required: ['key', 'operator'] },
        ),
        { 'x-kubernetes-list-type': 'atomic' },
      ),
      matchLabels: stringMap(),
    },
    { 'x-kubernetes-map-type': 'atomic', description },
  );

const shareVolumePolicy = (description: string): SchemaNode => object({ type: string() }, { description });

const resourceExpressions = (): SchemaNode => object({ cpu: string(), memory: string() });

const sidecarContainer = (description: string): SchemaNode =>
  object(
    {
      name: string('Name of the sidecar container (DNS-1123 label).'),
      podInjectPolicy: string('BeforeAppContainer or AfterAppContainer: where the sidecar goes among the Pod containers.'),
      upgradeStrategy: object(
        {
          upgradeType: string('ColdUpgrade or HotUpgrade.'),
          hotUpgradeEmptyImage: string('Image run by the idle half of a HotUpgrade pair.'),
        },
        { description: 'How the sidecar is upgraded in place.' },
      ),
      shareVolumePolicy: shareVolumePolicy('enabled: the sidecar also gets the volumeMounts of the Pod app containers.'),
      shareVolumeDevicePolicy: shareVolumePolicy('enabled: the sidecar also gets the volumeDevices of the Pod app containers.'),
      transferEnv: array(
        object({
          sourceContainerName: string(),
          sourceContainerNameFrom: object({
            fieldRef: object({ apiVersion: string(), fieldPath: string() }, { required: ['fieldPath'], 'x-kubernetes-map-type': 'atomic' }),
          }),
          envName: string(),
          envNames: array(string()),
        }),
        { description: 'Env vars copied from a Pod container into the sidecar.' },
      ),
      resourcesPolicy: object(
        {
          targetContainersMode: { type: 'string', enum: ['sum', 'max'] },
          targetContainersNameRegex: { type: 'string', default: '.*' },
          resourcesExpr: object({ limits: resourceExpressions(), requests: resourceExpressions() }),
        },
        { required: ['targetContainersMode'], description: 'Resources computed from the Pod containers at injection.' },
      ),
    },
    {
      required: ['name'],
      description,
      // The corev1.Container part stays schemaless, as in OpenKruise; validation checks it strictly.
      'x-kubernetes-preserve-unknown-fields': true,
    },
  );

const embeddedVolume = (): SchemaNode =>
  object({ name: string() }, { required: ['name'], 'x-kubernetes-preserve-unknown-fields': true });

const VERSION_ONLY_SPEC_FIELDS: Record<SidecarSetVersion, Record<string, SchemaNode>> = {
  v1alpha1: { namespace: string('Only Pods in this namespace are injected.') },
  v1beta1: { customVersion: string('Label apps.kruise.io/sidecarset-custom-version given to the latest ControllerRevision.') },
};

const specSchema = (version: SidecarSetVersion): SchemaNode => object(
  {
    selector: labelSelector('Pods whose labels match are injected. Required and non-empty.'),
    ...VERSION_ONLY_SPEC_FIELDS[version],
    namespaceSelector: labelSelector('Only Pods in namespaces whose labels match are injected.'),
    initContainers: array(sidecarContainer('An init container to inject at Pod creation.')),
    containers: array(sidecarContainer('A sidecar container to inject.')),
    volumes: array(embeddedVolume(), { description: 'Volumes the sidecars may mount; only mounted ones are added to a Pod.' }),
    updateStrategy: object(
      {
        type: string('NotUpdate or RollingUpdate.'),
        paused: { type: 'boolean' },
        selector: labelSelector('Only matching Pods are upgraded.'),
        partition: intOrString('Number or percentage of matched Pods kept on the old version.'),
        maxUnavailable: intOrString('Cap on updated Pods that are not ready.'),
        priorityStrategy: object({
          orderPriority: array(object({ orderedKey: string() }, { required: ['orderedKey'] })),
          weightPriority: array(
            object({ weight: int32(), matchSelector: labelSelector('Pods this weight applies to.') }, { required: ['matchSelector', 'weight'] }),
          ),
        }),
        scatterStrategy: array(object({ key: string(), value: string() }, { required: ['key', 'value'] })),
      },
      { description: 'How injected Pods are upgraded in place.' },
    ),
    injectionStrategy: object(
      {
        paused: { type: 'boolean', description: 'New Pods are not injected.' },
        revision: object(
          {
            customVersion: string(),
            revisionName: string(),
            policy: { type: 'string', enum: ['Always', 'Partial'], default: 'Always' },
          },
          { description: 'Pin injection to a ControllerRevision.' },
        ),
      },
      { description: 'Injection-time behaviour.' },
    ),
    imagePullSecrets: array(object({ name: { type: 'string', default: '' } }, { 'x-kubernetes-map-type': 'atomic' })),
    revisionHistoryLimit: int32('Maximum number of ControllerRevisions kept.'),
    patchPodMetadata: array(
      object({
        annotations: stringMap(),
        patchPolicy: string('Retain, Overwrite or MergePatchJson.'),
      }),
    ),
  },
  { description: 'SidecarSetSpec defines the desired state of SidecarSet.' },
);

export const sidecarSetStatusSchema: SchemaNode = object(
  {
    observedGeneration: { type: 'integer', format: 'int64' },
    matchedPods: int32('Active Pods that match and were injected by this SidecarSet.'),
    updatedPods: int32('Matched Pods that carry the current sidecar hash.'),
    readyPods: int32('Matched Pods that are ready and consistent.'),
    updatedReadyPods: int32('Pods both updated and ready.'),
    latestRevision: string('Name of the latest ControllerRevision.'),
    collisionCount: int32('Hash collision counter for revision names.'),
  },
  { required: ['matchedPods', 'readyPods', 'updatedPods'], description: 'SidecarSetStatus defines the observed state of SidecarSet.' },
);

export const sidecarSetSchemaFor = (version: SidecarSetVersion): SchemaNode => object(
  {
    apiVersion: string(),
    kind: string(),
    metadata: { type: 'object' },
    spec: specSchema(version),
    status: sidecarSetStatusSchema,
  },
  { description: 'SidecarSet is the Schema for the sidecarsets API.' },
);

/** The schema of the operator's own model (v1alpha1). */
export const sidecarSetSchema: SchemaNode = sidecarSetSchemaFor(V1ALPHA1);
export const sidecarSetSpecSchema: SchemaNode = sidecarSetSchema.properties!.spec;
