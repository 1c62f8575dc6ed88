// Puts the CA bundle into every webhook of the operator's own two webhook configurations and into
// the SidecarSet CRD's conversion webhook (and no others), as a JSON patch of the caBundle fields
// only (`/webhooks/N/clientConfig/caBundle`, `/spec/conversion/webhook/clientConfig/caBundle`):
// every other field, those this code has no type for included, stays as the apiserver has it. The
// patch also carries the read resourceVersion, so an object changed in between (webhooks added,
// reordered) makes the apiserver answer 409 Conflict, and the injector starts over from a fresh read.
import type { KubeConfig } from '@kubernetes/client-node';
import type { ObjectMeta } from '../src/api/core.ts';
import type { JsonPatchOperation } from '../src/json-patch.ts';
import { JSON_PATCH, requestJson, statusCodeOf } from '../src/kube/kube-http.ts';
import type { Logger } from '../src/kube/logger.ts';

/** A Mutating- or ValidatingWebhookConfiguration, typed as far as caBundle injection reads it. */
export interface WebhookConfiguration {
  metadata?: ObjectMeta;
  webhooks?: Array<{
    name?: string;
    clientConfig: { caBundle?: string; url?: string; service?: { name?: string; namespace?: string; path?: string; port?: number }; [field: string]: unknown };
    [field: string]: unknown;
  }>;
  [field: string]: unknown;
}

/** The CRD, typed as far as caBundle injection reads it: the conversion webhook's clientConfig. */
export interface ConversionWebhookCrd {
  kind?: string;
  metadata?: ObjectMeta;
  spec?: { conversion?: { strategy?: string; webhook?: { clientConfig?: { caBundle?: string; [field: string]: unknown } } }; [field: string]: unknown };
  [field: string]: unknown;
}

export type WebhookConfigurationKind = 'MutatingWebhookConfiguration' | 'ValidatingWebhookConfiguration' | 'CustomResourceDefinition';

/** The two calls the injector makes. */
export interface WebhookConfigurationApi {
  read(kind: WebhookConfigurationKind, name: string): Promise<WebhookConfiguration | ConversionWebhookCrd>;
  patch(kind: WebhookConfigurationKind, name: string, operations: JsonPatchOperation[]): Promise<unknown>;
}

/** Collection paths, by kind. */
export const CA_BUNDLE_RESOURCES: Record<WebhookConfigurationKind, string> = {
  MutatingWebhookConfiguration: '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
  ValidatingWebhookConfiguration: '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations',
  CustomResourceDefinition: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
};

export function webhookConfigurationApi(kubeConfig: KubeConfig): WebhookConfigurationApi {
  const path = (kind: WebhookConfigurationKind, name: string) => `${CA_BUNDLE_RESOURCES[kind]}/${encodeURIComponent(name)}`;
  return {
    read: (kind, name) => requestJson<WebhookConfiguration>(kubeConfig, { path: path(kind, name) }),
    patch: (kind, name, operations) => requestJson(kubeConfig, { method: 'PATCH', path: path(kind, name), body: operations, contentType: JSON_PATCH }),
  };
}

/**
 * Where the object's clientConfigs are (JSON pointers) and the caBundle each holds. A CRD's conversion
 * webhook counts only when it is a Service of `namespace`, ours: one pointing elsewhere (another
 * converter, say during a move from Kruise) is not ours to re-key.
 */
function clientConfigs(object: WebhookConfiguration | ConversionWebhookCrd, namespace?: string): { pointer: string; caBundle?: string }[] {
  if (object.kind === 'CustomResourceDefinition') {
    const clientConfig = (object as ConversionWebhookCrd).spec?.conversion?.webhook?.clientConfig;
    const ours = clientConfig !== undefined && (clientConfig.service as { namespace?: string } | undefined)?.namespace === namespace;
    return ours ? [{ pointer: '/spec/conversion/webhook/clientConfig', caBundle: clientConfig.caBundle }] : [];
  }
  return ((object as WebhookConfiguration).webhooks ?? []).map((webhook, index) => ({ pointer: `/webhooks/${index}/clientConfig`, caBundle: webhook.clientConfig.caBundle }));
}

/** The patch making every clientConfig of `object` (ours, for a CRD) trust `caBundleBase64`, or undefined if all already do. */
export function caBundlePatch(object: WebhookConfiguration | ConversionWebhookCrd, caBundleBase64: string, namespace?: string): JsonPatchOperation[] | undefined {
  const targets = clientConfigs(object, namespace);
  if (targets.every((target) => target.caBundle === caBundleBase64)) return undefined;
  return [
    // Not a change: the apiserver compares it with the stored version and answers 409 if they differ.
    { op: 'replace', path: '/metadata/resourceVersion', value: object.metadata?.resourceVersion },
    // `add` sets a member whether or not it exists.
    ...targets.map((target) => ({ op: 'add', path: `${target.pointer}/caBundle`, value: caBundleBase64 })),
  ];
}

export interface CaBundleInjector {
  /**
   * Makes both configurations and the CRD trust `bundlePem`. Resolves to true if any had to be
   * changed. A missing object is logged and skipped: it is patched once it appears.
   */
  publish(bundlePem: string): Promise<boolean>;
}

export interface CaBundleInjectorOptions {
  api: WebhookConfigurationApi;
  mutatingWebhookConfiguration: string;
  validatingWebhookConfiguration: string;
  /** The SidecarSet CRD, whose conversion webhook is served by the same certificate. */
  customResourceDefinition: string;
  /** The operator's namespace: the CRD's conversion webhook is ours when its Service lives there. */
  namespace: string;
  logger: Logger;
}

const MAX_CONFLICTS = 5;

export function createCaBundleInjector(options: CaBundleInjectorOptions): CaBundleInjector {
  const { api, logger } = options;
  const configurations: Array<{ kind: WebhookConfigurationKind; name: string }> = [
    { kind: 'MutatingWebhookConfiguration', name: options.mutatingWebhookConfiguration },
    { kind: 'ValidatingWebhookConfiguration', name: options.validatingWebhookConfiguration },
    { kind: 'CustomResourceDefinition', name: options.customResourceDefinition },
  ];

  /** Configurations last seen missing: logged when they go missing and when they come back, not at every sync. */
  const missing = new Set<string>();

  async function inject(kind: WebhookConfigurationKind, name: string, caBundle: string): Promise<boolean> {
    for (let attempt = 1; attempt <= MAX_CONFLICTS; attempt++) {
      let current: WebhookConfiguration | ConversionWebhookCrd;
      try {
        current = await api.read(kind, name);
      } catch (error) {
        if (statusCodeOf(error) !== 404) throw error;
        if (!missing.has(kind)) logger.warn({ kind, name }, 'webhook configuration not found; caBundle will be injected when it appears');
        missing.add(kind);
        return false;
      }
      if (missing.delete(kind)) logger.info({ kind, name }, 'webhook configuration appeared');
      const patch = caBundlePatch(current, caBundle, options.namespace);
      if (!patch) return false;
      try {
        await api.patch(kind, name, patch);
        logger.info({ kind, name, clientConfigs: clientConfigs(current, options.namespace).length }, 'caBundle injected');
        return true;
      } catch (error) {
        if (statusCodeOf(error) !== 409) throw error;
        logger.debug({ kind, name, attempt }, 'webhook configuration changed while injecting caBundle; retrying');
      }
    }
    throw new Error(`${kind} ${name}: caBundle injection lost ${MAX_CONFLICTS} update races in a row`);
  }

  return {
    async publish(bundlePem) {
      const caBundle = Buffer.from(bundlePem, 'utf8').toString('base64');
      const changed = await Promise.all(configurations.map(({ kind, name }) => inject(kind, name, caBundle)));
      return changed.some(Boolean);
    },
  };
}
