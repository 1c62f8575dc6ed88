// `sidecarset inject`: what the Pod webhook would do to Pods created from a file, offline. Like
// `istioctl kube-inject`, workloads get their Pod template injected.
import type { ControllerRevision, Pod } from '../api/core.ts';
import type { SidecarSet } from '../api/sidecarset.ts';
import { formatFieldError } from '../field-error.ts';
import { InjectionError } from '../injection/injection-error.ts';
import { injectPod } from '../injection/inject-pod.ts';
import { injectionPatch } from '../injection/patch.ts';
import type { JsonPatchOperation } from '../json-patch.ts';
import { prepareSidecarSets, type PreparedSidecarSets } from '../injection/prepared-sidecarsets.ts';
import { isJsonObject } from '../json-object.ts';
import { DEFAULT_NAMESPACE, type PodNamespace } from '../matching.ts';
import type { Command, CommandValues } from './command.ts';
import { InputError, outputFormat, readObjects, readObjectsOfKind, render, type KubeObject } from './input.ts';
import { defaultWellFormed, describe as describeSidecarSet } from './sidecarset-input.ts';

/** Where each kind keeps the Pod it creates: the object itself for a Pod, else its Pod template. */
const POD_PATHS: Record<string, readonly string[]> = {
  Pod: [],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

const USAGE = `usage: sidecarset inject -f FILE --sidecarsets FILE [--sidecarsets FILE]... [--revisions FILE]...
                        [--namespace NAME] [--namespace-labels k=v,k2=v2] [-o yaml|json] [--patch]

Injects sidecars into every object of FILE as the Pod webhook does when such a Pod is created, and prints
the injected objects. Pods are injected as they are; ${Object.keys(POD_PATHS).filter((kind) => kind !== 'Pod').join(', ')}
get their Pod template injected.

flags:
  -f, --filename FILE         Pods or workloads, YAML or JSON, several documents allowed ('-' for stdin)
      --sidecarsets FILE      SidecarSets (repeatable); they are defaulted first, as the API server would
      --revisions FILE        ControllerRevisions, for SidecarSets that pin one (repeatable)
      --namespace NAME        namespace of the objects that name none (default "default")
      --namespace-labels L    labels of that namespace, for namespaceSelectors; ${NAMESPACE_NAME_LABEL} is always set
                              (other namespaces are known by that label only)
  -o, --output FORMAT         yaml (default) or json
      --patch                 print the JSON Patch (RFC 6902) of each object instead: one patch for one object,
                              a JSON array of patches for several`;

export const injectCommand: Command = {
  usage: USAGE,
  options: {
    filename: { type: 'string', short: 'f' },
    sidecarsets: { type: 'string', multiple: true },
    revisions: { type: 'string', multiple: true },
    namespace: { type: 'string' },
    'namespace-labels': { type: 'string' },
    output: { type: 'string', short: 'o' },
    patch: { type: 'boolean' },
  },
  async run(values: CommandValues) {
    const file = values.filename as string | undefined;
    const sidecarSetFiles = (values.sidecarsets as string[] | undefined) ?? [];
    if (!file) throw new InputError('inject: -f FILE is required');
    if (sidecarSetFiles.length === 0) throw new InputError('inject: at least one --sidecarsets FILE is required');
    const format = outputFormat(values.output as string | undefined);
    const defaultNamespace = (values.namespace as string | undefined) || DEFAULT_NAMESPACE;
    const namespaceLabels = parseLabels(values['namespace-labels'] as string | undefined);

    const sidecarSets = prepareSidecarSets((await readObjectsOfKind(sidecarSetFiles, 'SidecarSet')).map((object) => defaulted(object)));
    const revisions = (await readObjectsOfKind((values.revisions as string[] | undefined) ?? [], 'ControllerRevision')) as unknown as ControllerRevision[];
    const objects = await readObjects(file);
    if (objects.length === 0) throw new InputError(`${file === '-' ? '<stdin>' : file}: no objects found`);

    const namespaceOf = (name: string): PodNamespace => ({
      name,
      labels: { ...(name === defaultNamespace ? namespaceLabels : {}), [NAMESPACE_NAME_LABEL]: name },
    });
    const injected = objects.map((object, index) => injectObject(object, index, { sidecarSets, revisions, defaultNamespace, namespaceOf }));
    if (values.patch) {
      const patches = injected.map(({ patch }) => patch);
      process.stdout.write(`${JSON.stringify(patches.length === 1 ? patches[0] : patches, null, 2)}\n`);
    } else {
      // Injected objects share sub-objects (e.g. transferred env vars); copies keep YAML free of anchors.
      process.stdout.write(render(injected.map(({ object }) => structuredClone(object)), format));
    }
    return 0;
  },
};

/** Defaulted as the API server would store it; a structurally broken SidecarSet is bad input. */
function defaulted(object: KubeObject): SidecarSet {
  const result = defaultWellFormed(object);
  if ('errors' in result) throw new InputError(`${describeSidecarSet(object)}: ${result.errors.map(formatFieldError).join('; ')}`);
  return result.sidecarSet;
}

interface InjectContext {
  sidecarSets: PreparedSidecarSets;
  revisions: readonly ControllerRevision[];
  defaultNamespace: string;
  namespaceOf: (name: string) => PodNamespace;
}

function injectObject(object: KubeObject, index: number, context: InjectContext): { object: KubeObject; patch: JsonPatchOperation[] } {
  const what = describe(object, index);
  const path = object.kind === undefined ? undefined : POD_PATHS[object.kind];
  if (!path) {
    throw new InputError(`${what}: cannot inject kind ${object.kind ?? '(none)'}; expected one of ${Object.keys(POD_PATHS).join(', ')}`);
  }
  const pod = path.reduce<unknown>((value, key) => (isJsonObject(value) ? value[key] : undefined), object);
  if (!isJsonObject(pod) || !isJsonObject(pod.spec)) throw new InputError(`${what}: no Pod spec at ${[...path, 'spec'].join('.')}`);
  const namespace = (isJsonObject(object.metadata) && typeof object.metadata.namespace === 'string' && object.metadata.namespace) || context.defaultNamespace;
  let result;
  try {
    result = injectPod({
      pod: pod as unknown as Pod,
      namespace: context.namespaceOf(namespace),
      sidecarSets: context.sidecarSets,
      revisions: context.revisions,
      now: new Date(),
      random: Math.random,
    });
  } catch (error) {
    if (error instanceof InjectionError) throw new InputError(`${what}: injection refused: ${error.message}`);
    throw error;
  }
  for (const warning of result.warnings) process.stderr.write(`warning: ${what}: ${warning}\n`);
  const basePath = path.map((key) => `/${key}`).join('');
  return { object: withValueAt(object, path, result.pod) as KubeObject, patch: injectionPatch(pod as unknown as Pod, result.changes, basePath) };
}

/** A copy of `object` with `value` at `path`, copying only the objects along the path. */
function withValueAt(object: unknown, path: readonly string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [key, ...rest] = path;
  const parent = object as Record<string, unknown>;
  return { ...parent, [key]: withValueAt(parent[key], rest, value) };
}

function parseLabels(text: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const item of (text ?? '').split(',')) {
    if (item.trim() === '') continue;
    const equals = item.indexOf('=');
    const key = (equals < 0 ? item : item.slice(0, equals)).trim();
    if (equals < 0 || key === '') throw new InputError(`--namespace-labels: expected key=value, found ${JSON.stringify(item)}`);
    labels[key] = item.slice(equals + 1).trim();
  }
  return labels;
}

function describe(object: KubeObject, index: number): string {
  const metadata = isJsonObject(object.metadata) ? object.metadata : {};
  const name = metadata.name ?? metadata.generateName ?? `#${index + 1}`;
  return `${object.kind ?? 'object'}/${String(name)}`;
}
