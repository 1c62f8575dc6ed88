// The AdmissionReview protocol, admission.k8s.io/v1, as kube-apiserver speaks it
// (docs/behaviour/admission.md): reading a request and writing the reply.
//
// parseAdmissionReview() is strict about the envelope: anything a real apiserver would never send
// (not JSON, another apiVersion or kind, no request, no uid, fields of the wrong type) throws
// MalformedReviewError, which the server answers with HTTP 400. What the envelope carries
// (`object`, `oldObject`) is only checked to be an object or absent; the handlers judge it.
import { isJsonObject } from '../src/json-object.ts';
import type { JsonPatchOperation } from '../src/json-patch.ts';

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';
export const ADMISSION_KIND = 'AdmissionReview';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
const OPERATIONS: ReadonlySet<string> = new Set<Operation>(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  resource: GroupVersionResource;
  subResource?: string;
  name?: string;
  namespace?: string;
  operation: Operation;
  /** A JSON object, or undefined (absent or null: DELETE has no object, CREATE no oldObject). */
  object?: Record<string, unknown>;
  oldObject?: Record<string, unknown>;
  dryRun: boolean;
}

/** metav1.StatusCause: one field error, as the apiserver lists them under `details.causes`. */
export interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

/** The metav1.Status of a denial; the apiserver hands it to the client with the message prefixed. */
export interface AdmissionStatus {
  code: number;
  reason: string;
  message: string;
  details?: { group?: string; kind?: string; name?: string; causes?: StatusCause[] };
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: AdmissionStatus;
  patchType?: 'JSONPatch';
  /** Base64 of the JSON Patch (RFC 6902). */
  patch?: string;
  warnings?: string[];
}

export interface AdmissionReviewResponse {
  apiVersion: typeof ADMISSION_API_VERSION;
  kind: typeof ADMISSION_KIND;
  response: AdmissionResponse;
}

export class MalformedReviewError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedReviewError';
  }
}

type JsonObject = Record<string, unknown>;


function fail(message: string): never {
  throw new MalformedReviewError(message);
}

function optionalString(request: JsonObject, field: string): string | undefined {
  const value = request[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') fail(`request.${field} must be a string`);
  return value;
}

function optionalObject(request: JsonObject, field: string): JsonObject | undefined {
  const value = request[field];
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) fail(`request.${field} must be an object`);
  return value;
}

function triple<K extends string>(request: JsonObject, field: string, keys: readonly K[]): Record<K, string> {
  const value = request[field];
  if (!isJsonObject(value)) fail(`request.${field} is required and must be an object`);
  const out = {} as Record<K, string>;
  for (const key of keys) {
    const part = value[key] ?? '';
    if (typeof part !== 'string') fail(`request.${field}.${key} must be a string`);
    out[key] = part;
  }
  return out;
}

/** Reads an AdmissionReview v1 request envelope; throws MalformedReviewError on anything else. */
export function parseAdmissionReview(body: unknown): AdmissionRequest {
  if (!isJsonObject(body)) fail('the body must be a JSON object (an AdmissionReview)');
  if (body.kind !== ADMISSION_KIND) fail(`kind must be ${ADMISSION_KIND}, got ${describe(body.kind)}`);
  if (body.apiVersion !== ADMISSION_API_VERSION) fail(`apiVersion must be ${ADMISSION_API_VERSION}, got ${describe(body.apiVersion)}`);
  const request = body.request;
  if (!isJsonObject(request)) fail('request is required and must be an object');
  const uid = request.uid;
  if (typeof uid !== 'string' || uid === '') fail('request.uid is required and must be a non-empty string');
  const operation = request.operation;
  if (typeof operation !== 'string' || !OPERATIONS.has(operation)) fail(`request.operation must be one of CREATE, UPDATE, DELETE, CONNECT, got ${describe(operation)}`);
  const dryRun = request.dryRun ?? false;
  if (typeof dryRun !== 'boolean') fail('request.dryRun must be a boolean');
  return {
    uid,
    kind: triple(request, 'kind', ['group', 'version', 'kind'] as const),
    resource: triple(request, 'resource', ['group', 'version', 'resource'] as const),
    subResource: optionalString(request, 'subResource') || undefined,
    name: optionalString(request, 'name'),
    namespace: optionalString(request, 'namespace'),
    operation: operation as Operation,
    object: optionalObject(request, 'object'),
    oldObject: optionalObject(request, 'oldObject'),
    dryRun,
  };
}

/** A short rendering of an unexpected value for error messages (never the whole of a large value). */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = typeof value === 'string' ? JSON.stringify(value) : typeof value;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Wraps a response in the review envelope the apiserver checks (apiVersion, kind, echoed uid). */
export function admissionReview(response: AdmissionResponse): AdmissionReviewResponse {
  return { apiVersion: ADMISSION_API_VERSION, kind: ADMISSION_KIND, response };
}

/** `patch` is the JSON of the operations, base64-encoded; an empty patch is omitted with its type. */
export function encodePatch(operations: readonly JsonPatchOperation[]): Pick<AdmissionResponse, 'patch' | 'patchType'> {
  if (operations.length === 0) return {};
  return { patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(operations)).toString('base64') };
}
