// The AdmissionReview protocol pieces on their own: envelope parsing, reply building, warnings,
// and the 422 status built from field errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { invalid, required } from '../../src/field-error.ts';
import { admissionReview, encodePatch, MalformedReviewError, parseAdmissionReview } from '../../webhooks/admission-review.ts';
import { aggregateMessage, invalidStatus } from '../../webhooks/invalid-status.ts';
import { sanitizeWarning, sanitizeWarnings } from '../../webhooks/warnings.ts';
import { pod, podReview } from '../support/admission-requests.ts';

const valid = (): any => podReview(pod('p'), 'ns');

describe('parseAdmissionReview', () => {
  it('reads what the apiserver sends', () => {
    const body = valid();
    const request = parseAdmissionReview(body);
    assert.equal(request.uid, body.request.uid);
    assert.equal(request.operation, 'CREATE');
    assert.deepEqual(request.resource, { group: '', version: 'v1', resource: 'pods' });
    assert.deepEqual(request.kind, { group: '', version: 'v1', kind: 'Pod' });
    assert.equal(request.namespace, 'ns');
    assert.equal(request.dryRun, false);
    assert.equal(request.oldObject, undefined, 'null oldObject reads as absent');
    assert.deepEqual(request.object, body.request.object);
  });

  it('reads an omitted group as the core group and an empty subResource as none', () => {
    const body = valid();
    delete body.request.resource.group;
    body.request.subResource = '';
    const request = parseAdmissionReview(body);
    assert.equal(request.resource.group, '');
    assert.equal(request.subResource, undefined);
  });

  const malformed: [string, (body: any) => unknown, RegExp][] = [
    ['not an object', () => [1, 2], /must be a JSON object/],
    ['a string', () => 'review', /must be a JSON object/],
    ['null', () => null, /must be a JSON object/],
    ['another kind', (b) => ({ ...b, kind: 'ConversionReview' }), /kind must be AdmissionReview, got "ConversionReview"/],
    ['v1beta1', (b) => ({ ...b, apiVersion: 'admission.k8s.io/v1beta1' }), /apiVersion must be admission.k8s.io\/v1, got "admission.k8s.io\/v1beta1"/],
    ['no request', (b) => ({ ...b, request: undefined }), /request is required/],
    ['request a list', (b) => ({ ...b, request: [] }), /request is required and must be an object/],
    ['no uid', (b) => ({ ...b, request: { ...b.request, uid: undefined } }), /request.uid is required/],
    ['empty uid', (b) => ({ ...b, request: { ...b.request, uid: '' } }), /request.uid is required/],
    ['numeric uid', (b) => ({ ...b, request: { ...b.request, uid: 7 } }), /request.uid/],
    ['unknown operation', (b) => ({ ...b, request: { ...b.request, operation: 'PATCH' } }), /request.operation must be one of/],
    ['no resource', (b) => ({ ...b, request: { ...b.request, resource: undefined } }), /request.resource is required/],
    ['resource field of the wrong type', (b) => ({ ...b, request: { ...b.request, resource: { group: '', version: 1, resource: 'pods' } } }), /request.resource.version must be a string/],
    ['no kind', (b) => ({ ...b, request: { ...b.request, kind: 'Pod' } }), /request.kind is required and must be an object/],
    ['object a string', (b) => ({ ...b, request: { ...b.request, object: 'pod' } }), /request.object must be an object/],
    ['oldObject a list', (b) => ({ ...b, request: { ...b.request, oldObject: [] } }), /request.oldObject must be an object/],
    ['dryRun a string', (b) => ({ ...b, request: { ...b.request, dryRun: 'true' } }), /request.dryRun must be a boolean/],
    ['namespace a number', (b) => ({ ...b, request: { ...b.request, namespace: 3 } }), /request.namespace must be a string/],
  ];
  for (const [name, mutate, message] of malformed) {
    it(`refuses ${name}`, () => {
      assert.throws(() => parseAdmissionReview(mutate(valid())), (error: unknown) => error instanceof MalformedReviewError && message.test(error.message));
    });
  }

  it('never echoes a huge value in its message', () => {
    const body = { ...valid(), kind: 'x'.repeat(100_000) };
    assert.throws(() => parseAdmissionReview(body), (error: Error) => error.message.length < 200);
  });
});

describe('review replies', () => {
  it('wrap the response in the exact envelope', () => {
    assert.deepEqual(admissionReview({ uid: 'u', allowed: true }), { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'u', allowed: true } });
  });

  it('carry a patch as base64 JSON with patchType JSONPatch, and nothing for an empty patch', () => {
    const operations = [{ op: 'add', path: '/metadata/annotations', value: { 'kruise.io/x': 'é' } }];
    const encoded = encodePatch(operations);
    assert.equal(encoded.patchType, 'JSONPatch');
    assert.deepEqual(JSON.parse(Buffer.from(encoded.patch!, 'base64').toString('utf8')), operations);
    assert.deepEqual(encodePatch([]), {});
  });
});

describe('warnings', () => {
  it('become single lines under 120 characters', () => {
    assert.equal(sanitizeWarning('a\nb\tc\r\n  d\u0007e\u2028f'), 'a b c d e f');
    const long = sanitizeWarning('w'.repeat(500));
    assert.equal(long.length, 119);
    assert.ok(long.endsWith('...'));
  });

  it('never cut a surrogate pair', () => {
    const text = sanitizeWarning('😀'.repeat(200));
    assert.equal(Array.from(text).length, 119);
    assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])/.test(text), 'no lone high surrogate');
  });

  it('are de-duplicated, empty ones dropped, and the total bounded', () => {
    assert.deepEqual(sanitizeWarnings(['a', 'a', ' ', '\n', 'b']), ['a', 'b']);
    assert.equal(sanitizeWarnings([]), undefined);
    assert.equal(sanitizeWarnings(['\n']), undefined);
    const many = sanitizeWarnings(Array.from({ length: 200 }, (_, i) => `${i} ${'x'.repeat(100)}`))!;
    assert.ok(many.join('').length <= 4000 && many.length < 200 && many.length > 30);
  });
});

describe('422 from field errors', () => {
  it('renders one error as is and several as the apiserver aggregate, de-duplicated', () => {
    assert.equal(aggregateMessage(['a: x']), 'a: x');
    assert.equal(aggregateMessage(['a: x', 'b: y', 'a: x']), '[a: x, b: y]');
  });

  it('lists the causes with Kubernetes cause types', () => {
    const status = invalidStatus({ group: 'apps.kruise.io', kind: 'SidecarSet', name: 's' }, [
      required('spec.selector', 'no selector defined for SidecarSet'),
      invalid('spec.containers[0].name', 'Bad', 'must be lower case'),
    ]);
    assert.equal(status.code, 422);
    assert.equal(status.reason, 'Invalid');
    assert.equal(status.message, '[spec.selector: Required value: no selector defined for SidecarSet, spec.containers[0].name: Invalid value: "Bad": must be lower case]');
    assert.deepEqual(status.details, {
      group: 'apps.kruise.io',
      kind: 'SidecarSet',
      name: 's',
      causes: [
        { reason: 'FieldValueRequired', message: 'Required value: no selector defined for SidecarSet', field: 'spec.selector' },
        { reason: 'FieldValueInvalid', message: 'Invalid value: "Bad": must be lower case', field: 'spec.containers[0].name' },
      ],
    });
  });
});
