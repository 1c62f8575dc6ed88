// The admission webhooks the server registers: the SidecarSet ones on the paths of Kruise 1.8 and 1.9
// (docs/behaviour/scope.md), the Pod one on /mutate-pod.
import type { AdmissionWebhook } from './admission-outcome.ts';
import { podInjectionWebhook, type PodInjectionSettings } from './pod-injection-webhook.ts';
import { SIDECARSET_DEFAULTING_PATHS, sidecarSetDefaultingWebhook } from './sidecarset-defaulting-webhook.ts';
import { SIDECARSET_VALIDATION_PATHS, sidecarSetValidationWebhook, type SidecarSetValidationSettings } from './sidecarset-validation-webhook.ts';

export type AdmissionWebhookSettings = SidecarSetValidationSettings & PodInjectionSettings;

export function admissionWebhooks(settings: AdmissionWebhookSettings): AdmissionWebhook[] {
  return [
    ...SIDECARSET_DEFAULTING_PATHS.map((path) => sidecarSetDefaultingWebhook(path)),
    ...SIDECARSET_VALIDATION_PATHS.map((path) => sidecarSetValidationWebhook(settings, path)),
    podInjectionWebhook(settings),
  ];
}
