// The SidecarSet mutating webhook (Kruise's msidecarset.kb.io): fills in defaults on CREATE and
// UPDATE and answers with a JSON Patch from the object as sent to the defaulted one, or with no
// patch when nothing changed (docs/behaviour/defaulting.md step 10). Served on the Kruise 1.8 and 1.9 paths, each
// taking both versions. Defaulting touches only fields the two versions share, so it runs on the
// object in its own version: no conversion, no patch that only a conversion would cause. A
// SidecarSet with structural errors (a list that is a string, ...) gets no defaults and no patch,
// only a warning: the validating webhook, and the apiserver's schema check, refuse it naming those errors.
import jsonpatch from 'fast-json-patch';
import { defaultWellFormed } from '../src/default-well-formed.ts';
import { formatFieldError } from '../src/field-error.ts';
import { allow, allowDespite, type AdmissionWebhook } from './admission-outcome.ts';
import { TWO_OBJECT_REVIEW_BYTES } from './review-size.ts';
import { outOfScope } from './request-scope.ts';
import { requireSidecarSet, requireSupportedVersion, SIDECARSET_RESOURCE } from './sidecarset-request.ts';

/** Kruise 1.8's path, then 1.9's. */
export const SIDECARSET_DEFAULTING_PATHS = ['/mutate-apps-kruise-io-v1alpha1-sidecarset', '/mutate-apps-kruise-io-sidecarset'] as const;

export function sidecarSetDefaultingWebhook(path: string): AdmissionWebhook {
  const scope = { path, ...SIDECARSET_RESOURCE, operations: ['CREATE', 'UPDATE'] as const };
  return {
    name: 'mutate-sidecarset',
    path,
    mutating: true,
    maxBodyBytes: TWO_OBJECT_REVIEW_BYTES,
    admit(request) {
      const skip = outOfScope(request, scope);
      if (skip) return skip;
      const version = requireSupportedVersion(request);
      const sidecarSet = requireSidecarSet(request, 'object', version);
      const defaulted = defaultWellFormed(sidecarSet);
      if (!('sidecarSet' in defaulted)) return allow({ warnings: [`sidecarset webhook: defaults not applied: ${formatFieldError(defaulted.errors[0])}`] });
      // compare() escapes '/' and '~' in keys, and adds a missing parent (metadata.annotations) whole.
      return allow({ patch: jsonpatch.compare(sidecarSet, defaulted.sidecarSet) });
    },
    // A bug in defaulting must not stop SidecarSet writes: the validating webhook still runs.
    onInternalError: (error) => allowDespite(error, 'defaults not applied'),
  };
}
