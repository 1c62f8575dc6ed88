// Serves `/convert`, the CRD conversion webhook, on the admission server. It reads nothing but the
// request: no cache, no API call, so it answers from the moment the server listens, before the
// caches start. The apiserver needs it to read SidecarSets at all (and our own caches read through
// it), which is why its failures are logged at warn and counted.
import type { FastifyInstance } from 'fastify';
import { CONVERSION_PATH } from '../src/api/crd.ts';
import { conversionReview, convertReview, MalformedConversionReviewError, parseConversionReview } from './conversion-review.ts';
import { CONVERSION_REVIEW_BYTES } from './review-size.ts';
import { statusBody } from './status-body.ts';
import type { WebhookMetrics } from './webhook-metrics.ts';

export function registerConversionWebhook(app: FastifyInstance, metrics: WebhookMetrics): void {
  app.post(CONVERSION_PATH, { bodyLimit: CONVERSION_REVIEW_BYTES }, (req, reply) => {
    const started = performance.now();
    const observe = (result: 'success' | 'failure' | 'malformed') => {
      metrics.conversionReviews.inc({ result });
      metrics.conversionDuration.observe({ result }, (performance.now() - started) / 1000);
    };
    let request;
    try {
      request = parseConversionReview(req.body);
    } catch (error) {
      if (!(error instanceof MalformedConversionReviewError)) throw error;
      observe('malformed');
      req.log.warn({ webhook: 'convert', reason: error.message }, 'malformed conversion review');
      return reply.code(400).send(statusBody(400, `malformed ConversionReview: ${error.message}`));
    }
    const response = convertReview(request);
    const fields = { webhook: 'convert', uid: request.uid, desiredAPIVersion: request.desiredAPIVersion, objects: request.objects.length };
    if (response.result.status === 'Success') {
      observe('success');
      metrics.conversionObjects.inc({ to: request.desiredAPIVersion }, request.objects.length);
      req.log.debug(fields, 'conversion');
    } else {
      observe('failure');
      req.log.warn({ ...fields, message: response.result.message }, 'conversion failed');
    }
    return reply.send(conversionReview(response));
  });
}
