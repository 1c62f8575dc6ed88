// Tests for src/hash.ts, the OpenKruise-compatible SidecarSet hash (docs/behaviour/pod-annotations.md).
//
// The expected JSON texts and hashes in GO_GOLDENS and the quantity table were produced by Go itself:
// scripts/go-json-layout (`go run . hash` and `go run . quantity`), i.e. encoding/json and
// resource.Quantity from k8s.io/apimachinery v0.37.2, decoding with sigs.k8s.io/json as the
// apiserver and kruise's webhook do. The first rows of GO_GOLDENS are the docs/behaviour/pod-annotations.md golden vectors.
// The hand-written expectations under 'Go encoding rules' were run through `go run . hash` as well.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import layout from '../../src/api/generated/go-json-layout.json' with { type: 'json' };
import { KUBERNETES_VERSION } from '../../src/api/kubernetes-version.ts';
import type { SidecarSetSpec } from '../../src/api/sidecarset.ts';
import {
  safeEncodeString,
  sidecarSetHash,
  sidecarSetHashInput,
  sidecarSetHashWithoutImage,
} from '../../src/hash.ts';
import { goJsonString } from '../../src/go-json.ts';
import { goMarshalSidecarContainer } from '../../src/go-struct-json.ts';
import { goQuantityString } from '../../src/quantity.ts';

interface GoGolden {
  name: string;
  spec: unknown;
  json: string;
  hash: string;
  jsonWithoutImage: string;
  hashWithoutImage: string;
}

const GO_GOLDENS: GoGolden[] = [
  {
    name: 'spec 5.1 vector: plain container',
    spec: {"containers":[{"name":"container1","image":"test-image"}]},
    json: '{"containers":[{"name":"container1","image":"test-image","resources":{},"upgradeStrategy":{},"shareVolumePolicy":{}}]}',
    hash: 'w26c4x8fz245642fdv499b464248f974xddx4x55z5dw55bc6x66464fxz77dc78',
    jsonWithoutImage: '{"containers":[{"name":"container1","resources":{},"upgradeStrategy":{},"shareVolumePolicy":{}}]}',
    hashWithoutImage: '8wzddb4dvv9c6x8zdc77z4z75987424f457dfv6724ddw6zbdx467wz5x24fc759',
  },
  {
    name: 'spec 5.1 vector: native sidecar init container',
    spec: {"containers":[{"name":"container1","image":"test-image"}],"initContainers":[{"name":"container1","image":"test-image","restartPolicy":"Always"}]},
    json: '{"containers":[{"name":"container1","image":"test-image","resources":{},"upgradeStrategy":{},"shareVolumePolicy":{}}],"initContainers":[{"name":"container1","image":"test-image","resources":{},"restartPolicy":"Always","upgradeStrategy":{},"shareVolumePolicy":{}}]}',
    hash: '4xwx4d4844vd4v9x79wb4xbxf4xb29475cc4446v8cz2c2f2f5c5bw448vd42z8w',
    jsonWithoutImage: '{"containers":[{"name":"container1","resources":{},"upgradeStrategy":{},"shareVolumePolicy":{}}],"initContainers":[{"name":"container1","resources":{},"restartPolicy":"Always","upgradeStrategy":{},"shareVolumePolicy":{}}]}',
    hashWithoutImage: '5725fw8bwbx249bw57v5892c847dzf48bww9zb7c86xb95264fdz26654847b2c8',
  },
  {
    name: 'no containers, native sidecar among plain init containers',
    spec: {"initContainers":[{"name":"plain","image":"busybox"},{"name":"native","image":"envoy","restartPolicy":"Always"}]},
    json: '{"containers":null,"initContainers":[{"name":"plain","image":"busybox","resources":{},"upgradeStrategy":{},"shareVolumePolicy":{}},{"name":"native","image":"envoy","resources":{},"restartPolicy":"Always","upgradeStrategy":{},"shareVolumePolicy":{}}]}',
    hash: 'v48f67c78f94z864c44475v74xxxdzf7zcf64x6fw6xv7494zb47x9z9wf4cd885',
    jsonWithoutImage: '{"containers":null,"initContainers":[{"name":"plain","resources":{},"upgradeStrategy":{},"shareVolumePolicy":{}},{"name":"native","resources":{},"restartPolicy":"Always","upgradeStrategy":{},"shareVolumePolicy":{}}]}',
    hashWithoutImage: '7f2d6x7c5f944cw4dd6vvz927449bdd6474d2bc726f47684z722w4zw29w9b4bd',
  },
  {
    name: 'empty containers list',
    spec: {"containers":[]},
    json: '{"containers":[]}',
    hash: '5662x672v59974vdzvf4bdfwc4v526wx5w7884vx5c7fc2f246v484v5988xb9z7',
    jsonWithoutImage: '{"containers":[]}',
    hashWithoutImage: '5662x672v59974vdzvf4bdfwc4v526wx5w7884vx5c7fc2f246v484v5988xb9z7',
  },
  {
    name: 'no containers at all',
    spec: {},
    json: '{"containers":null}',
    hash: 'x5vwx9w6vv4dv72c9w4c2f6v74fbwx545b45bbfz6z2dvf8w887xw86fvcb4cf48',
    jsonWithoutImage: '{"containers":null}',
    hashWithoutImage: 'x5vwx9w6vv4dv72c9w4c2f6v74fbwx545b45bbfz6z2dvf8w887xw86fvcb4cf48',
  },
  {
    name: 'every Container field, escaping, quantities, Kruise fields, unknown keys',
    spec: {
      "containers": [
        {
          "name": "full",
          "image": "registry.example.com/app:v1",
          "command": [
            "/bin/sh",
            "-c",
            "echo <a> & b"
          ],
          "args": [],
          "workingDir": "/w",
          "ports": [
            {
              "name": "http",
              "containerPort": 8080,
              "protocol": "TCP"
            },
            {
              "containerPort": 9090,
              "hostPort": 0,
              "hostIP": "0.0.0.0"
            }
          ],
          "envFrom": [
            {
              "prefix": "P_",
              "configMapRef": {
                "name": "cm",
                "optional": false
              }
            },
            {
              "secretRef": {
                "name": "s"
              }
            }
          ],
          "env": [
            {
              "name": "A",
              "value": "x<y>&z \u2028 \u2029 \b \f \n \r \t \u0001 \u001f \u007f \u00e9 \ud83d\ude00 \"q\" \\"
            },
            {
              "name": "POD",
              "valueFrom": {
                "fieldRef": {
                  "apiVersion": "v1",
                  "fieldPath": "metadata.name"
                }
              }
            },
            {
              "name": "CPU",
              "valueFrom": {
                "resourceFieldRef": {
                  "resource": "limits.cpu"
                }
              }
            },
            {
              "name": "MEM",
              "valueFrom": {
                "resourceFieldRef": {
                  "containerName": "full",
                  "resource": "limits.memory",
                  "divisor": "1Mi"
                }
              }
            },
            {
              "name": "K",
              "valueFrom": {
                "configMapKeyRef": {
                  "name": "cm",
                  "key": "k"
                },
                "secretKeyRef": {
                  "key": "s",
                  "optional": true
                }
              }
            },
            {
              "name": "F",
              "valueFrom": {
                "fileKeyRef": {
                  "volumeName": "v",
                  "path": "p",
                  "key": "k"
                }
              }
            },
            {
              "name": "EMPTY",
              "value": ""
            }
          ],
          "resources": {
            "limits": {
              "memory": "1024Mi",
              "cpu": "0.5",
              "nvidia.com/gpu": 1,
              "ephemeral-storage": "1e3"
            },
            "requests": {
              "cpu": 1.5,
              "memory": "+1",
              "a<b": "1.500"
            },
            "claims": [
              {
                "name": "gpu"
              },
              {
                "name": "c",
                "request": "r"
              }
            ]
          },
          "resizePolicy": [
            {
              "resourceName": "cpu",
              "restartPolicy": "NotRequired"
            }
          ],
          "restartPolicy": "",
          "restartPolicyRules": [
            {
              "action": "Restart",
              "exitCodes": {
                "operator": "In",
                "values": [
                  42,
                  0
                ]
              }
            }
          ],
          "volumeMounts": [
            {
              "name": "data",
              "mountPath": "/data",
              "readOnly": true,
              "subPath": "sub",
              "mountPropagation": "HostToContainer"
            },
            {
              "name": "empty",
              "mountPath": ""
            },
            {
              "name": "rro",
              "mountPath": "/r",
              "readOnly": false,
              "recursiveReadOnly": "Enabled",
              "subPathExpr": "$(POD)",
              "bindMountOptions": []
            }
          ],
          "volumeDevices": [
            {
              "name": "blk",
              "devicePath": "/dev/xvda"
            }
          ],
          "livenessProbe": {
            "httpGet": {
              "path": "/healthz",
              "port": 8080,
              "scheme": "HTTP",
              "httpHeaders": [
                {
                  "name": "X-A",
                  "value": "1"
                }
              ]
            },
            "initialDelaySeconds": 5,
            "timeoutSeconds": 1,
            "periodSeconds": 10,
            "successThreshold": 1,
            "failureThreshold": 3,
            "terminationGracePeriodSeconds": 30
          },
          "readinessProbe": {
            "tcpSocket": {
              "host": "h"
            },
            "exec": {
              "command": []
            },
            "grpc": {
              "port": 9000
            }
          },
          "startupProbe": {
            "httpGet": {
              "port": "http",
              "host": "localhost"
            },
            "grpc": {
              "port": 1,
              "service": "",
              "mode": "m"
            }
          },
          "lifecycle": {
            "postStart": {
              "exec": {
                "command": [
                  "sh",
                  "-c",
                  "true"
                ]
              }
            },
            "preStop": {
              "sleep": {
                "seconds": 0
              },
              "httpGet": {
                "port": "8080"
              }
            },
            "stopSignal": "SIGTERM"
          },
          "terminationMessagePath": "/dev/termination-log",
          "terminationMessagePolicy": "FallbackToLogsOnError",
          "imagePullPolicy": "Always",
          "securityContext": {
            "capabilities": {
              "add": [
                "NET_ADMIN"
              ],
              "drop": []
            },
            "privileged": false,
            "seLinuxOptions": {},
            "windowsOptions": {
              "hostProcess": false
            },
            "runAsUser": 0,
            "runAsGroup": 1000,
            "runAsNonRoot": true,
            "readOnlyRootFilesystem": false,
            "allowPrivilegeEscalation": false,
            "procMount": "Default",
            "seccompProfile": {
              "type": "RuntimeDefault"
            },
            "appArmorProfile": {
              "type": "Localhost",
              "localhostProfile": "p"
            }
          },
          "stdin": true,
          "stdinOnce": false,
          "tty": true,
          "podInjectPolicy": "AfterAppContainer",
          "upgradeStrategy": {
            "upgradeType": "HotUpgrade",
            "hotUpgradeEmptyImage": "empty:1"
          },
          "shareVolumePolicy": {
            "type": "enabled"
          },
          "shareVolumeDevicePolicy": {},
          "transferEnv": [
            {
              "sourceContainerName": "app",
              "envName": "X"
            },
            {
              "sourceContainerNameFrom": {
                "fieldRef": {
                  "fieldPath": "metadata.labels['app']"
                }
              },
              "envNames": [
                "A",
                "B"
              ]
            },
            {}
          ],
          "resourcesPolicy": {
            "targetContainersNameRegex": ".*",
            "resourcesExpr": {
              "limits": {
                "cpu": "cpu*50%"
              },
              "requests": {}
            }
          },
          "unknownField": "dropped",
          "Name": "case-variant-dropped"
        }
      ]
    },
    json: '{"containers":[{"name":"full","image":"registry.example.com/app:v1","command":["/bin/sh","-c","echo \\u003ca\\u003e \\u0026 b"],"workingDir":"/w","ports":[{"name":"http","containerPort":8080,"protocol":"TCP"},{"containerPort":9090,"hostIP":"0.0.0.0"}],"envFrom":[{"prefix":"P_","configMapRef":{"name":"cm","optional":false}},{"secretRef":{"name":"s"}}],"env":[{"name":"A","value":"x\\u003cy\\u003e\\u0026z \\u2028 \\u2029 \\b \\f \\n \\r \\t \\u0001 \\u001f \u007f \u00e9 \ud83d\ude00 \\"q\\" \\\\"},{"name":"POD","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.name"}}},{"name":"CPU","valueFrom":{"resourceFieldRef":{"resource":"limits.cpu","divisor":"0"}}},{"name":"MEM","valueFrom":{"resourceFieldRef":{"containerName":"full","resource":"limits.memory","divisor":"1Mi"}}},{"name":"K","valueFrom":{"configMapKeyRef":{"name":"cm","key":"k"},"secretKeyRef":{"key":"s","optional":true}}},{"name":"F","valueFrom":{"fileKeyRef":{"volumeName":"v","path":"p","key":"k"}}},{"name":"EMPTY"}],"resources":{"limits":{"cpu":"500m","ephemeral-storage":"1e3","memory":"1Gi","nvidia.com/gpu":"1"},"requests":{"a\\u003cb":"1.500","cpu":"1500m","memory":"+1"},"claims":[{"name":"gpu"},{"name":"c","request":"r"}]},"resizePolicy":[{"resourceName":"cpu","restartPolicy":"NotRequired"}],"restartPolicy":"","restartPolicyRules":[{"action":"Restart","exitCodes":{"operator":"In","values":[42,0]}}],"volumeMounts":[{"name":"data","readOnly":true,"mountPath":"/data","subPath":"sub","mountPropagation":"HostToContainer"},{"name":"empty","mountPath":""},{"name":"rro","recursiveReadOnly":"Enabled","mountPath":"/r","subPathExpr":"$(POD)"}],"volumeDevices":[{"name":"blk","devicePath":"/dev/xvda"}],"livenessProbe":{"httpGet":{"path":"/healthz","port":8080,"scheme":"HTTP","httpHeaders":[{"name":"X-A","value":"1"}]},"initialDelaySeconds":5,"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3,"terminationGracePeriodSeconds":30},"readinessProbe":{"exec":{},"tcpSocket":{"port":0,"host":"h"},"grpc":{"port":9000,"service":null}},"startupProbe":{"httpGet":{"port":"http","host":"localhost"},"grpc":{"port":1,"service":"","mode":"m"}},"lifecycle":{"postStart":{"exec":{"command":["sh","-c","true"]}},"preStop":{"httpGet":{"port":"8080"},"sleep":{"seconds":0}},"stopSignal":"SIGTERM"},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"FallbackToLogsOnError","imagePullPolicy":"Always","securityContext":{"capabilities":{"add":["NET_ADMIN"]},"privileged":false,"seLinuxOptions":{},"windowsOptions":{"hostProcess":false},"runAsUser":0,"runAsGroup":1000,"runAsNonRoot":true,"readOnlyRootFilesystem":false,"allowPrivilegeEscalation":false,"procMount":"Default","seccompProfile":{"type":"RuntimeDefault"},"appArmorProfile":{"type":"Localhost","localhostProfile":"p"}},"stdin":true,"tty":true,"podInjectPolicy":"AfterAppContainer","upgradeStrategy":{"upgradeType":"HotUpgrade","hotUpgradeEmptyImage":"empty:1"},"shareVolumePolicy":{"type":"enabled"},"shareVolumeDevicePolicy":{},"transferEnv":[{"sourceContainerName":"app","envName":"X"},{"sourceContainerNameFrom":{"fieldRef":{"fieldPath":"metadata.labels[\'app\']"}},"envNames":["A","B"]},{}],"resourcesPolicy":{"targetContainersMode":"","targetContainersNameRegex":".*","resourcesExpr":{"limits":{"cpu":"cpu*50%"},"requests":{}}}}]}',
    hash: 'd4v4c62wxx7xxfc588w69wz9cb4862vb6bwc8vwb299wfz84w5cw8vz7fd4xzf86',
    jsonWithoutImage: '{"containers":[{"name":"full","command":["/bin/sh","-c","echo \\u003ca\\u003e \\u0026 b"],"workingDir":"/w","ports":[{"name":"http","containerPort":8080,"protocol":"TCP"},{"containerPort":9090,"hostIP":"0.0.0.0"}],"envFrom":[{"prefix":"P_","configMapRef":{"name":"cm","optional":false}},{"secretRef":{"name":"s"}}],"env":[{"name":"A","value":"x\\u003cy\\u003e\\u0026z \\u2028 \\u2029 \\b \\f \\n \\r \\t \\u0001 \\u001f \u007f \u00e9 \ud83d\ude00 \\"q\\" \\\\"},{"name":"POD","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.name"}}},{"name":"CPU","valueFrom":{"resourceFieldRef":{"resource":"limits.cpu","divisor":"0"}}},{"name":"MEM","valueFrom":{"resourceFieldRef":{"containerName":"full","resource":"limits.memory","divisor":"1Mi"}}},{"name":"K","valueFrom":{"configMapKeyRef":{"name":"cm","key":"k"},"secretKeyRef":{"key":"s","optional":true}}},{"name":"F","valueFrom":{"fileKeyRef":{"volumeName":"v","path":"p","key":"k"}}},{"name":"EMPTY"}],"resources":{"limits":{"cpu":"500m","ephemeral-storage":"1e3","memory":"1Gi","nvidia.com/gpu":"1"},"requests":{"a\\u003cb":"1.500","cpu":"1500m","memory":"+1"},"claims":[{"name":"gpu"},{"name":"c","request":"r"}]},"resizePolicy":[{"resourceName":"cpu","restartPolicy":"NotRequired"}],"restartPolicy":"","restartPolicyRules":[{"action":"Restart","exitCodes":{"operator":"In","values":[42,0]}}],"volumeMounts":[{"name":"data","readOnly":true,"mountPath":"/data","subPath":"sub","mountPropagation":"HostToContainer"},{"name":"empty","mountPath":""},{"name":"rro","recursiveReadOnly":"Enabled","mountPath":"/r","subPathExpr":"$(POD)"}],"volumeDevices":[{"name":"blk","devicePath":"/dev/xvda"}],"livenessProbe":{"httpGet":{"path":"/healthz","port":8080,"scheme":"HTTP","httpHeaders":[{"name":"X-A","value":"1"}]},"initialDelaySeconds":5,"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3,"terminationGracePeriodSeconds":30},"readinessProbe":{"exec":{},"tcpSocket":{"port":0,"host":"h"},"grpc":{"port":9000,"service":null}},"startupProbe":{"httpGet":{"port":"http","host":"localhost"},"grpc":{"port":1,"service":"","mode":"m"}},"lifecycle":{"postStart":{"exec":{"command":["sh","-c","true"]}},"preStop":{"httpGet":{"port":"8080"},"sleep":{"seconds":0}},"stopSignal":"SIGTERM"},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"FallbackToLogsOnError","imagePullPolicy":"Always","securityContext":{"capabilities":{"add":["NET_ADMIN"]},"privileged":false,"seLinuxOptions":{},"windowsOptions":{"hostProcess":false},"runAsUser":0,"runAsGroup":1000,"runAsNonRoot":true,"readOnlyRootFilesystem":false,"allowPrivilegeEscalation":false,"procMount":"Default","seccompProfile":{"type":"RuntimeDefault"},"appArmorProfile":{"type":"Localhost","localhostProfile":"p"}},"stdin":true,"tty":true,"podInjectPolicy":"AfterAppContainer","upgradeStrategy":{"upgradeType":"HotUpgrade","hotUpgradeEmptyImage":"empty:1"},"shareVolumePolicy":{"type":"enabled"},"shareVolumeDevicePolicy":{},"transferEnv":[{"sourceContainerName":"app","envName":"X"},{"sourceContainerNameFrom":{"fieldRef":{"fieldPath":"metadata.labels[\'app\']"}},"envNames":["A","B"]},{}],"resourcesPolicy":{"targetContainersMode":"","targetContainersNameRegex":".*","resourcesExpr":{"limits":{"cpu":"cpu*50%"},"requests":{}}}}]}',
    hashWithoutImage: 'b4245wcx94b7xd7b57cwfx9c6vfbf6zv26ff8fx5b59z9w72cf44xb9694575277',
  },
  {
    name: 'nulls and empty values',
    spec: {"containers":[{"name":"nulls","image":null,"env":[null,{"name":"N","value":null}],"ports":[],"resources":{"limits":{"cpu":null},"requests":{}},"livenessProbe":null,"lifecycle":{},"securityContext":{"privileged":null},"upgradeStrategy":null,"transferEnv":[],"resourcesPolicy":{}}]},
    json: '{"containers":[{"name":"nulls","env":[{"name":""},{"name":"N"}],"resources":{"limits":{"cpu":"0"}},"lifecycle":{},"securityContext":{},"upgradeStrategy":{},"shareVolumePolicy":{},"resourcesPolicy":{"targetContainersMode":"","resourcesExpr":{}}}]}',
    hash: '4f74fvz45944658x94fzwv948c6b9bc7w498594bc866z598dz4vbw54vv8x89d9',
    jsonWithoutImage: '{"containers":[{"name":"nulls","env":[{"name":""},{"name":"N"}],"resources":{"limits":{"cpu":"0"}},"lifecycle":{},"securityContext":{},"upgradeStrategy":{},"shareVolumePolicy":{},"resourcesPolicy":{"targetContainersMode":"","resourcesExpr":{}}}]}',
    hashWithoutImage: '4f74fvz45944658x94fzwv948c6b9bc7w498594bc866z598dz4vbw54vv8x89d9',
  },
  {
    name: 'quantity canonical forms in a ResourceList',
    spec: {"containers":[{"name":"q","image":"i","resources":{"limits":{"cpu":"1000m","memory":"1Gi","a":"1536Mi","b":"0.1Ki","c":"100u","d":"1000E","e":"1e-7","f":" 2 ","g":"12.5M","h":"1.5k","i":0.001}}}]},
    json: '{"containers":[{"name":"q","image":"i","resources":{"limits":{"a":"1536Mi","b":"102400m","c":"100u","cpu":"1","d":"1","e":"100e-9","f":"2","g":"12500k","h":"1500","i":"1m","memory":"1Gi"}},"upgradeStrategy":{},"shareVolumePolicy":{}}]}',
    hash: '28zvb8448bcv974xxb4v7566z4vx5c77czw57fbxxd5cc6c774f69ccz499wbzx8',
    jsonWithoutImage: '{"containers":[{"name":"q","resources":{"limits":{"a":"1536Mi","b":"102400m","c":"100u","cpu":"1","d":"1","e":"100e-9","f":"2","g":"12500k","h":"1500","i":"1m","memory":"1Gi"}},"upgradeStrategy":{},"shareVolumePolicy":{}}]}',
    hashWithoutImage: 'b44f2dc24w9244zv7b7v4b67x2cbv24c4v24f9x88b8wb9vdw74vz2289466f8cb',
  },
  {
    name: 'plain init containers are left out',
    spec: {"containers":[{"name":"b","image":"x"},{"name":"a","image":"y","env":[]}],"initContainers":[{"name":"i","image":"z","restartPolicy":"OnFailure"}]},
    json: '{"containers":[{"name":"b","image":"x","resources":{},"upgradeStrategy":{},"shareVolumePolicy":{}},{"name":"a","image":"y","resources":{},"upgradeStrategy":{},"shareVolumePolicy":{}}]}',
    hash: '9c4x56c5975v2wcf79447v4zvww258vd9vf5f5428v4bz82vvw28c26b75vb6x27',
    jsonWithoutImage: '{"containers":[{"name":"b","resources":{},"upgradeStrategy":{},"shareVolumePolicy":{}},{"name":"a","resources":{},"upgradeStrategy":{},"shareVolumePolicy":{}}]}',
    hashWithoutImage: '5b6xv89z9dd8zdvv9bbv7ff8z46f5wcdv84z6b4db2wb46ww749bvdxz4vx4x4d7',
  },
];

// [input as received in JSON, Go's MarshalJSON after decoding (null: Go refuses it), same after RoundUp(Milli)]
const QUANTITIES: [unknown, string | null, string | null][] = [
  ['0', '0', '0'],
  ['0m', '0', '0'],
  ['0k', '0', '0'],
  ['0E', '0', '0'],
  ['0Ki', '0', '0'],
  ['0Mi', '0', '0'],
  ['0e3', '0', '0'],
  ['0e-10', '0', '0'],
  ['00', '0', '0'],
  ['1', '1', '1'],
  ['1m', '1m', '1m'],
  ['1k', '1k', '1k'],
  ['1E', '1E', '1E'],
  ['1Ki', '1Ki', '1Ki'],
  ['1Mi', '1Mi', '1Mi'],
  ['1e3', '1e3', '1e3'],
  ['1e+3', '1e+3', '1e+3'],
  ['1e-10', '1e-9', '1e-3'],
  ['1x', null, null],
  ['1Mi5', null, null],
  ['01', '01', '01'],
  ['01m', '01m', '01m'],
  ['01k', '01k', '01k'],
  ['01E', '01E', '01E'],
  ['01Ki', '01Ki', '01Ki'],
  ['01Mi', '01Mi', '01Mi'],
  ['01e3', '01e3', '01e3'],
  ['01e-10', '1e-9', '1e-3'],
  ['100m', '100m', '100m'],
  ['1000', '1k', '1k'],
  ['1000m', '1', '1'],
  ['1000k', '1M', '1M'],
  ['1000E', '1', '1'],
  ['1000Ki', '1000Ki', '1000Ki'],
  ['1000Mi', '1000Mi', '1000Mi'],
  ['1000e3', '1e6', '1e6'],
  ['1000e-10', '100e-9', '1e-3'],
  ['1500', '1500', '1500'],
  ['1500m', '1500m', '1500m'],
  ['1500k', '1500k', '1500k'],
  ['1500E', '1500E', '1500E'],
  ['1500Ki', '1500Ki', '1500Ki'],
  ['1500Mi', '1500Mi', '1500Mi'],
  ['1500e3', '1500e3', '1500e3'],
  ['1500e-10', '150e-9', '1e-3'],
  ['999999999999999999', '999999999999999999', '999999999999999999'],
  ['999999999999999999m', '999999999999999999m', '999999999999999999m'],
  ['999999999999999999Ki', '9223372036854775807', '9223372036854775807'],
  ['999999999999999999e-10', '100e6', '100e6'],
  ['9999999999999999999', '9999999999999999999', '9999999999999999999'],
  ['9999999999999999999m', '9999999999999999999m', '9999999999999999999m'],
  ['9999999999999999999Ki', '9223372036854775807', '9223372036854775807'],
  ['9999999999999999999e-10', '1e9', '1e9'],
  ['0.5', '500m', '500m'],
  ['0.5m', '500u', '1m'],
  ['0.5k', '500', '500'],
  ['0.5E', '500P', '500P'],
  ['0.5Ki', '512', '512'],
  ['0.5Mi', '512Ki', '512Ki'],
  ['0.5e3', '500', '500'],
  ['0.5e-10', '1e-9', '1e-3'],
  ['.5', '500m', '500m'],
  ['.5m', '500u', '1m'],
  ['.5k', '500', '500'],
  ['.5E', '500P', '500P'],
  ['.5Ki', '512', '512'],
  ['.5Mi', '512Ki', '512Ki'],
  ['.5e3', '500', '500'],
  ['.5e-10', '1e-9', '1e-3'],
  ['5.', '5.', '5.'],
  ['5.m', '5.m', '5.m'],
  ['5.k', '5.k', '5.k'],
  ['5.E', '5.E', '5.E'],
  ['5.Ki', '5.Ki', '5.Ki'],
  ['5.Mi', '5.Mi', '5.Mi'],
  ['5.e3', '5.e3', '5.e3'],
  ['5.e-10', '1e-9', '1e-3'],
  ['1.0', '1', '1'],
  ['1.0m', '1m', '1m'],
  ['1.0k', '1k', '1k'],
  ['1.0E', '1E', '1E'],
  ['1.0Ki', '1Ki', '1Ki'],
  ['1.0Mi', '1Mi', '1Mi'],
  ['1.0e3', '1e3', '1e3'],
  ['1.0e-10', '1e-9', '1e-3'],
  ['1.5k', '1500', '1500'],
  ['1.5Gi', '1536Mi', '1536Mi'],
  ['1.5e3', '1500', '1500'],
  ['1.500', '1.500', '1.500'],
  ['1.500m', '1.500m', '2m'],
  ['1.500k', '1.500k', '1.500k'],
  ['1.500E', '1.500E', '1.500E'],
  ['1.500Ki', '1536', '1536'],
  ['1.500Mi', '1536Ki', '1536Ki'],
  ['1.500e3', '1.500e3', '1.500e3'],
  ['1.500e-10', '1e-9', '1e-3'],
  ['0.0001', '100u', '1m'],
  ['0.0001m', '100n', '1m'],
  ['0.0001k', '100m', '100m'],
  ['0.0001E', '100T', '100T'],
  ['0.0001Ki', '102400u', '103m'],
  ['0.0001Mi', '104857600u', '104858m'],
  ['0.0001e3', '100e-3', '100e-3'],
  ['0.0001e-10', '1e-9', '1e-3'],
  ['0.00000000015', '1n', '1m'],
  ['0.00000000015m', '1n', '1m'],
  ['0.00000000015Ki', '154n', '1m'],
  ['0.00000000015e-10', '1e-9', '1e-3'],
  ['0.1Ki', '102400m', '102400m'],
  ['', null, null],
  ['m', '0', '0'],
  ['k', '0', '0'],
  ['E', '0', '0'],
  ['Ki', '0', '0'],
  ['Mi', '0', '0'],
  ['e3', '0', '0'],
  ['e-10', null, null],
  ['.e-10', null, null],
  ['-Ki', '0', '0'],
  ['1xm', null, null],
  ['1xk', null, null],
  ['1xE', null, null],
  ['1xKi', null, null],
  ['1xMi', null, null],
  ['1xe3', null, null],
  ['1xe-10', null, null],
  ['-1', '-1', '-1'],
  ['-1m', '-1m', '-1m'],
  ['-1k', '-1k', '-1k'],
  ['-1E', '-1E', '-1E'],
  ['-1Ki', '-1Ki', '-1Ki'],
  ['-1Mi', '-1Mi', '-1Mi'],
  ['-1e3', '-1e3', '-1e3'],
  ['-1e-10', '-1e-9', '-1e-3'],
  ['+1', '+1', '+1'],
  ['+1m', '+1m', '+1m'],
  ['+1k', '+1k', '+1k'],
  ['+1E', '+1E', '+1E'],
  ['+1Ki', '+1Ki', '+1Ki'],
  ['+1Mi', '+1Mi', '+1Mi'],
  ['+1e3', '+1e3', '+1e3'],
  ['+1e-10', '1e-9', '1e-3'],
  ['-0', '0', '0'],
  ['-0.5', '-500m', '-500m'],
  ['-0.5m', '-500u', '-1m'],
  ['-0.5k', '-500', '-500'],
  ['-0.5E', '-500P', '-500P'],
  ['-0.5Ki', '-512', '-512'],
  ['-0.5Mi', '-512Ki', '-512Ki'],
  ['-0.5e3', '-500', '-500'],
  ['-0.5e-10', '-1e-9', '-1e-3'],
  ['1024', '1024', '1024'],
  ['1024m', '1024m', '1024m'],
  ['1024k', '1024k', '1024k'],
  ['1024E', '1024E', '1024E'],
  ['1024Ki', '1Mi', '1Mi'],
  ['1024Mi', '1Gi', '1Gi'],
  ['1024Ei', '9223372036854775807', '9223372036854775807'],
  ['1024e3', '1024e3', '1024e3'],
  ['1024e-10', '103e-9', '1e-3'],
  ['1023Ki', '1023Ki', '1023Ki'],
  ['123.456', '123.456', '123.456'],
  ['123.456m', '123.456m', '124m'],
  ['123.456k', '123.456k', '123.456k'],
  ['123.456E', '123.456E', '123.456E'],
  ['123.456Ki', '126418944m', '126418944m'],
  ['123.456Mi', '129452998656m', '129452998656m'],
  ['123.456e3', '123.456e3', '123.456e3'],
  ['123.456e-10', '13e-9', '1e-3'],
  ['1000000P', '1', '1'],
  ['1e30', '1e30', '1e30'],
  ['10e30', '10e30', '10e30'],
  ['1e-12', '1e-9', '1e-3'],
  ['8Ki', '8Ki', '8Ki'],
  ['9Ki', '9Ki', '9Ki'],
  ['1536Mi', '1536Mi', '1536Mi'],
  ['8191Ki', '8191Ki', '8191Ki'],
  ['16Ei', '9223372036854775807', '9223372036854775807'],
  ['8Ei', '9223372036854775807', '9223372036854775807'],
  ['7Ei', '7Ei', '7Ei'],
  ['100000000000000000000Ki', '9223372036854775807', '9223372036854775807'],
  [' 1 ', '1', '1'],
  ['  2Mi', '2Mi', '2Mi'],
  ['-1024', '-1024', '-1024'],
  ['-1536Mi', '-1536Mi', '-1536Mi'],
  ['-1000m', '-1', '-1'],
  ['128Mi', '128Mi', '128Mi'],
  ['250m', '250m', '250m'],
  ['2', '2', '2'],
  ['4Gi', '4Gi', '4Gi'],
  ['9223372036854775807', '9223372036854775807', '9223372036854775807'],
  ['9223372036854775808', '9223372036854775808', '9223372036854775808'],
  ['92233720368547758070m', '92233720368547758070m', '92233720368547758070m'],
  ['0.000000000000000000000000000001', '1n', '1m'],
  ['1.1Ki', '1126400m', '1126400m'],
  ['1025', '1025', '1025'],
  ['12.5M', '12500k', '12500k'],
  ['0.125', '125m', '125m'],
  ['0.0625Ki', '64', '64'],
  ['1e-9', '1e-9', '1e-3'],
  ['1e-8', '10e-9', '1e-3'],
  ['.000000001', '1n', '1m'],
  ['+.5', '500m', '500m'],
  ['-.', '0', '0'],
  ['1EE', null, null],
  ['1Ei3', null, null],
  [0, '0', '0'],
  [1, '1', '1'],
  [-1, '-1', '-1'],
  [0.5, '500m', '500m'],
  [1.5, '1500m', '1500m'],
  [1000, '1k', '1k'],
  [1024, '1024', '1024'],
  [0.1, '100m', '100m'],
  [0.001, '1m', '1m'],
  [1e-7, '100e-9', '1e-3'],
  [1e+21, '1e+21', '1e+21'],
  [1.5e+21, '1500e18', '1500e18'],
  [123456789, '123456789', '123456789'],
  [2.5e-10, '1e-9', '1e-3'],
  [100, '100', '100'],
  [1.25, '1250m', '1250m'],
];

const spec = (value: unknown): SidecarSetSpec => value as SidecarSetSpec;
const containerJson = (container: Record<string, unknown>): string => goMarshalSidecarContainer(container);

describe('sidecarSetHash', () => {
  for (const golden of GO_GOLDENS) {
    it(`matches Go: ${golden.name}`, () => {
      const s = spec(golden.spec);
      assert.equal(sidecarSetHashInput(s), golden.json);
      assert.equal(sidecarSetHash(s), golden.hash);
      assert.equal(sidecarSetHashInput(s, true), golden.jsonWithoutImage);
      assert.equal(sidecarSetHashWithoutImage(s), golden.hashWithoutImage);
    });
  }

  it('reproduces every golden vector of docs/behaviour/pod-annotations.md', () => {
    const plain = [{ name: 'container1', image: 'test-image' }];
    const native = [{ name: 'container1', image: 'test-image', restartPolicy: 'Always' }];
    assert.equal(sidecarSetHash({ containers: plain }), 'w26c4x8fz245642fdv499b464248f974xddx4x55z5dw55bc6x66464fxz77dc78');
    assert.equal(sidecarSetHash({ containers: plain, initContainers: plain }), 'w26c4x8fz245642fdv499b464248f974xddx4x55z5dw55bc6x66464fxz77dc78');
    assert.equal(sidecarSetHash({ containers: plain, initContainers: native }), '4xwx4d4844vd4v9x79wb4xbxf4xb29475cc4446v8cz2c2f2f5c5bw448vd42z8w');
    assert.equal(sidecarSetHashWithoutImage({ containers: plain, initContainers: plain }), '8wzddb4dvv9c6x8zdc77z4z75987424f457dfv6724ddw6zbdx467wz5x24fc759');
    assert.equal(sidecarSetHashWithoutImage({ containers: plain, initContainers: native }), '5725fw8bwbx249bw57v5892c847dzf48bww9zb7c86xb95264fdz26654847b2c8');
    const defaulted = spec({
      containers: [{
        name: 'dns-f', image: 'dns:1.0', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
        imagePullPolicy: 'IfNotPresent', podInjectPolicy: 'BeforeAppContainer', upgradeStrategy: { upgradeType: 'ColdUpgrade' },
        shareVolumePolicy: { type: 'disabled' },
      }],
    });
    assert.equal(
      sidecarSetHashInput(defaulted),
      '{"containers":[{"name":"dns-f","image":"dns:1.0","resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent","podInjectPolicy":"BeforeAppContainer","upgradeStrategy":{"upgradeType":"ColdUpgrade"},"shareVolumePolicy":{"type":"disabled"}}]}',
    );
    assert.equal(sidecarSetHash(defaulted), '6wbd76bd7984x24fb4f44fv9222cw9v9bcf85x766744wddd4zwx927zzz2zb684');
    assert.equal(sidecarSetHashWithoutImage(defaulted), '82684vwf9d4cb4wz4vffx4ddfbb47ww4z4wwxdbwb8w2zbb7zvf4524cdd49bv94');
  });

  it('changes with the image but the without-image hash does not', () => {
    const a = spec({ containers: [{ name: 'c', image: 'nginx:1' }] });
    const b = spec({ containers: [{ name: 'c', image: 'nginx:2' }] });
    assert.notEqual(sidecarSetHash(a), sidecarSetHash(b));
    assert.equal(sidecarSetHashWithoutImage(a), sidecarSetHashWithoutImage(b));
    assert.match(sidecarSetHash(a), /^[bcdfghjklmnpqrstvwxz2456789]{64}$/);
  });

  it('ignores everything outside containers and native-sidecar init containers', () => {
    const base = spec({ containers: [{ name: 'c', image: 'i' }], initContainers: [{ name: 'init', image: 'x' }] });
    const other = spec({
      ...base,
      selector: { matchLabels: { a: 'b' } },
      volumes: [{ name: 'v', emptyDir: {} }],
      initContainers: [{ name: 'init', image: 'y' }],
      updateStrategy: { type: 'NotUpdate' },
    });
    assert.equal(sidecarSetHash(other), sidecarSetHash(base));
  });

  it('does not crash on mistyped values and reads them as Go zero values', () => {
    const weird = spec({
      containers: [{
        name: 42, image: ['x'], env: 'nope', ports: [{ containerPort: '80' }, { containerPort: 1.5 }], resources: 'r',
        livenessProbe: { httpGet: { port: true } }, stdin: 'yes', upgradeStrategy: 7, transferEnv: {}, resourcesPolicy: [],
        volumeMounts: [{ readOnly: 1 }], lifecycle: { preStop: { sleep: { seconds: 'x' } } },
      }, null, 'string'],
    });
    assert.equal(
      sidecarSetHashInput(weird),
      '{"containers":[{"name":"","ports":[{"containerPort":0},{"containerPort":0}],"resources":{},"volumeMounts":[{"name":"","mountPath":""}],' +
        '"livenessProbe":{"httpGet":{"port":0}},"lifecycle":{"preStop":{"sleep":{"seconds":0}}},"upgradeStrategy":{},"shareVolumePolicy":{},' +
        '"resourcesPolicy":{"targetContainersMode":"","resourcesExpr":{}}},' +
        '{"name":"","resources":{},"upgradeStrategy":{},"shareVolumePolicy":{}},{"name":"","resources":{},"upgradeStrategy":{},"shareVolumePolicy":{}}]}',
    );
  });
});

describe('Go encoding rules', () => {
  it('escapes strings like encoding/json with HTML escaping', () => {
    assert.equal(goJsonString('plain'), '"plain"');
    assert.equal(goJsonString('<a href="x">&</a>'), '"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e"');
    assert.equal(goJsonString('\u2028\u2029'), '"\\u2028\\u2029"');
    // Go >= 1.22 writes \b and \f short; other control characters as \u00XX (lowercase hex).
    assert.equal(goJsonString('\b\f\n\r\t\u0000\u0001\u001b\u001f'), '"\\b\\f\\n\\r\\t\\u0000\\u0001\\u001b\\u001f"');
    assert.equal(goJsonString('back\\slash'), '"back\\\\slash"');
    // DEL, '/', non-ASCII and astral characters are written as they are.
    assert.equal(goJsonString('\u007f/é😀\ufffd'), '"\u007f/é😀\ufffd"');
  });

  it('hashes a lone surrogate as U+FFFD, as Go holds it after decoding', () => {
    const lone = spec({ containers: [{ name: 'x\ud800' }] });
    const replaced = spec({ containers: [{ name: 'x\ufffd' }] });
    assert.equal(sidecarSetHash(lone), sidecarSetHash(replaced));
  });

  it('omits empty omitempty values but always writes struct values', () => {
    assert.equal(
      containerJson({ name: 'c', env: [], ports: [], command: [], image: '', workingDir: '', stdin: false, livenessProbe: null }),
      '{"name":"c","resources":{},"upgradeStrategy":{},"shareVolumePolicy":{}}',
    );
    assert.equal(containerJson({ name: 'c', resources: { limits: {}, requests: null } }), '{"name":"c","resources":{},"upgradeStrategy":{},"shareVolumePolicy":{}}');
    assert.equal(sidecarSetHashInput({}), '{"containers":null}');
    assert.equal(sidecarSetHashInput({ containers: [] }), '{"containers":[]}');
  });

  it('writes non-nil pointers even when they point at a zero value', () => {
    assert.equal(
      containerJson({ name: 'c', restartPolicy: '', securityContext: { privileged: false, runAsUser: 0, seLinuxOptions: {} }, lifecycle: {}, shareVolumeDevicePolicy: {} }),
      '{"name":"c","resources":{},"restartPolicy":"","lifecycle":{},"securityContext":{"privileged":false,"seLinuxOptions":{},"runAsUser":0},' +
        '"upgradeStrategy":{},"shareVolumePolicy":{},"shareVolumeDevicePolicy":{}}',
    );
  });

  it('writes fields without omitempty even when empty, in declaration order', () => {
    assert.equal(
      containerJson({ name: 'c', volumeMounts: [{ mountPath: '', name: 'v', readOnly: true, subPath: 's' }] }),
      '{"name":"c","resources":{},"volumeMounts":[{"name":"v","readOnly":true,"mountPath":"","subPath":"s"}],"upgradeStrategy":{},"shareVolumePolicy":{}}',
    );
    assert.equal(
      containerJson({ name: 'c', readinessProbe: { grpc: { port: 1 }, tcpSocket: {}, periodSeconds: 10, httpGet: { scheme: 'HTTP', path: '/' } } }),
      '{"name":"c","resources":{},"readinessProbe":{"httpGet":{"path":"/","port":0,"scheme":"HTTP"},"tcpSocket":{"port":0},' +
        '"grpc":{"port":1,"service":null},"periodSeconds":10},"upgradeStrategy":{},"shareVolumePolicy":{}}',
    );
    // ResourceFieldSelector.divisor is a Quantity struct: omitempty never drops it.
    assert.equal(
      containerJson({ name: 'c', env: [{ valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } }, name: 'CPU' }] }),
      '{"name":"c","env":[{"name":"CPU","valueFrom":{"resourceFieldRef":{"resource":"limits.cpu","divisor":"0"}}}],"resources":{},"upgradeStrategy":{},"shareVolumePolicy":{}}',
    );
  });

  it('sorts map keys by code point and escapes them', () => {
    assert.equal(
      containerJson({ name: 'c', resources: { limits: { memory: '1Gi', cpu: '1', '\uffff': '1', '\u{1f600}': '1', 'a<b': '2' } } }),
      '{"name":"c","resources":{"limits":{"a\\u003cb":"2","cpu":"1","memory":"1Gi","\uffff":"1","\u{1f600}":"1"}},"upgradeStrategy":{},"shareVolumePolicy":{}}',
    );
  });

  it('writes IntOrString as a number or a string', () => {
    assert.equal(
      containerJson({ name: 'c', livenessProbe: { httpGet: { port: 8080 } }, readinessProbe: { httpGet: { port: '8080' } }, startupProbe: { tcpSocket: { port: 'http' } } }),
      '{"name":"c","resources":{},"livenessProbe":{"httpGet":{"port":8080}},"readinessProbe":{"httpGet":{"port":"8080"}},' +
        '"startupProbe":{"tcpSocket":{"port":"http"}},"upgradeStrategy":{},"shareVolumePolicy":{}}',
    );
  });
});

describe('goQuantityString', () => {
  it('re-marshals quantities exactly like resource.Quantity', () => {
    for (const [input, plain, milli] of QUANTITIES) {
      assert.equal(goQuantityString(input) ?? null, plain, `quantity ${JSON.stringify(input)}`);
      assert.equal(goQuantityString(input, true) ?? null, milli, `quantity ${JSON.stringify(input)} rounded up to milli`);
    }
  });

  it('treats null as the zero quantity inside a resource list', () => {
    assert.equal(goQuantityString(null), undefined);
    assert.equal(containerJson({ name: 'c', resources: { requests: { cpu: null } } }), '{"name":"c","resources":{"requests":{"cpu":"0"}},"upgradeStrategy":{},"shareVolumePolicy":{}}');
  });

  it('stays fast on absurd exponents and lengths', () => {
    // Go agrees for 1e-99999 (and takes its time on such exponents; we do not).
    assert.equal(goQuantityString('1e-99999'), '1e-9');
    assert.equal(goQuantityString('1e-999999999'), '1e-9');
    assert.equal(goQuantityString('1'.repeat(5000)), undefined);
  });
});

describe('go-json-layout.json', () => {
  it('describes the k8s.io/api release of KUBERNETES_VERSION (regenerate with scripts/generate-go-json-layout.ts)', () => {
    assert.equal(layout.source, `k8s.io/api ${KUBERNETES_VERSION.replace(/^v1\./, 'v0.')}`);
  });

  it('lists the Container fields in the order of docs/behaviour/pod-annotations.md', () => {
    const names = (layout.types as Record<string, { name: string }[]>)[layout.root].map((f) => f.name);
    const documented = ['name', 'image', 'command', 'args', 'workingDir', 'ports', 'envFrom', 'env', 'resources', 'resizePolicy', 'restartPolicy',
      'volumeMounts', 'volumeDevices', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'terminationMessagePath',
      'terminationMessagePolicy', 'imagePullPolicy', 'securityContext', 'stdin', 'stdinOnce', 'tty'];
    assert.deepEqual(names.filter((n) => documented.includes(n)), documented);
  });

  it('maps hex digits the way rand.SafeEncodeString does', () => {
    assert.equal(safeEncodeString('0123456789abcdef'), '456789bcdfvwxz24');
  });
});
