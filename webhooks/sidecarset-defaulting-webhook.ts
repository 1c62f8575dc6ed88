// The SidecarSet mutating webhook (Kruise's msidecarset.kb.io): fills in defaults on CREATE and
// UPDATE and answers with a JSON Patch from the object as sent to the defaulted one, or with no
// patch when nothing changed (spec Part B §2 step 10).
import jsonpatch from 'fast-json-patch';
import { defaultSidecarSet } from '../src/defaulting.ts';
import { allow, allowDespite, type AdmissionWebhook } from './admission-outcome.ts';
import { outOfScope } from './request-scope.ts';
import { requireSidecarSet, requireSupportedVersion, SIDECARSET_RESOURCE } from './sidecarset-request.ts';

export const SIDECARSET_DEFAULTING_PATH = '/mutate-apps-kruise-io-v1alpha1-sidecarset';

export function sidecarSetDefaultingWebhook(): AdmissionWebhook {
  const scope = { path: SIDECARSET_DEFAULTING_PATH, ...SIDECARSET_RESOURCE, operations: ['CREATE', 'UPDATE'] as const };
  return {
    name: 'mutate-sidecarset',
    path: SIDECARSET_DEFAULTING_PATH,
    mutating: true,
    admit(request) {
      const skip = outOfScope(request, scope);
      if (skip) return skip;
      requireSupportedVersion(request);
      const sidecarSet = requireSidecarSet(request, 'object');
      // compare() escapes '/' and '~' in keys, and adds a missing parent (metadata.annotations) whole.
      return allow({ patch: jsonpatch.compare(sidecarSet, defaultSidecarSet(sidecarSet)) });
    },
    // Defaulting throws on values of the wrong type; the apiserver's schema validation reports those better.
    onInternalError: (error) => allowDespite(error, 'defaults not applied'),
  };
}
