// Puts the CA bundle into every webhook of the operator's own two webhook configurations (and no
// others). The webhooks field is a list, so a patch cannot address "every caBundle": read, set,
// replace with the read resourceVersion, and start over on a conflict.
import type {
  AdmissionregistrationV1Api,
  V1MutatingWebhookConfiguration,
  V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import { errorFields, type Logger } from '../src/kube/logger.ts';

type WebhookConfiguration = V1MutatingWebhookConfiguration | V1ValidatingWebhookConfiguration;

/** A copy of `config` whose every webhook trusts `caBundleBase64`, or undefined if all already do. */
export function withCaBundle<T extends WebhookConfiguration>(config: T, caBundleBase64: string): T | undefined {
  const webhooks = config.webhooks ?? [];
  if (webhooks.every((webhook) => webhook.clientConfig.caBundle === caBundleBase64)) return undefined;
  const copy = structuredClone(config);
  for (const webhook of copy.webhooks ?? []) webhook.clientConfig.caBundle = caBundleBase64;
  return copy;
}

interface ConfigurationAccess {
  kind: string;
  name: string;
  read(): Promise<WebhookConfiguration>;
  replace(body: WebhookConfiguration): Promise<unknown>;
}

export interface CaBundleInjector {
  /**
   * Makes both configurations trust `bundlePem`. Resolves to true if either had to be changed.
   * A missing configuration is logged and skipped: it is patched once it appears.
   */
  publish(bundlePem: string): Promise<boolean>;
}

export interface CaBundleInjectorOptions {
  api: AdmissionregistrationV1Api;
  mutatingWebhookConfiguration: string;
  validatingWebhookConfiguration: string;
  logger: Logger;
}

const MAX_CONFLICTS = 5;

export function createCaBundleInjector(options: CaBundleInjectorOptions): CaBundleInjector {
  const { api, logger } = options;
  const mutating = options.mutatingWebhookConfiguration;
  const validating = options.validatingWebhookConfiguration;
  const configurations: ConfigurationAccess[] = [
    {
      kind: 'MutatingWebhookConfiguration',
      name: mutating,
      read: () => api.readMutatingWebhookConfiguration({ name: mutating }),
      replace: (body) => api.replaceMutatingWebhookConfiguration({ name: mutating, body: body as V1MutatingWebhookConfiguration }),
    },
    {
      kind: 'ValidatingWebhookConfiguration',
      name: validating,
      read: () => api.readValidatingWebhookConfiguration({ name: validating }),
      replace: (body) => api.replaceValidatingWebhookConfiguration({ name: validating, body: body as V1ValidatingWebhookConfiguration }),
    },
  ];

  /** Configurations last seen missing: logged when they go missing and when they come back, not at every sync. */
  const missing = new Set<string>();

  async function inject(configuration: ConfigurationAccess, caBundle: string): Promise<boolean> {
    const { kind, name } = configuration;
    for (let attempt = 1; attempt <= MAX_CONFLICTS; attempt++) {
      let current: WebhookConfiguration;
      try {
        current = await configuration.read();
      } catch (error) {
        if (errorFields(error).err.code !== 404) throw error;
        if (!missing.has(kind)) logger.warn({ kind, name }, 'webhook configuration not found; caBundle will be injected when it appears');
        missing.add(kind);
        return false;
      }
      if (missing.delete(kind)) logger.info({ kind, name }, 'webhook configuration appeared');
      const updated = withCaBundle(current, caBundle);
      if (!updated) return false;
      try {
        await configuration.replace(updated);
        logger.info({ kind, name, webhooks: updated.webhooks?.length ?? 0 }, 'caBundle injected');
        return true;
      } catch (error) {
        if (errorFields(error).err.code !== 409) throw error;
        logger.debug({ kind, name, attempt }, 'webhook configuration changed while injecting caBundle; retrying');
      }
    }
    throw new Error(`${kind} ${name}: caBundle injection lost ${MAX_CONFLICTS} update races in a row`);
  }

  return {
    async publish(bundlePem) {
      const caBundle = Buffer.from(bundlePem, 'utf8').toString('base64');
      const changed = await Promise.all(configurations.map((configuration) => inject(configuration, caBundle)));
      return changed.some(Boolean);
    },
  };
}
