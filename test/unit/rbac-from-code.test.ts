// The chart's RBAC is exactly what the operator's code calls: the test reads every API call of the
// sources (requestJson/openRequest and the HTTP method it sends; createWatchCache, which lists and
// watches), and a table says which resource each calling file addresses. The chart (self mode) must
// grant each verb so derived, and nothing else. A new call, or a call with another method, fails the
// test until the table and the chart say what it needs.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { helmTemplate } from '../support/helm.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The operator process's code; the `explain` and `rollout` commands run with the user's own credentials. */
const SOURCES = ['src', 'controllers', 'certs', 'webhooks'];
const NOT_THE_OPERATOR = new Set(['src/operator/explain-cluster.ts', 'src/operator/explain-command.ts', 'src/operator/rollout-command.ts']);

const VERB_OF_METHOD: Record<string, string> = { GET: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

type Resource = `${string}/${string}`; // group/resource[/subresource]; '' group as ''/pods
const CORE = (resource: string): Resource => `/${resource}`;
const WEBHOOK_CONFIGURATIONS: Resource[] = ['admissionregistration.k8s.io/mutatingwebhookconfigurations', 'admissionregistration.k8s.io/validatingwebhookconfigurations'];
const CRD: Resource = 'apiextensions.k8s.io/customresourcedefinitions';

/** Which resource the API calls of each file address, by HTTP method. */
const CALLS: Record<string, Partial<Record<string, Resource[]>>> = {
  'src/kube/leader-election.ts': { GET: ['coordination.k8s.io/leases'], POST: ['coordination.k8s.io/leases'], PUT: ['coordination.k8s.io/leases'] },
  'controllers/revision-history.ts': { GET: ['apps/controllerrevisions'], POST: ['apps/controllerrevisions'], PATCH: ['apps/controllerrevisions'], DELETE: ['apps/controllerrevisions'] },
  'controllers/status-reconciler.ts': { GET: ['apps.kruise.io/sidecarsets'], PUT: ['apps.kruise.io/sidecarsets/status'] },
  'controllers/events.ts': { POST: [CORE('events')] },
  'controllers/upgrade-reconciler.ts': { GET: [CORE('pods')], PATCH: [CORE('pods'), CORE('pods/status')] },
  'certs/secret-store.ts': { GET: [CORE('secrets')], POST: [CORE('secrets')], PUT: [CORE('secrets')], DELETE: [CORE('secrets')] },
  'certs/ca-bundle.ts': { GET: [...WEBHOOK_CONFIGURATIONS, CRD], PATCH: [...WEBHOOK_CONFIGURATIONS, CRD] },
  'src/operator/webhook-configuration-check.ts': { GET: WEBHOOK_CONFIGURATIONS },
  // The watch cache itself: each createWatchCache below lists and watches its resource.
  'src/kube/watch-cache.ts': { GET: [] },
  // Paged LIST for the user-credential commands only (a test below keeps it so).
  'src/kube/list-pages.ts': { GET: [] },
};
/** What each file's watch caches list and watch. */
const WATCHES: Record<string, Resource[]> = {
  'src/kube/caches.ts': [CORE('pods'), 'apps.kruise.io/sidecarsets', CORE('namespaces'), 'apps/controllerrevisions', CORE('configmaps')],
  'certs/manager.ts': [CORE('secrets'), ...WEBHOOK_CONFIGURATIONS, CRD],
};

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(relative);
    return entry.name.endsWith('.ts') ? [relative] : [];
  });
}

/** The text of the first `{...}` argument after `start`, braces balanced. */
function objectArgument(source: string, start: number): string {
  const open = source.indexOf('{', start);
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    if (source[i] === '{') depth++;
    else if (source[i] === '}' && --depth === 0) return source.slice(open, i + 1);
  }
  return source.slice(open);
}

/** Per file: the HTTP methods of its API calls, and how many createWatchCache calls it makes. */
function callsInSources(): { methods: Map<string, Set<string>>; watchCalls: Map<string, number> } {
  const methods = new Map<string, Set<string>>();
  const watchCalls = new Map<string, number>();
  for (const file of SOURCES.flatMap(sourceFiles)) {
    if (NOT_THE_OPERATOR.has(file) || file === 'src/kube/kube-http.ts') continue;
    const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
    for (const call of source.matchAll(/\b(requestJson|openRequest)(<[^>(]*>)?\(/g)) {
      if (source.slice(0, call.index).match(/(function|import \{[^}]*)\s*$/)) continue;
      const method = /\bmethod: '([A-Z]+)'/.exec(objectArgument(source, call.index!))?.[1] ?? 'GET';
      if (!methods.has(file)) methods.set(file, new Set());
      methods.get(file)!.add(method);
    }
    const watches = [...source.matchAll(/\bcreateWatchCache(<[^>(]*>)?\(/g)].filter((match) => !source.slice(match.index! - 16, match.index).includes('function')).length;
    if (watches > 0 && file !== 'src/kube/watch-cache.ts') watchCalls.set(file, watches);
  }
  return { methods, watchCalls };
}

describe('RBAC derived from the code', () => {
  const { methods, watchCalls } = callsInSources();

  it('knows every file that calls the API, and every method each one sends', () => {
    const found = Object.fromEntries([...methods].map(([file, set]) => [file, [...set].sort()]));
    const expected = Object.fromEntries(Object.entries(CALLS).map(([file, byMethod]) => [file, Object.keys(byMethod).sort()]));
    assert.deepEqual(found, expected);
    assert.deepEqual([...watchCalls.keys()].sort(), Object.keys(WATCHES).sort());
  });

  it('leaves paged LIST to the commands that run with the user\'s credentials', () => {
    const importers = SOURCES.flatMap(sourceFiles).filter((file) => /from '[./]*(kube\/)?list-pages\.ts'/.test(fs.readFileSync(path.join(ROOT, file), 'utf8')));
    assert.ok(importers.length > 0, 'the import pattern finds the commands');
    assert.deepEqual(importers.filter((file) => !NOT_THE_OPERATOR.has(file)), []);
  });

  it('grants exactly the verbs those calls need (self mode)', () => {
    const needed = new Set<string>();
    for (const byMethod of Object.values(CALLS)) {
      for (const [method, resources] of Object.entries(byMethod)) for (const resource of resources ?? []) needed.add(`${resource} ${VERB_OF_METHOD[method]}`);
    }
    for (const resources of Object.values(WATCHES)) for (const resource of resources) for (const verb of ['list', 'watch']) needed.add(`${resource} ${verb}`);
    const objs = helmTemplate({ namespace: 'sidecarset-system' });
    const granted = new Set<string>();
    for (const role of objs.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role')) {
      for (const rule of role.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[]) {
        for (const group of rule.apiGroups) for (const resource of rule.resources) for (const verb of rule.verbs) granted.add(`${group}/${resource} ${verb}`);
      }
    }
    assert.deepEqual([...granted].filter((grant) => !needed.has(grant)).sort(), [], 'granted but never used');
    assert.deepEqual([...needed].filter((need) => !granted.has(need)).sort(), [], 'used but not granted');
  });
});
