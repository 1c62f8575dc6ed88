// docs/behaviour/validation.md rules 17, 19, 20, 22 and 23 (sidecars and volumes), and the refusal of resourcesPolicy.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SidecarContainer, SidecarSet } from '../../src/api/sidecarset.ts';
import { defaulted, DNS1123_LABEL_MESSAGE, errorsAfter, errorsOf, QUALIFIED_NAME_MESSAGE } from './validation-helpers.ts';

const agent = (sidecarSet: SidecarSet): SidecarContainer => sidecarSet.spec.containers![0];

/** Errors after changing the defaulted object, for fields the defaulting would otherwise fill in. */
function errorsAfterDefaulting(change: (sidecarSet: SidecarSet) => void): string[] {
  const object = defaulted();
  change(object);
  return errorsOf(object);
}

describe('validation: sidecar fields', () => {
  it('securityContext (found by the Kruise oracle): ids in range, no privileged container without privilege escalation', () => {
    assert.deepEqual(errorsAfter((s) => (agent(s).securityContext = { runAsUser: -1, runAsGroup: 2147483648 })), [
      'spec.containers[0].securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive',
      'spec.containers[0].securityContext.runAsGroup: Invalid value: 2147483648: must be between 0 and 2147483647, inclusive',
    ]);
    assert.deepEqual(errorsAfter((s) => (agent(s).securityContext = { privileged: true, allowPrivilegeEscalation: false, capabilities: { add: ['CAP_SYS_ADMIN'] } })), [
      'spec.containers[0].securityContext: Invalid value: {"privileged":true,"allowPrivilegeEscalation":false,"capabilities":{"add":["CAP_SYS_ADMIN"]}}: cannot set `allowPrivilegeEscalation` to false and `privileged` to true',
      'spec.containers[0].securityContext: Invalid value: {"privileged":true,"allowPrivilegeEscalation":false,"capabilities":{"add":["CAP_SYS_ADMIN"]}}: cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN',
    ]);
    assert.deepEqual(errorsAfter((s) => (agent(s).securityContext = { seccompProfile: { type: 'Localhost' } })), [
      'spec.containers[0].securityContext.seccompProfile.localhostProfile: Required value: must be set when seccomp type is Localhost',
    ]);
    assert.deepEqual(errorsAfter((s) => (agent(s).securityContext = { procMount: 'Weird' })), [
      'spec.containers[0].securityContext.procMount: Unsupported value: "Weird": supported values: "Default", "Unmasked"',
    ]);
    assert.deepEqual(errorsAfter((s) => (agent(s).securityContext = { procMount: 'Unmasked' })), [
      'spec.containers[0].securityContext.procMount: Invalid value: "Unmasked": `hostUsers` must be false to use `Unmasked`',
    ]);
    assert.deepEqual(errorsAfter((s) => (agent(s).securityContext = { privileged: true, runAsUser: 0, procMount: 'Default' })), []);
  });

  it('rule 17: at least one container or init container', () => {
    assert.deepEqual(
      errorsAfter((s) => {
        delete s.spec.containers;
        delete s.spec.volumes;
      }),
      ['spec: Required value: no initContainer or container defined for SidecarSet'],
    );
  });

  it('rule 19: podInjectPolicy of containers (not of init containers), at Kruise\'s unindexed path', () => {
    assert.deepEqual(errorsAfter((s) => (agent(s).podInjectPolicy = 'Sideways')), [
      'spec.container.podInjectPolicy: Invalid value: "Sideways": unsupported pod inject policy',
    ]);
    assert.deepEqual(errorsAfter((s) => (s.spec.initContainers = [{ name: 'init', image: 'busybox:1.36', podInjectPolicy: 'Sideways' }])), []);
  });

  it('rule 20: shareVolumePolicy.type is enabled or disabled', () => {
    assert.deepEqual(errorsAfter((s) => (agent(s).shareVolumePolicy = { type: 'maybe' })), [
      'spec.container.shareVolumePolicy: Invalid value: {"type":"maybe"}: unsupported share volume policy',
    ]);
  });

  it('rule 20: shareVolumeDevicePolicy and upgradeType values are not checked, hotUpgradeEmptyImage not required', () => {
    assert.deepEqual(
      errorsAfter((s) => {
        agent(s).shareVolumeDevicePolicy = { type: 'whatever' };
        agent(s).upgradeStrategy = { upgradeType: 'HotUpgrade' };
      }),
      [],
    );
  });
});

describe('validation: transferEnv field references (rule 22)', () => {
  const FIELD_REF = 'spec.containers[0].transferEnv[0].sourceContainerNameFrom.fieldRef';
  const withFieldRef = (fieldRef: { apiVersion?: string; fieldPath: string }) => (s: SidecarSet) => {
    agent(s).transferEnv = [{ sourceContainerNameFrom: { fieldRef }, envName: 'TZ' }];
  };

  it('accepts subscripted labels and annotations (annotation keys checked lowercased)', () => {
    assert.deepEqual(errorsAfter(withFieldRef({ fieldPath: "metadata.labels['app.kubernetes.io/name']" })), []);
    assert.deepEqual(errorsAfter(withFieldRef({ fieldPath: "metadata.annotations['Example.com/Main']" })), []);
  });

  it('apiVersion and fieldPath are required', () => {
    assert.deepEqual(errorsAfterDefaulting((s) => withFieldRef({ apiVersion: '', fieldPath: "metadata.labels['a']" })(s)), [
      `${FIELD_REF}.apiVersion: Required value`,
    ]);
    assert.deepEqual(errorsAfter(withFieldRef({ fieldPath: '' })), [`${FIELD_REF}.fieldPath: Required value`]);
  });

  it('only apiVersion v1', () => {
    assert.deepEqual(errorsAfter(withFieldRef({ apiVersion: 'v2', fieldPath: "metadata.labels['a']" })), [
      `${FIELD_REF}.fieldPath: Invalid value: "metadata.labels['a']": error converting fieldPath: unsupported pod version: v2`,
    ]);
  });

  it('refuses plain field paths, metadata.name included, and other subscripted paths', () => {
    assert.deepEqual(errorsAfter(withFieldRef({ fieldPath: 'metadata.name' })), [
      `${FIELD_REF}.fieldPath: Invalid value: "metadata.name": error converting fieldPath: field label not supported: metadata.name`,
    ]);
    assert.deepEqual(errorsAfter(withFieldRef({ fieldPath: "spec.nodeSelector['zone']" })), [
      `${FIELD_REF}.fieldPath: Invalid value: "spec.nodeSelector['zone']": error converting fieldPath: field path not supported: spec.nodeSelector`,
    ]);
  });

  it('the subscript must be a qualified name', () => {
    assert.deepEqual(errorsAfter(withFieldRef({ fieldPath: "metadata.labels['a b']" })), [`${FIELD_REF}: Invalid value: "a b": ${QUALIFIED_NAME_MESSAGE}`]);
  });
});

describe('validation: Kubernetes container checks (rule 23)', () => {
  it('image is required, for containers and init containers', () => {
    assert.deepEqual(
      errorsAfter((s) => {
        delete agent(s).image;
        s.spec.initContainers = [{ name: 'init' }];
      }),
      ['spec.containers[0].image: Required value', 'spec.initContainers[0].image: Required value'],
    );
  });

  it('imagePullPolicy and terminationMessagePolicy must be valid', () => {
    assert.deepEqual(
      errorsAfter((s) => {
        agent(s).imagePullPolicy = 'Sometimes';
        agent(s).terminationMessagePolicy = 'Logs';
      }),
      [
        'spec.containers[0].terminationMessagePolicy: Unsupported value: "Logs": supported values: "File", "FallbackToLogsOnError"',
        'spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
      ],
    );
  });

  it('container names are DNS-1123 labels, unique across init containers and containers', () => {
    assert.deepEqual(errorsAfter((s) => (agent(s).name = 'Agent')), [`spec.containers[0].name: Invalid value: "Agent": ${DNS1123_LABEL_MESSAGE}`]);
    assert.deepEqual(
      errorsAfter((s) => {
        s.spec.containers!.push({ name: 'agent', image: 'busybox:1.36' });
        s.spec.initContainers = [{ name: 'agent', image: 'busybox:1.36' }];
      }),
      ['spec.containers[1].name: Duplicate value: "agent"', 'spec.initContainers[0].name: Duplicate value: "agent"'],
    );
  });

  it('volumeMounts and volumeDevices may only name volumes of this SidecarSet', () => {
    assert.deepEqual(errorsAfter((s) => (agent(s).volumeMounts = [{ name: 'pod-logs', mountPath: '/logs' }])), [
      'spec.containers[0].volumeMounts[0].name: Not found: "pod-logs"',
    ]);
    assert.deepEqual(errorsAfter((s) => (agent(s).volumeDevices = [{ name: 'pod-disk', devicePath: '/dev/xvda' }])), [
      'spec.containers[0].volumeDevices[0].name: Not found: "pod-disk"',
    ]);
  });

  it('a mountPath may not also be a devicePath: two errors', () => {
    assert.deepEqual(
      errorsAfter((s) => {
        s.spec.volumes!.push({ name: 'disk', persistentVolumeClaim: { claimName: 'data' } });
        agent(s).volumeDevices = [{ name: 'disk', devicePath: '/var/log/app' }];
      }),
      [
        'spec.containers[0].volumeMounts[0].mountPath: Invalid value: "/var/log/app": must not already exist as a path in volumeDevices',
        'spec.containers[0].volumeDevices[0].devicePath: Invalid value: "/var/log/app": must not already exist as a path in volumeMounts',
      ],
    );
  });

  it('volume mount details: unique paths, relative subPath, propagation for privileged containers only', () => {
    assert.deepEqual(
      errorsAfter((s) => {
        agent(s).volumeMounts!.push({ name: 'logs', mountPath: '/var/log/app', subPath: '../up', mountPropagation: 'Bidirectional' });
      }),
      [
        'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/var/log/app": must be unique',
        `spec.containers[0].volumeMounts[1].subPath: Invalid value: "../up": must not contain '..'`,
        'spec.containers[0].volumeMounts[1].mountPropagation: Forbidden: Bidirectional mount propagation is available only to privileged containers',
      ],
    );
  });

  it('env: names, value versus valueFrom, supported field paths', () => {
    assert.deepEqual(
      errorsAfter((s) => {
        agent(s).env = [
          { name: 'A=B', value: 'x' },
          { name: 'POD', value: 'x', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'LABELS', valueFrom: { fieldRef: { fieldPath: 'metadata.labels' } } },
          { name: 'EMPTY', valueFrom: {} },
        ];
      }),
      [
        "spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='",
        'spec.containers[0].env[1].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
        'spec.containers[0].env[2].valueFrom.fieldRef.fieldPath: Unsupported value: "metadata.labels": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"',
        'spec.containers[0].env[3].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
      ],
    );
  });

  it('ports: numbers, names, protocols', () => {
    assert.deepEqual(
      errorsAfter((s) => {
        agent(s).ports = [
          { containerPort: 70000, name: 'metrics' },
          { containerPort: 2020, name: 'metrics', protocol: 'ICMP' },
          { containerPort: 2021, name: 'Bad_Name' },
        ];
      }),
      [
        'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
        'spec.containers[0].ports[1].name: Duplicate value: "metrics"',
        'spec.containers[0].ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
        'spec.containers[0].ports[2].name: Invalid value: "Bad_Name": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      ],
    );
  });

  it('probes: one handler, successThreshold 1 for liveness; init containers without restartPolicy Always have none', () => {
    assert.deepEqual(
      errorsAfter((s) => {
        agent(s).livenessProbe = { httpGet: { port: 2020 }, tcpSocket: { port: 2020 }, successThreshold: 2 };
        s.spec.initContainers = [{ name: 'init', image: 'busybox:1.36', readinessProbe: { exec: { command: ['true'] } } }];
      }),
      [
        'spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type',
        'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
        'spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
      ],
    );
  });

  it('restartPolicy: forbidden on containers, only Always on init containers', () => {
    assert.deepEqual(
      errorsAfter((s) => {
        agent(s).restartPolicy = 'Always';
        s.spec.initContainers = [{ name: 'init', image: 'busybox:1.36', restartPolicy: 'OnFailure' }];
      }),
      [
        'spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers',
        'spec.initContainers[0].restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
      ],
    );
  });

  it('init containers with restartPolicy Always are valid (with NotUpdate)', () => {
    assert.deepEqual(
      errorsAfter((s) => {
        s.spec.initContainers = [{ name: 'proxy', image: 'envoy:1.30', restartPolicy: 'Always', readinessProbe: { tcpSocket: { port: 15021 } } }];
        s.spec.updateStrategy = { type: 'NotUpdate' };
      }),
      [],
    );
  });

  it('resources: quantities, names, no request above its limit', () => {
    assert.deepEqual(
      errorsAfter((s) => {
        agent(s).resources = { limits: { cpu: '1', memory: 'lots' }, requests: { cpu: '1500m', gpu: '1', memory: '-1Mi' } };
      }),
      [
        "spec.containers[0].resources.limits[memory]: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified',
        'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers',
        'spec.containers[0].resources.requests[memory]: Invalid value: "-1Mi": must be greater than or equal to 0',
        'spec.containers[0].resources.requests: Invalid value: "1500m": must be less than or equal to cpu limit of 1',
      ],
    );
  });

  it('resource names get every error Kubernetes gives them (found by the Kruise oracle)', () => {
    assert.deepEqual(errorsAfter((s) => (agent(s).resources = { limits: { 'Bad Name': '1', 'example.com/gpu': '1', 'kubernetes.io/x': '1', 'a/requests.b': '1' } })), [
      "spec.containers[0].resources.limits[Bad Name]: Invalid value: \"Bad Name\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      'spec.containers[0].resources.limits[Bad Name]: Invalid value: "Bad Name": must be a standard resource for containers',
    ]);
  });
});

describe('validation: resourcesPolicy (rules 18 and 21)', () => {
  const policy = (extra: Record<string, unknown> = {}) => ({ targetContainersMode: 'sum', resourcesExpr: { limits: { cpu: 'cpu*50%' } }, ...extra });
  const nativeInit = (s: SidecarSet, resourcesPolicy: object, restartPolicy?: string) => {
    s.spec.updateStrategy = { type: 'NotUpdate' };
    s.spec.initContainers = [{ name: 'mesh', image: 'mesh:1', ...(restartPolicy ? { restartPolicy } : {}), resourcesPolicy }];
  };

  it('accepts a policy on a container and on a native-sidecar init container; the regex defaults to .*', () => {
    assert.deepEqual(errorsAfter((s) => (agent(s).resourcesPolicy = policy())), []);
    assert.equal(defaulted((s) => (agent(s).resourcesPolicy = policy())).spec.containers![0].resourcesPolicy!.targetContainersNameRegex, '.*');
    assert.deepEqual(errorsAfter((s) => nativeInit(s, policy({ resourcesExpr: { requests: { memory: 'max(memory, 64Mi)' } } }), 'Always')), []);
  });

  it('refuses it on a plain init container', () => {
    assert.deepEqual(errorsAfter((s) => nativeInit(s, policy())), [
      'spec.initContainers[0].resourcesPolicy: Invalid value: {"targetContainersMode":"sum","resourcesExpr":{"limits":{"cpu":"cpu*50%"}},"targetContainersNameRegex":".*"}: resourcesPolicy is only supported for containers with RestartPolicy Always',
    ]);
  });

  it('refuses it next to fixed resources, and stops there', () => {
    assert.deepEqual(errorsAfter((s) => Object.assign(agent(s), { resources: { limits: { cpu: '1' } }, resourcesPolicy: policy({ targetContainersNameRegex: '' }) })), [
      'spec.containers[0].resourcesPolicy: Invalid value: {"targetContainersMode":"sum","resourcesExpr":{"limits":{"cpu":"cpu*50%"}},"targetContainersNameRegex":""}: resourcesPolicy and resources cannot be configured together',
    ]);
  });

  it('refuses an empty or invalid (RE2) regex', () => {
    assert.deepEqual(errorsAfter((s) => (agent(s).resourcesPolicy = policy({ targetContainersNameRegex: '' }))), [
      'spec.containers[0].resourcesPolicy.targetContainersNameRegex: Required value: invalid empty regex',
    ]);
    assert.deepEqual(errorsAfter((s) => (agent(s).resourcesPolicy = policy({ targetContainersNameRegex: 'app(?=x)' }))), [
      'spec.containers[0].resourcesPolicy.targetContainersNameRegex: Invalid value: "app(?=x)": invalid regex pattern: error parsing regexp: invalid or unsupported Perl syntax: `(?=`',
    ]);
  });

  it('needs limits or requests, and every expression must evaluate', () => {
    assert.deepEqual(errorsAfter((s) => (agent(s).resourcesPolicy = policy({ resourcesExpr: {} }))), [
      'spec.containers[0].resourcesPolicy.resourcesExpr: Invalid value: {}: at least one of limits or requests must be configured',
    ]);
    const expressions = { limits: { cpu: 'cpu * memory', memory: 'memory - 2' }, requests: { cpu: 'cpu +', memory: '1Gi * 2Gi' } };
    assert.deepEqual(errorsAfter((s) => (agent(s).resourcesPolicy = policy({ resourcesExpr: expressions }))), [
      'spec.containers[0].resourcesPolicy.resourcesExpr.limits.cpu: Invalid value: "cpu * memory": invalid expression: undefined variable: memory',
      'spec.containers[0].resourcesPolicy.resourcesExpr.limits.memory: Invalid value: "memory - 2": invalid expression: calculation result is negative: -1',
      'spec.containers[0].resourcesPolicy.resourcesExpr.requests.cpu: Invalid value: "cpu +": invalid expression: parse error: syntax error at line 1, col 6',
      'spec.containers[0].resourcesPolicy.resourcesExpr.requests.memory: Invalid value: "1Gi * 2Gi": invalid expression: multiplication of two quantities',
    ]);
  });

  it('leaves the mode to the CRD enum', () => {
    assert.deepEqual(errorsAfter((s) => (agent(s).resourcesPolicy = policy({ targetContainersMode: 'avg' }))), [
      'spec.containers[0].resourcesPolicy.targetContainersMode: Unsupported value: "avg": supported values: "sum", "max"',
    ]);
  });
});

describe('validation: Kubernetes volume checks (rule 23)', () => {
  it('a volume needs exactly one source (defaulting adds emptyDir to a bare one)', () => {
    assert.deepEqual(errorsAfter((s) => (s.spec.volumes = [{ name: 'logs' }])), []);
    assert.deepEqual(errorsAfterDefaulting((s) => delete s.spec.volumes![0].emptyDir), [
      'spec.volumes[0]: Required value: must specify a volume type',
      // A volume with errors cannot be mounted, as in Kubernetes.
      'spec.containers[0].volumeMounts[0].name: Not found: "logs"',
    ]);
    assert.deepEqual(errorsAfter((s) => (s.spec.volumes![0].hostPath = { path: '/var/log' })), [
      'spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type',
      'spec.containers[0].volumeMounts[0].name: Not found: "logs"',
    ]);
  });

  it('volume names are unique DNS-1123 labels', () => {
    assert.deepEqual(
      errorsAfter((s) => {
        s.spec.volumes!.push({ name: 'logs', emptyDir: {} }, { name: 'Cache', emptyDir: {} });
      }),
      ['spec.volumes[1].name: Duplicate value: "logs"', `spec.volumes[2].name: Invalid value: "Cache": ${DNS1123_LABEL_MESSAGE}`],
    );
  });

  it('source details: hostPath, secret, configMap items and modes', () => {
    assert.deepEqual(
      errorsAfter((s) => {
        s.spec.volumes!.push(
          { name: 'host', hostPath: { path: '/var/../etc', type: 'Folder' } },
          { name: 'secret', secret: { defaultMode: 0o1000 } },
          { name: 'config', configMap: { name: 'cfg', items: [{ key: 'a', path: '/abs' }] } },
        );
      }),
      [
        "spec.volumes[1].hostPath.path: Invalid value: \"/var/../etc\": must not contain '..'",
        'spec.volumes[1].hostPath.type: Unsupported value: "Folder": supported values: "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"',
        'spec.volumes[2].secret.secretName: Required value',
        'spec.volumes[2].secret.defaultMode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive',
        'spec.volumes[3].configMap.items[0].path: Invalid value: "/abs": must be a relative path',
      ],
    );
  });

  it('projected serviceAccountToken volumes are valid; a token shorter than 10 minutes is not', () => {
    assert.deepEqual(errorsAfter((s) => s.spec.volumes!.push({ name: 'token', projected: { sources: [{ serviceAccountToken: { path: 'token', audience: 'logs' } }] } })), []);
    assert.deepEqual(
      errorsAfter((s) => s.spec.volumes!.push({ name: 'token', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 60 } }] } })),
      ['spec.volumes[1].projected.sources[0].serviceAccountToken.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes'],
    );
  });
});
