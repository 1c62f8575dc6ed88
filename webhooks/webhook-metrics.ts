// Prometheus metrics of the admission server, on the Registry the operator exposes at /metrics
// (the caches and the controller register theirs on the same one). Asking twice for one registry
// returns the same set.
import { Counter, Gauge, Histogram } from 'prom-client';
import { perRegistry } from '../src/kube/per-registry.ts';

/** `result` of an admission: allowed (no patch), patched, denied, error (an unexpected exception, answered per policy), malformed (HTTP 4xx, no review). */
export type AdmissionResult = 'allowed' | 'patched' | 'denied' | 'error' | 'malformed';

export interface WebhookMetrics {
  duration: Histogram<'webhook' | 'result'>;
  injections: Counter<'sidecarset'>;
  rejections: Counter<'webhook' | 'reason'>;
  errors: Counter<'webhook'>;
  certificateExpiry: Gauge;
  tlsHandshakes: Counter<'serial'>;
  /** `/convert`: reviews by result, objects by target version, answer time. */
  conversionReviews: Counter<'result'>;
  conversionObjects: Counter<'to'>;
  conversionDuration: Histogram<'result'>;
  refusedConnections: Counter<'limit'>;
  shedRequests: Counter;
}

export const createWebhookMetrics = perRegistry(
  (registers): WebhookMetrics => ({
    duration: new Histogram({
      name: 'sidecarset_webhook_admission_duration_seconds',
      help: 'Time to answer an admission request, from parsed body to reply, by webhook and result (allowed, patched, denied, error, malformed).',
      labelNames: ['webhook', 'result'],
      buckets: [0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    injections: new Counter({
      name: 'sidecarset_webhook_injections_total',
      help: 'Pods admitted with the sidecars of a SidecarSet, by SidecarSet (dry runs not counted).',
      labelNames: ['sidecarset'],
      registers,
    }),
    rejections: new Counter({
      name: 'sidecarset_webhook_rejections_total',
      help: 'Admission requests denied, by webhook and status reason (Invalid, BadRequest, Forbidden, ...).',
      labelNames: ['webhook', 'reason'],
      registers,
    }),
    errors: new Counter({
      name: 'sidecarset_webhook_errors_total',
      help: 'Unexpected exceptions while judging a request (answered per the failure policy: some are admitted unchanged).',
      labelNames: ['webhook'],
      registers,
    }),
    certificateExpiry: new Gauge({
      name: 'sidecarset_webhook_certificate_expiry_timestamp_seconds',
      help: 'notAfter of the serving certificate in use, as a Unix time.',
      registers,
    }),
    tlsHandshakes: new Counter({
      name: 'sidecarset_webhook_tls_handshakes_total',
      help: 'TLS handshakes completed, by serial number (hex) of the serving certificate presented on that connection.',
      labelNames: ['serial'],
      registers,
    }),
    conversionReviews: new Counter({
      name: 'sidecarset_conversion_reviews_total',
      help: 'ConversionReviews answered, by result (success; failure: the whole review failed; malformed: HTTP 400).',
      labelNames: ['result'],
      registers,
    }),
    conversionObjects: new Counter({
      name: 'sidecarset_conversion_objects_total',
      help: 'SidecarSets converted, by the apiVersion they were converted to.',
      labelNames: ['to'],
      registers,
    }),
    conversionDuration: new Histogram({
      name: 'sidecarset_conversion_duration_seconds',
      help: 'Time to answer a ConversionReview, from parsed body to reply, by result.',
      labelNames: ['result'],
      buckets: [0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    refusedConnections: new Counter({
      name: 'sidecarset_webhook_refused_connections_total',
      help: 'Connections closed on arrival because a cap was reached, by cap (server, address).',
      labelNames: ['limit'],
      registers,
    }),
    shedRequests: new Counter({
      name: 'sidecarset_webhook_shed_requests_total',
      help: 'Requests answered 429 because too many request bytes were being read and judged at once.',
      registers,
    }),
  }),
);
