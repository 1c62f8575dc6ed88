// Serves one AdmissionWebhook on its path: reads the review, asks the webhook, applies the failure
// policy to what it throws, writes the review reply, and records one log line and the metrics.
import type { FastifyBaseLogger, FastifyInstance, FastifyReply } from 'fastify';
import {
  admissionReview,
  encodePatch,
  MalformedReviewError,
  parseAdmissionReview,
  type AdmissionRequest,
  type AdmissionResponse,
} from './admission-review.ts';
import { truncated } from '../src/field-error.ts';
import { errorMessage, Rejection, type AdmissionOutcome, type AdmissionWebhook } from './admission-outcome.ts';
import { tooDeepDenial } from './nesting-depth.ts';
import { statusBody } from './status-body.ts';
import { sanitizeWarnings } from './warnings.ts';
import type { AdmissionResult, WebhookMetrics } from './webhook-metrics.ts';

export function registerAdmissionWebhook(app: FastifyInstance, webhook: AdmissionWebhook, metrics: WebhookMetrics): void {
  // Synchronous unless the webhook has to wait: most reviews are answered without a promise hop.
  app.post(webhook.path, { bodyLimit: webhook.maxBodyBytes }, (req, reply) => {
    const started = performance.now();
    let request: AdmissionRequest;
    try {
      request = parseAdmissionReview(req.body);
    } catch (error) {
      if (!(error instanceof MalformedReviewError)) throw error;
      metrics.duration.observe({ webhook: webhook.name, result: 'malformed' }, (performance.now() - started) / 1000);
      req.log.warn({ webhook: webhook.name, reason: error.message }, 'malformed admission request');
      return reply.code(400).send(statusBody(400, `malformed AdmissionReview: ${error.message}`));
    }

    let failed = false;
    const onError = (error: unknown): AdmissionOutcome => {
      if (error instanceof Rejection) return error.outcome;
      failed = true;
      metrics.errors.inc({ webhook: webhook.name });
      const outcome = webhook.onInternalError(error);
      req.log.error({ ...describeRequest(webhook, request), err: loggedError(error), allowed: outcome.allowed }, 'admission handler failed');
      return outcome;
    };
    const answer = (outcome: AdmissionOutcome): FastifyReply => {
      const response = toResponse(request.uid, outcome, webhook.mutating);
      const result: AdmissionResult = failed ? 'error' : !response.allowed ? 'denied' : response.patch ? 'patched' : 'allowed';
      metrics.duration.observe({ webhook: webhook.name, result }, (performance.now() - started) / 1000);
      if (!outcome.allowed) metrics.rejections.inc({ webhook: webhook.name, reason: outcome.status.reason });
      if (outcome.allowed && outcome.injected && !request.dryRun) {
        for (const name of outcome.injected) metrics.injections.inc({ sidecarset: name });
      }
      logDecision(req.log, webhook, request, response, result);
      return reply.send(admissionReview(response));
    };

    let decision: AdmissionOutcome | Promise<AdmissionOutcome>;
    try {
      decision = tooDeepDenial(request) ?? webhook.admit(request);
    } catch (error) {
      decision = onError(error);
    }
    return decision instanceof Promise ? decision.catch(onError).then(answer) : answer(decision);
  });
}

/** An exception as logged: its message and stack cut to a readable length (they can embed request values). */
function loggedError(error: unknown): { type: string; message: string; stack?: string } {
  const stack = error instanceof Error && error.stack ? { stack: truncated(error.stack) } : {};
  return { type: error instanceof Error ? error.name : typeof error, message: errorMessage(error), ...stack };
}

function toResponse(uid: string, outcome: AdmissionOutcome, mutating: boolean): AdmissionResponse {
  const warnings = sanitizeWarnings(outcome.warnings);
  const response: AdmissionResponse = outcome.allowed
    ? { uid, allowed: true, ...(mutating && outcome.patch ? encodePatch(outcome.patch) : {}) }
    : { uid, allowed: false, status: outcome.status };
  if (warnings) response.warnings = warnings;
  return response;
}

function describeRequest(webhook: AdmissionWebhook, request: AdmissionRequest): Record<string, unknown> {
  return {
    webhook: webhook.name,
    uid: request.uid,
    operation: request.operation,
    resource: request.resource.group ? `${request.resource.resource}.${request.resource.group}` : request.resource.resource,
    ...(request.subResource ? { subResource: request.subResource } : {}),
    ...(request.namespace ? { namespace: request.namespace } : {}),
    ...(request.name ? { name: request.name } : {}),
    ...(request.dryRun ? { dryRun: true } : {}),
  };
}

/** Denials and warnings at info, routine admissions at debug (one line each, thousands per second). */
function logDecision(log: FastifyBaseLogger, webhook: AdmissionWebhook, request: AdmissionRequest, response: AdmissionResponse, result: AdmissionResult): void {
  const notable = !response.allowed || response.warnings !== undefined;
  if (!notable && log.level !== 'debug' && log.level !== 'trace') return;
  const fields = {
    ...describeRequest(webhook, request),
    result,
    ...(response.status ? { code: response.status.code, message: response.status.message } : {}),
    ...(response.warnings ? { warnings: response.warnings } : {}),
  };
  if (notable) log.info(fields, 'admission');
  else log.debug(fields, 'admission');
}
