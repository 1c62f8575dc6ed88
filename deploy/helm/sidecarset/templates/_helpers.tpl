{{/* Names. Kubernetes names are limited to 63 characters for labels and Services. */}}
{{- define "sidecarset.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "sidecarset.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "sidecarset.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "sidecarset.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sidecarset.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "sidecarset.labels" -}}
helm.sh/chart: {{ include "sidecarset.chart" . }}
{{ include "sidecarset.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "sidecarset.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "sidecarset.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The webhook Service; the serving certificate must name <service>.<namespace>.svc. */}}
{{- define "sidecarset.webhookServiceName" -}}
{{- printf "%s-webhook" (include "sidecarset.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The conversion webhook's Service: the same Pods, not-ready ones included, because the apiserver
needs /convert to read SidecarSets at all, and our own caches (which gate readiness) read them.
*/}}
{{- define "sidecarset.conversionServiceName" -}}
{{- printf "%s-conversion" (include "sidecarset.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "sidecarset.metricsServiceName" -}}
{{- printf "%s-metrics" (include "sidecarset.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Webhook configuration names: also passed to the operator, which patches them in self mode. */}}
{{- define "sidecarset.mutatingWebhookConfigurationName" -}}
{{- printf "%s-mutating-webhook-configuration" (include "sidecarset.fullname" .) }}
{{- end }}

{{- define "sidecarset.validatingWebhookConfigurationName" -}}
{{- printf "%s-validating-webhook-configuration" (include "sidecarset.fullname" .) }}
{{- end }}

{{- define "sidecarset.whitelistConfigMapName" -}}
{{- default (printf "%s-configuration" (include "sidecarset.fullname" .)) .Values.patchPodMetadata.whitelist.configMapName }}
{{- end }}

{{/* The Secret holding tls.crt / tls.key, whichever mode produces it. */}}
{{- define "sidecarset.certSecretName" -}}
{{- if eq .Values.certs.mode "external" }}
{{- required "certs.external.secretName is required when certs.mode is external" .Values.certs.external.secretName }}
{{- else if eq .Values.certs.mode "cert-manager" }}
{{- printf "%s-webhook-tls" (include "sidecarset.fullname" .) }}
{{- else }}
{{- default (printf "%s-webhook-certs" (include "sidecarset.fullname" .)) .Values.certs.secretName }}
{{- end }}
{{- end }}

{{- define "sidecarset.servingCertificateName" -}}
{{- printf "%s-webhook" (include "sidecarset.fullname" .) }}
{{- end }}

{{- define "sidecarset.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "sidecarset.validateValues" -}}
{{- $modes := list "self" "cert-manager" "external" }}
{{- if not (has .Values.certs.mode $modes) }}
{{- fail (printf "certs.mode must be one of %s, got %q" (join ", " $modes) .Values.certs.mode) }}
{{- end }}
{{- if eq .Values.certs.mode "external" }}
{{- $_ := required "certs.external.caBundle (base64 PEM of the CA) is required when certs.mode is external" .Values.certs.external.caBundle }}
{{- end }}
{{- range $k, $v := .Values.webhook.failurePolicy }}
{{- if not (has $v (list "Fail" "Ignore")) }}
{{- fail (printf "webhook.failurePolicy.%s must be Fail or Ignore, got %q" $k $v) }}
{{- end }}
{{- end }}
{{- range $k, $v := .Values.webhook.timeoutSeconds }}
{{- if or (lt (int $v) 1) (gt (int $v) 30) }}
{{- fail (printf "webhook.timeoutSeconds.%s must be between 1 and 30, got %v" $k $v) }}
{{- end }}
{{- end }}
{{- if not (has .Values.preset (list "" "restricted")) }}
{{- fail (printf "preset must be \"\" or \"restricted\", got %q" .Values.preset) }}
{{- end }}
{{- if and (not .Values.leaderElection.enabled) (gt (int .Values.replicaCount) 1) }}
{{- fail "leaderElection.enabled=false needs replicaCount=1: several replicas would all run the controller" }}
{{- end }}
{{- end }}

{{/*
caBundle of a webhook in self mode: the operator patches it after install, so an upgrade must
carry over the live value instead of blanking it (and leaving every webhook call failing TLS until
the operator notices). lookup returns nothing under `helm template` / --dry-run, which is fine.
Arguments: (list $ctx kind configurationName webhookName).
*/}}
{{- define "sidecarset.liveCaBundle" -}}
{{- $ctx := index . 0 }}
{{- $kind := index . 1 }}
{{- $config := index . 2 }}
{{- $webhook := index . 3 }}
{{- $live := lookup "admissionregistration.k8s.io/v1" $kind "" $config }}
{{- if $live }}
{{- range $live.webhooks }}
{{- if and (eq .name $webhook) .clientConfig .clientConfig.caBundle }}
{{- .clientConfig.caBundle }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* clientConfig of one webhook. Arguments: (list $ctx kind configurationName webhookName path). */}}
{{- define "sidecarset.clientConfig" -}}
{{- $ctx := index . 0 }}
{{- $path := index . 4 }}
service:
  name: {{ include "sidecarset.webhookServiceName" $ctx }}
  namespace: {{ $ctx.Release.Namespace }}
  path: {{ $path }}
  port: 443
{{- if eq $ctx.Values.certs.mode "external" }}
caBundle: {{ $ctx.Values.certs.external.caBundle }}
{{- else if eq $ctx.Values.certs.mode "self" }}
{{- $ca := include "sidecarset.liveCaBundle" (list $ctx (index . 1) (index . 2) (index . 3)) }}
{{- if $ca }}
caBundle: {{ $ca }}
{{- end }}
{{- end }}
{{- end }}

{{/* The CRD's own labels and annotations (the CRD template is generated: see src/api/crd.ts). */}}
{{- define "sidecarset.crdMetadata" -}}
labels:
  {{- include "sidecarset.labels" . | nindent 2 }}
annotations:
  # Uninstalling the chart must not delete the CRD: every SidecarSet would go with it.
  helm.sh/resource-policy: keep
  {{- if eq .Values.certs.mode "cert-manager" }}
  cert-manager.io/inject-ca-from: {{ printf "%s/%s" .Release.Namespace (include "sidecarset.servingCertificateName" .) }}
  {{- end }}
{{- end }}

{{/* clientConfig of the CRD's conversion webhook; in self mode the live caBundle survives upgrades. */}}
{{- define "sidecarset.conversionClientConfig" -}}
service:
  name: {{ include "sidecarset.conversionServiceName" . }}
  namespace: {{ .Release.Namespace }}
  path: /convert
  port: 443
{{- if eq .Values.certs.mode "external" }}
caBundle: {{ .Values.certs.external.caBundle }}
{{- else if eq .Values.certs.mode "self" }}
{{- $live := lookup "apiextensions.k8s.io/v1" "CustomResourceDefinition" "" "sidecarsets.apps.kruise.io" }}
{{- $ca := "" }}
{{- if and $live $live.spec.conversion $live.spec.conversion.webhook $live.spec.conversion.webhook.clientConfig }}
{{- $ca = $live.spec.conversion.webhook.clientConfig.caBundle | default "" }}
{{- end }}
{{- if $ca }}
caBundle: {{ $ca }}
{{- end }}
{{- end }}
{{- end }}

{{/* Annotations of both webhook configurations. */}}
{{- define "sidecarset.webhookConfigurationAnnotations" -}}
{{- if eq .Values.certs.mode "cert-manager" }}
annotations:
  # cert-manager's CA injector copies the serving Certificate's CA into every caBundle.
  cert-manager.io/inject-ca-from: {{ printf "%s/%s" .Release.Namespace (include "sidecarset.servingCertificateName" .) }}
{{- end }}
{{- end }}

{{/*
Namespaces never intercepted: kube-system (cluster bootstrap must not depend on us) and our own
namespace (a down operator must be able to start its own Pods again).
*/}}
{{- define "sidecarset.namespaceSelector" -}}
{{- $excluded := concat (list "kube-system" .Release.Namespace) .Values.webhook.excludedNamespaces | uniq }}
namespaceSelector:
  matchExpressions:
    - key: kubernetes.io/metadata.name
      operator: NotIn
      values:
        {{- range $excluded }}
        - {{ . | quote }}
        {{- end }}
{{- end }}

{{/* The PriorityClass the Pods run with: a named one, the chart's, or none. */}}
{{- define "sidecarset.priorityClassName" -}}
{{- if .Values.priorityClassName }}{{ .Values.priorityClassName }}
{{- else if .Values.priorityClass.create }}{{ printf "%s-critical" (include "sidecarset.fullname" .) }}
{{- end }}
{{- end }}

{{/* --max-old-space-size in MiB: heapMegabytes, else 60 % of a Mi/Gi memory limit, else nothing. */}}
{{- define "sidecarset.heapMegabytes" -}}
{{- $limit := toString (dig "limits" "memory" "" .Values.resources) }}
{{- if .Values.heapMegabytes }}{{ .Values.heapMegabytes }}
{{- else if hasSuffix "Gi" $limit }}{{ div (mul (trimSuffix "Gi" $limit | int) 1024 60) 100 }}
{{- else if hasSuffix "Mi" $limit }}{{ div (mul (trimSuffix "Mi" $limit | int) 60) 100 }}
{{- end }}
{{- end }}

{{/* The security policy as the operator reads it; the restricted preset turns it on. */}}
{{- define "sidecarset.securityPolicy" -}}
{{- $policy := deepCopy .Values.securityPolicy }}
{{- if eq .Values.preset "restricted" }}{{ $_ := set $policy "enabled" true }}{{ end }}
{{- toJson $policy }}
{{- end }}
