// What a webhook decides, before it is written as an AdmissionReview, and the policy for every
// kind of failure. A denial is final whatever the configuration's failurePolicy says, so each
// class of error below is either denied (fail closed) or admitted with a warning (fail open),
// chosen by what failing closed would break.
//
// | situation                                                   | endpoints           | answer                                   | why |
// |-------------------------------------------------------------|---------------------|------------------------------------------|-----|
// | body not JSON, not an AdmissionReview v1, no request or uid, | all                 | HTTP 400, Status body, no review         | nothing to answer to; a real apiserver never sends it, and then counts it as a webhook failure |
// |   fields of the wrong type                                  |                     |                                          | |
// | body over the limit / too slow / not JSON content type       | all                 | HTTP 413 / 408 / 415                     | same |
// | a `__proto__` key anywhere in the body                       | all                 | HTTP 400 (the JSON parser refuses it)    | never sent by an apiserver for a valid object; refusing keeps prototype keys out of every handler |
// | object or oldObject nested deeper than 100 levels            | all                 | denied 400 BadRequest                    | recursive code would overflow the stack; real objects stay under 20 levels |
// | resource the endpoint does not serve (misregistered config)  | all                 | allowed, no patch, warning, log          | denying would block every write of a resource we do not own |
// | subresource; operation the endpoint does not act on          | all                 | allowed, no patch                        | nothing to do (Pod UPDATE: Kruise never injects on update) |
// | SidecarSet version other than v1alpha1                       | SidecarSet webhooks | denied 400 BadRequest                    | as Kruise: `unsupported version` |
// | object missing or not shaped like a SidecarSet / Pod          | all                 | denied 400 BadRequest                    | cannot be judged (a Pod's metadata, containers, volumes and pull |
// |   (Pod: core/v1 types of what injection reads)               |                     |   (first field errors in the message)    |   secrets must have their core/v1 types: an apiserver never sends other) |
// | SidecarSet with structural errors                            | mutate SidecarSet   | allowed, no patch, warning               | defaulting assumes the types; the validating webhook names the errors |
// | field errors                                                 | validate SidecarSet | denied 422 Invalid, every error listed   | docs/decisions/denials-are-4xx.md |
// | caches not synced yet, or stale (apiserver not heard from)   | validate, mutate-pod| denied 403 "not yet ready"               | transient, clients retry (as the apiserver's NamespaceLifecycle plugin); admitting would let a conflicting SidecarSet in, or a Pod without its sidecars. Readiness keeps a Service from routing here before that |
// | injection refused (pinned revision missing, bad Pod           | mutate-pod          | denied 403 Forbidden naming the cause    | the SidecarSet requires its sidecars on these Pods; only its Pods are affected, and the message says what to fix |
// |   annotation, invalid merge patch, ...)                      |                     |                                          | |
// | unexpected exception (a bug)                                 | mutate-pod          | allowed unchanged + warning, error log,  | a bug would otherwise stop Pod creation in every namespace the configuration covers |
// |                                                              |                     |   sidecarset_webhook_errors_total        | |
// | unexpected exception (a bug)                                 | validate SidecarSet | denied 403 "internal error"              | fail closed: only SidecarSet writes stop, and an unchecked SidecarSet could break Pod creation |
// | unexpected exception, e.g. defaulting values of a wrong type | mutate SidecarSet   | allowed unchanged + warning              | the apiserver's schema validation then names the bad field; the validating webhook still runs |
//
// dryRun: no handler has side effects (the configurations declare `sideEffects: None`), so a dry
// run is answered exactly like a real request; only the injection counter skips it.
import { truncated } from '../src/field-error.ts';
import type { JsonPatchOperation } from '../src/json-patch.ts';
import type { AdmissionRequest, AdmissionStatus } from './admission-review.ts';

export interface Allowed {
  allowed: true;
  patch?: readonly JsonPatchOperation[];
  warnings?: readonly string[];
  /** Names of the SidecarSets injected into a Pod, for metrics. */
  injected?: readonly string[];
}

export interface Denied {
  allowed: false;
  status: AdmissionStatus;
  warnings?: readonly string[];
}

export type AdmissionOutcome = Allowed | Denied;

/** One webhook endpoint: a pure decision over the request, plus its policy for unexpected errors. */
export interface AdmissionWebhook {
  /** Label in logs and metrics, e.g. `mutate-pod`. */
  name: string;
  path: string;
  mutating: boolean;
  /** The largest request body the route reads (HTTP 413 past it). */
  maxBodyBytes: number;
  /** Throws a Rejection to deny; any other exception goes to onInternalError. */
  admit(request: AdmissionRequest): AdmissionOutcome | Promise<AdmissionOutcome>;
  /** What an exception thrown by admit() becomes (see the table above). */
  onInternalError(error: unknown): AdmissionOutcome;
}

export const allow = (extra: Omit<Allowed, 'allowed'> = {}): Allowed => ({ allowed: true, ...extra });

export const deny = (status: AdmissionStatus): Denied => ({ allowed: false, status });

export const badRequest = (message: string): Denied => deny({ code: 400, reason: 'BadRequest', message });

export const forbidden = (message: string): Denied => deny({ code: 403, reason: 'Forbidden', message });

export const notReady = (what: string): Denied => forbidden(`not yet ready to handle request: ${what}`);

/** Fail open with the error in a warning, for the cases where failing closed would break more. */
export const allowDespite = (error: unknown, what: string): Allowed =>
  allow({ warnings: [`sidecarset webhook: ${what}: ${errorMessage(error)}`] });

/** The message of an error, cut to a readable length: messages can embed request values of any size. */
export function errorMessage(error: unknown): string {
  return truncated(error instanceof Error ? error.message : String(error));
}

/** Thrown by a handler to answer with a prepared denial; unlike any other exception, not a bug. */
export class Rejection extends Error {
  readonly outcome: Denied;
  constructor(outcome: Denied) {
    super(outcome.status.message);
    this.name = 'Rejection';
    this.outcome = outcome;
  }
}
