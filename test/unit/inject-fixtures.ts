// Loads the golden injection cases of test/fixtures/injection/ (one YAML file per case) and runs one.
//
// A case holds: `name`, `rule` (what it covers), the inputs `pod`, `sidecarSets`, and optionally
// `namespace` (default: "default", labels known), `revisions`, `now`, `random`, `operation`; then what to
// expect: `expected` (the injected Pod; absent means "unchanged"), or `expectedError` (message), and
// optionally `expectedWarnings`, `expectedInjected`, `expectedPatch` (a value of PRESENT matches anything).
// SidecarSets are defaulted as the API server stores them, keeping the hash annotations the case gives
// (short fake hashes, as Kruise's own tests use).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { ControllerRevision, Pod } from '../../src/api/core.ts';
import { ANNOTATION_SIDECARSET_HASH, ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE, type SidecarSet } from '../../src/api/sidecarset.ts';
import { defaultSidecarSet } from '../../src/defaulting.ts';
import { injectPod, type InjectionResult } from '../../src/injection/inject-pod.ts';
import type { PodNamespace } from '../../src/matching.ts';

export const FIXTURE_DIR = fileURLToPath(new URL('../fixtures/injection/', import.meta.url));

export interface InjectionCase {
  file: string;
  name: string;
  rule: string;
  pod: Pod;
  sidecarSets: SidecarSet[];
  namespace?: PodNamespace;
  revisions?: ControllerRevision[];
  now?: string;
  random?: number;
  operation?: 'CREATE' | 'UPDATE';
  expected?: Pod;
  expectedError?: string;
  expectedWarnings?: string[];
  expectedInjected?: string[];
  expectedPatch?: { op: string; path: string; value?: unknown }[];
}

export const DEFAULT_NOW = '2026-11-23T10:00:00Z';
export const DEFAULT_NAMESPACE: PodNamespace = { name: 'default', labels: { 'kubernetes.io/metadata.name': 'default' } };

export function loadInjectionCases(): InjectionCase[] {
  return readdirSync(FIXTURE_DIR)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => ({ file, ...(parse(readFileSync(`${FIXTURE_DIR}${file}`, 'utf8')) as Omit<InjectionCase, 'file'>) }));
}

/** Defaulted, with the case's own hash annotations when it gives them. */
export function clusterSidecarSet(given: SidecarSet): SidecarSet {
  const sidecarSet = defaultSidecarSet(given);
  for (const key of [ANNOTATION_SIDECARSET_HASH, ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE]) {
    const value = given.metadata.annotations?.[key];
    if (value !== undefined) sidecarSet.metadata.annotations![key] = value;
  }
  return sidecarSet;
}

/** Injects `pod` (the case's Pod unless given) with the case's SidecarSets and settings. */
export function runCase(testCase: InjectionCase, pod: Pod = testCase.pod, sidecarSets = testCase.sidecarSets.map(clusterSidecarSet)): InjectionResult {
  return injectPod({
    pod,
    namespace: testCase.namespace ?? DEFAULT_NAMESPACE,
    sidecarSets,
    revisions: testCase.revisions ?? [],
    now: new Date(testCase.now ?? DEFAULT_NOW),
    random: () => testCase.random ?? 0.5,
    operation: testCase.operation,
  });
}
