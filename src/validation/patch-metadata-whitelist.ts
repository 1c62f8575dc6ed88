// The patchPodMetadata whitelist (docs/behaviour/validation.md rule 24): which annotation keys a SidecarSet
// may patch onto Pods. It lives in a ConfigMap under Kruise's key, as JSON
// `{"rules":[{"selector":<LabelSelector over SidecarSet labels>,"allowedAnnotationKeyExprs":["<regex>"]}]}`.
// The expressions are RE2 (Go's regexp syntax, as Kruise reads them) and run on re2js, a linear-time
// engine: a backtracking engine would let `^(a+)+$` and a crafted key freeze the webhook
// (docs/decisions/linear-time-regular-expressions.md).
import { RE2JS } from 're2js';
import type { LabelSelector } from '../api/core.ts';
import type { SidecarSet } from '../api/sidecarset.ts';
import { type FieldError, type FieldPath, invalid, required } from '../field-error.ts';
import { selectorMatches } from '../label-selector.ts';
import { type SchemaNode, sidecarSetSpecSchema } from '../api/schema.ts';
import { validateLabelSelector } from './selectors.ts';
import { parseConfigMapJson } from './configmap-json.ts';
import { compileStructure } from './structural.ts';

export const PATCH_METADATA_WHITELIST_KEY = 'SidecarSet_PatchPodMetadata_WhiteList';

/**
 * The whitelist ConfigMap's name in the operator namespace unless --whitelist-configmap says
 * otherwise: not Kruise's `kruise-configuration` (docs/decisions/whitelist-configmap-name.md).
 */
export const DEFAULT_WHITELIST_CONFIGMAP = 'sidecarset-configuration';

export interface PatchMetadataWhitelistRule {
  /** Which SidecarSets (by their labels) the rule applies to; absent means all. */
  selector?: LabelSelector;
  /** Unanchored, as Kruise's Go regexps are used. */
  allowedAnnotationKeys: RE2JS[];
}

export interface PatchMetadataWhitelist {
  rules: PatchMetadataWhitelistRule[];
}

interface WhitelistDocument {
  rules?: { selector?: LabelSelector; allowedAnnotationKeyExprs?: string[] }[];
}

const whitelistSchema: SchemaNode = {
  type: 'object',
  properties: {
    rules: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          selector: sidecarSetSpecSchema.properties!.selector,
          allowedAnnotationKeyExprs: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
};
const validateWhitelistStructure = compileStructure(whitelistSchema);

/** Parses the ConfigMap value; on any problem returns field errors under `data[<key>]` and no whitelist. */
export function parsePatchMetadataWhitelist(json: string): { whitelist?: PatchMetadataWhitelist; errors: FieldError[] } {
  const { document, path, errors: structural } = parseConfigMapJson(json, PATCH_METADATA_WHITELIST_KEY, validateWhitelistStructure);
  if (!document) return { errors: structural };
  const errors: FieldError[] = [];
  const rules = ((document as WhitelistDocument).rules ?? []).map((rule, index) => {
    const rulePath = path.child('rules').index(index);
    if (rule.selector) errors.push(...validateLabelSelector(rule.selector, rulePath.child('selector')));
    const allowedAnnotationKeys = (rule.allowedAnnotationKeyExprs ?? []).flatMap((expression, expressionIndex) => {
      try {
        return [RE2JS.compile(expression)];
      } catch (error) {
        errors.push(invalid(rulePath.child('allowedAnnotationKeyExprs').index(expressionIndex).text, expression, (error as Error).message));
        return [];
      }
    });
    return { ...(rule.selector ? { selector: rule.selector } : {}), allowedAnnotationKeys };
  });
  return errors.length > 0 ? { errors } : { whitelist: { rules }, errors };
}

/**
 * Rule 24: every patched annotation key must match a regex of a rule selecting this SidecarSet. Without
 * a whitelist, or with no rule for this SidecarSet, `allowWithoutWhitelist` (Kruise's feature gate
 * SidecarSetPatchPodMetadataDefaultsAllowed) lets every key through.
 */
export function validatePatchMetadataWhitelist(
  sidecarSet: SidecarSet,
  whitelist: PatchMetadataWhitelist | undefined,
  allowWithoutWhitelist: boolean,
  path: FieldPath,
): FieldError[] {
  const patches = sidecarSet.spec.patchPodMetadata ?? [];
  if (patches.length === 0) return [];
  if (!whitelist) return allowWithoutWhitelist ? [] : [required(path.text, 'SidecarSet patch metadata whitelist not found')];
  const labels = sidecarSet.metadata.labels ?? {};
  const allowed = whitelist.rules.filter((rule) => !rule.selector || selectorMatches(rule.selector, labels)).flatMap((rule) => rule.allowedAnnotationKeys);
  if (allowed.length === 0) return allowWithoutWhitelist ? [] : [required(path.text, 'sidecarSet patch metadata annotation is not allowed')];
  const keys = new Set(patches.flatMap((patch) => Object.keys(patch.annotations ?? {})));
  return [...keys]
    .filter((key) => !allowed.some((pattern) => pattern.test(key)))
    .map((key) => required(path.text, `sidecarSet patch metadata annotation(${key}) is not allowed`));
}
