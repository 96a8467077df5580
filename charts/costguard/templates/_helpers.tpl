{{/*
Names and labels shared by every template.
*/}}

{{/* The chart name, or nameOverride. */}}
{{- define "costguard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The full name of the release's objects: fullnameOverride, else the release name when it already
contains the chart name, else "<release>-<chart>". Kept to 63 characters (a DNS label).
*/}}
{{- define "costguard.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* "<chart>-<version>" for the helm.sh/chart label. */}}
{{- define "costguard.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels that select the operator pods; never change them after a release exists. */}}
{{- define "costguard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "costguard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Labels on every object the chart renders. */}}
{{- define "costguard.labels" -}}
helm.sh/chart: {{ include "costguard.chart" . }}
{{ include "costguard.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: costguard
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* The ServiceAccount the operator runs as. */}}
{{- define "costguard.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "costguard.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The leader-election Lease (--leader-election-id); the Role grants get/update on it only. */}}
{{- define "costguard.leaseName" -}}
{{- include "costguard.fullname" . -}}
{{- end -}}

{{/* The metrics Service, which is also the Prometheus job name a ServiceMonitor produces. */}}
{{- define "costguard.metricsServiceName" -}}
{{- printf "%s-metrics" (include "costguard.fullname" . | trunc 55 | trimSuffix "-") -}}
{{- end -}}

{{/* The image reference: by digest when one is set, else by tag (default: appVersion). */}}
{{- define "costguard.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* The operator's command line after the image's ENTRYPOINT (node dist/cli/main.js). */}}
{{- define "costguard.args" -}}
{{- $args := list
  "operator"
  "--leader-elect"
  "--leader-election-namespace=$(POD_NAMESPACE)"
  (printf "--leader-election-id=%s" (include "costguard.leaseName" .))
  (printf "--metrics-bind-address=:%d" (int .Values.metrics.port))
  (printf "--health-probe-bind-address=:%d" (int .Values.health.port))
  (printf "--resync-period=%s" .Values.resyncPeriod)
  (printf "--log-level=%s" .Values.logLevel)
  (printf "--max-concurrent-reconciles=%d" (int .Values.maxConcurrentReconciles))
  (printf "--kube-api-qps=%d" (int .Values.kubeApi.qps))
  (printf "--kube-api-burst=%d" (int .Values.kubeApi.burst))
  (printf "--namespaces=%s" (join "," .Values.watchNamespaces))
  (printf "--nodepool-namespaces=%s" (join "," .Values.tenancy.nodePoolNamespaces))
  (printf "--aws-namespaces=%s" (join "," .Values.tenancy.awsNamespaces))
  (printf "--role-arn-pattern=%s" .Values.tenancy.roleArnPattern)
  (printf "--cluster-id=%s" .Values.tenancy.clusterId)
-}}
{{- toYaml (concat $args .Values.extraArgs) -}}
{{- end -}}

{{/*
The chart's spread: replicas on different nodes (hard: a standby on the leader's node dies with
it) and, when the cluster has zones, in different zones (best effort). A constraint with one
domain never blocks and tainted nodes are not counted (nodeTaintsPolicy: Honor), so a cluster
with one schedulable node still runs every replica.
*/}}
{{- define "costguard.topologySpread" -}}
- maxSkew: 1
  topologyKey: kubernetes.io/hostname
  whenUnsatisfiable: DoNotSchedule
  labelSelector:
    matchLabels:
      {{- include "costguard.selectorLabels" . | nindent 6 }}
  matchLabelKeys: [pod-template-hash]
  nodeTaintsPolicy: Honor
- maxSkew: 1
  topologyKey: topology.kubernetes.io/zone
  whenUnsatisfiable: ScheduleAnyway
  labelSelector:
    matchLabels:
      {{- include "costguard.selectorLabels" . | nindent 6 }}
  matchLabelKeys: [pod-template-hash]
  nodeTaintsPolicy: Honor
{{- end -}}

{{/* An alert's labels: its severity, then prometheusRule.alertLabels (which may override it). */}}
{{- define "costguard.alertLabels" -}}
{{- toYaml (mergeOverwrite (dict "severity" (index . 0)) (index . 1)) -}}
{{- end -}}
