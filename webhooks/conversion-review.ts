// apiextensions.k8s.io/v1 ConversionReview: reading a request and answering it. Every object is
// converted, or the whole review fails with a message naming the object; the apiserver never gets a
// partial list. The uid is echoed either way.
import { ConversionError, convertSidecarSet, parseApiVersion } from '../src/api/conversion.ts';
import { apiVersionOf, SERVED_VERSIONS } from '../src/api/sidecarset.ts';
import { isJsonObject } from '../src/json-object.ts';

export const CONVERSION_REVIEW_API_VERSION = 'apiextensions.k8s.io/v1';
export const CONVERSION_REVIEW_KIND = 'ConversionReview';

export interface ConversionRequest {
  uid: string;
  desiredAPIVersion: string;
  objects: unknown[];
}

export interface ConversionResponse {
  uid: string;
  result: { status: 'Success' } | { status: 'Failure'; message: string };
  convertedObjects?: unknown[];
}

export interface ConversionReview {
  apiVersion: typeof CONVERSION_REVIEW_API_VERSION;
  kind: typeof CONVERSION_REVIEW_KIND;
  response: ConversionResponse;
}

export class MalformedConversionReviewError extends Error {}

export function parseConversionReview(body: unknown): ConversionRequest {
  const fail = (message: string): never => {
    throw new MalformedConversionReviewError(message);
  };
  if (!isJsonObject(body)) return fail('body must be a JSON object');
  if (body.apiVersion !== CONVERSION_REVIEW_API_VERSION) fail(`apiVersion must be ${CONVERSION_REVIEW_API_VERSION}, got ${JSON.stringify(body.apiVersion ?? null)}`);
  if (body.kind !== CONVERSION_REVIEW_KIND) fail(`kind must be ${CONVERSION_REVIEW_KIND}, got ${JSON.stringify(body.kind ?? null)}`);
  const request = body.request;
  if (!isJsonObject(request)) return fail('request must be an object');
  if (typeof request.uid !== 'string' || request.uid === '') fail('request.uid must be a non-empty string');
  if (typeof request.desiredAPIVersion !== 'string') fail('request.desiredAPIVersion must be a string');
  if (request.objects !== undefined && !Array.isArray(request.objects)) fail('request.objects must be a list');
  return { uid: request.uid as string, desiredAPIVersion: request.desiredAPIVersion as string, objects: (request.objects as unknown[] | undefined) ?? [] };
}

/** Converts every object of the request, or fails the whole review. */
export function convertReview(request: ConversionRequest): ConversionResponse {
  const to = parseApiVersion(request.desiredAPIVersion);
  if (!to) {
    const served = SERVED_VERSIONS.map(apiVersionOf).join(', ');
    return { uid: request.uid, result: { status: 'Failure', message: `desiredAPIVersion ${JSON.stringify(request.desiredAPIVersion)} is not one of ${served}` } };
  }
  const convertedObjects: unknown[] = [];
  for (const [index, object] of request.objects.entries()) {
    try {
      convertedObjects.push(convertSidecarSet(object, to));
    } catch (error) {
      if (!(error instanceof ConversionError)) throw error;
      const name = isJsonObject(object) && isJsonObject(object.metadata) && typeof object.metadata.name === 'string' ? ` (${object.metadata.name})` : '';
      return { uid: request.uid, result: { status: 'Failure', message: `objects[${index}]${name}: cannot convert to ${request.desiredAPIVersion}: ${error.message}` } };
    }
  }
  return { uid: request.uid, result: { status: 'Success' }, convertedObjects };
}

export function conversionReview(response: ConversionResponse): ConversionReview {
  return { apiVersion: CONVERSION_REVIEW_API_VERSION, kind: CONVERSION_REVIEW_KIND, response };
}
