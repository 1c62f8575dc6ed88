// The shape of a Pod as the injection reads it: metadata, containers, init containers, volumes and
// pull secrets of the right JSON types. An apiserver decodes a Pod into its Go type before calling a
// webhook, so a Pod that fails this check never comes from one; judging it by this check (instead of
// letting the injection trip over a list that is a string) turns garbage into a clear denial.
// Unknown fields are allowed: a newer apiserver may send fields this schema does not know yet.
import coreSchemas from '../api/generated/core-v1.schema.json' with { type: 'json' };
import type { FieldError } from '../field-error.ts';
import { compilePrunedSchema, withoutNulls, type JsonSchema } from './structural.ts';

/** The schema without `additionalProperties: false`: types are checked, unknown fields pass. */
function typesOnly(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(typesOnly);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(Object.entries(node).filter(([key, value]) => !(key === 'additionalProperties' && value === false)).map(([key, value]) => [key, typesOnly(value)]));
}

const ref = (name: string): JsonSchema => ({ $ref: `#/definitions/io.k8s.api.core.v1.${name}` });
const list = (items: JsonSchema): JsonSchema => ({ type: 'array', items });

const validatePrunedPodShape = compilePrunedSchema({
  definitions: typesOnly(coreSchemas.definitions) as JsonSchema,
  type: 'object',
  required: ['spec'],
  properties: {
    metadata: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' },
    spec: {
      type: 'object',
      required: ['containers'],
      properties: {
        containers: list(ref('Container')),
        initContainers: list(ref('Container')),
        volumes: list(ref('Volume')),
        imagePullSecrets: list(ref('LocalObjectReference')),
      },
    },
  },
});

/**
 * The object without null-valued fields (as Go decodes them), and the shape errors of that copy. One
 * pruning walk serves both: on the Pod webhook's path the Pod is the largest thing walked.
 */
export function prunedPodShape(object: unknown): { pod: unknown; errors: FieldError[] } {
  const pod = withoutNulls(object);
  return { pod, errors: validatePrunedPodShape(pod) };
}
