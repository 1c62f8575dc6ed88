// The three admission webhooks the server registers (paths of Kruise v1.8, Part A §2).
import type { AdmissionWebhook } from './admission-outcome.ts';
import { podInjectionWebhook, type PodInjectionSettings } from './pod-injection-webhook.ts';
import { sidecarSetDefaultingWebhook } from './sidecarset-defaulting-webhook.ts';
import { sidecarSetValidationWebhook, type SidecarSetValidationSettings } from './sidecarset-validation-webhook.ts';

export type AdmissionWebhookSettings = SidecarSetValidationSettings & PodInjectionSettings;

export function admissionWebhooks(settings: AdmissionWebhookSettings): AdmissionWebhook[] {
  return [sidecarSetDefaultingWebhook(), sidecarSetValidationWebhook(settings), podInjectionWebhook(settings)];
}
