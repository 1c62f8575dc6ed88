package main

// A local mirror of OpenKruise's SidecarContainer (apps.kruise.io v1alpha1/v1beta1) and the parts of
// SidecarSetSpec the revision hash reads. Importing kruise itself would drag in its own Kubernetes
// version; these few sidecar-specific fields are stable and written out here from their documented
// Go definitions (field order and tags are what matter for encoding/json).

import corev1 "k8s.io/api/core/v1"

type sidecarContainer struct {
	corev1.Container `json:",inline"`

	PodInjectPolicy         string                          `json:"podInjectPolicy,omitempty"`
	UpgradeStrategy         sidecarContainerUpgradeStrategy `json:"upgradeStrategy,omitempty"`
	ShareVolumePolicy       shareVolumePolicy               `json:"shareVolumePolicy,omitempty"`
	ShareVolumeDevicePolicy *shareVolumePolicy              `json:"shareVolumeDevicePolicy,omitempty"`
	TransferEnv             []transferEnvVar                `json:"transferEnv,omitempty"`
	ResourcesPolicy         *resourcesPolicy                `json:"resourcesPolicy,omitempty"`
}

type sidecarContainerUpgradeStrategy struct {
	UpgradeType          string `json:"upgradeType,omitempty"`
	HotUpgradeEmptyImage string `json:"hotUpgradeEmptyImage,omitempty"`
}

type shareVolumePolicy struct {
	Type string `json:"type,omitempty"`
}

type transferEnvVar struct {
	SourceContainerName     string                     `json:"sourceContainerName,omitempty"`
	SourceContainerNameFrom *sourceContainerNameSource `json:"sourceContainerNameFrom,omitempty"`
	EnvName                 string                     `json:"envName,omitempty"`
	EnvNames                []string                   `json:"envNames,omitempty"`
}

type sourceContainerNameSource struct {
	FieldRef *corev1.ObjectFieldSelector `json:"fieldRef,omitempty"`
}

type resourcesPolicy struct {
	TargetContainerMode       string       `json:"targetContainersMode"`
	TargetContainersNameRegex string       `json:"targetContainersNameRegex,omitempty"`
	ResourceExpr              resourceExpr `json:"resourcesExpr"`
}

type resourceExpr struct {
	Limits   *resourceExprValues `json:"limits,omitempty"`
	Requests *resourceExprValues `json:"requests,omitempty"`
}

type resourceExprValues struct {
	CPU    string `json:"cpu,omitempty"`
	Memory string `json:"memory,omitempty"`
}

type sidecarSetSpec struct {
	InitContainers []sidecarContainer `json:"initContainers,omitempty"`
	Containers     []sidecarContainer `json:"containers,omitempty"`
}
