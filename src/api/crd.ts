// Builds the SidecarSet CustomResourceDefinition from the schema in schema.ts.
import { stringify } from 'yaml';
import { GROUP, KIND, LIST_KIND, PLURAL, SINGULAR, VERSION } from './sidecarset.ts';
import { sidecarSetSchema } from './schema.ts';

export const CRD_NAME = `${PLURAL}.${GROUP}`;

export function sidecarSetCrd(): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: CRD_NAME },
    spec: {
      group: GROUP,
      names: { kind: KIND, listKind: LIST_KIND, plural: PLURAL, singular: SINGULAR },
      scope: 'Cluster',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          additionalPrinterColumns: [
            { name: 'MATCHED', type: 'integer', jsonPath: '.status.matchedPods', description: 'The number of pods matched.' },
            { name: 'UPDATED', type: 'integer', jsonPath: '.status.updatedPods', description: 'The number of pods matched and updated.' },
            { name: 'READY', type: 'integer', jsonPath: '.status.readyPods', description: 'The number of pods matched and ready.' },
            { name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: { openAPIV3Schema: sidecarSetSchema },
          subresources: { status: {} },
        },
      ],
    },
  };
}

/** The CRD as committed under deploy/: YAML with a header that names its generator. */
export function renderCrdYaml(): string {
  return `# Generated from src/api/schema.ts by \`npm run generate\`. Do not edit.\n${stringify(sidecarSetCrd(), { lineWidth: 0 })}`;
}
