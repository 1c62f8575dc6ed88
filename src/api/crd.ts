// Builds the SidecarSet CustomResourceDefinition from the schema in schema.ts: both served versions,
// v1beta1 stored (as Kruise 1.9 stores it, so a cluster moves between Kruise and us without a
// migration), converted by the operator's `/convert` webhook.
import { stringify } from 'yaml';
import { GROUP, KIND, LIST_KIND, PLURAL, SERVED_VERSIONS, SINGULAR, STORAGE_VERSION } from './sidecarset.ts';
import { sidecarSetSchemaFor } from './schema.ts';

export const CRD_NAME = `${PLURAL}.${GROUP}`;
export const CONVERSION_PATH = '/convert';
export const CONVERSION_REVIEW_VERSIONS = ['v1'];

/** Where the apiserver sends ConversionReviews: the webhook Service, or a URL (tests, development). */
export type ConversionClientConfig =
  | { service: { name: string; namespace: string; path: string; port: number }; caBundle?: string }
  | { url: string; caBundle?: string };

/** What `kubectl apply -f deploy/crds/` installs: the Service of a release named sidecarset in sidecarset-system. */
export const DEFAULT_CONVERSION_CLIENT_CONFIG: ConversionClientConfig = {
  service: { name: 'sidecarset-conversion', namespace: 'sidecarset-system', path: CONVERSION_PATH, port: 443 },
};

const PRINTER_COLUMNS = [
  { name: 'MATCHED', type: 'integer', jsonPath: '.status.matchedPods', description: 'The number of pods matched.' },
  { name: 'UPDATED', type: 'integer', jsonPath: '.status.updatedPods', description: 'The number of pods matched and updated.' },
  { name: 'READY', type: 'integer', jsonPath: '.status.readyPods', description: 'The number of pods matched and ready.' },
  { name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

export function sidecarSetCrd(clientConfig: ConversionClientConfig | string = DEFAULT_CONVERSION_CLIENT_CONFIG): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: CRD_NAME },
    spec: {
      group: GROUP,
      names: { kind: KIND, listKind: LIST_KIND, plural: PLURAL, singular: SINGULAR },
      scope: 'Cluster',
      conversion: { strategy: 'Webhook', webhook: { conversionReviewVersions: CONVERSION_REVIEW_VERSIONS, clientConfig } },
      versions: SERVED_VERSIONS.map((version) => ({
        name: version,
        served: true,
        storage: version === STORAGE_VERSION,
        additionalPrinterColumns: PRINTER_COLUMNS,
        schema: { openAPIV3Schema: sidecarSetSchemaFor(version) },
        subresources: { status: {} },
      })),
    },
  };
}

const HEADER = '# Generated from src/api/schema.ts by `npm run generate`. Do not edit.\n';

/** The CRD as committed under deploy/crds/: YAML with a header that names its generator. */
export function renderCrdYaml(): string {
  return `${HEADER}${stringify(sidecarSetCrd(), { lineWidth: 0, aliasDuplicateObjects: false })}`;
}

const CLIENT_CONFIG_PLACEHOLDER = '__CONVERSION_CLIENT_CONFIG__';

/**
 * The chart's CRD: a template, so that the conversion webhook names the release's Service and the
 * certificate mode's caBundle (see the chart's _helpers.tpl), and Helm upgrades it with the chart but
 * never deletes it (every SidecarSet would go with it).
 */
export function renderChartCrdTemplate(): string {
  const body = stringify(sidecarSetCrd(CLIENT_CONFIG_PLACEHOLDER), { lineWidth: 0, aliasDuplicateObjects: false });
  const [before, after] = body.split(`clientConfig: ${CLIENT_CONFIG_PLACEHOLDER}\n`);
  const indent = /( *)$/.exec(before)![1];
  const metadata = `metadata:\n  name: ${CRD_NAME}\n`;
  return [
    HEADER,
    before.replace(metadata, `${metadata}  {{- include "sidecarset.crdMetadata" . | trim | nindent 2 }}\n`),
    `clientConfig:\n${indent}  {{- include "sidecarset.conversionClientConfig" . | trim | nindent ${indent.length + 2} }}\n`,
    after,
  ].join('');
}
