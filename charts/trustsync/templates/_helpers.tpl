{{/* Labels on every object: the ones manifests/ sets, plus Helm's own. */}}
{{- define "trustsync.labels" -}}
app.kubernetes.io/name: trustsync
app.kubernetes.io/part-of: trustsync
{{ include "trustsync.helmLabels" . }}
{{- end }}

{{/* Helm's own labels: which release and chart an object belongs to. */}}
{{- define "trustsync.helmLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}
{{- end }}

{{/* What the Service, PodDisruptionBudget and NetworkPolicy select: the operator's pods. */}}
{{- define "trustsync.selectorLabels" -}}
app.kubernetes.io/name: trustsync
app.kubernetes.io/component: operator
{{- end }}

{{- define "trustsync.serviceAccountName" -}}
{{ .Values.serviceAccount.name }}
{{- end }}

{{- define "trustsync.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion -}}
{{- if .Values.image.digest -}}
{{ printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else -}}
{{ printf "%s:%s" .Values.image.repository $tag }}
{{- end -}}
{{- end }}

{{/* The operator's arguments: one per value that differs from the operator's own default. */}}
{{- define "trustsync.args" -}}
{{- $o := .Values.operator -}}
- operator
{{- if not .Values.watchAllNamespaces }}
- --namespace={{ .Release.Namespace }}
{{- end }}
{{- if .Values.leaderElection.enabled }}
- --leader-election
{{- if ne .Values.leaderElection.leaseDuration "15s" }}
- --lease-duration={{ .Values.leaderElection.leaseDuration }}
{{- end }}
{{- if ne .Values.leaderElection.renewDeadline "10s" }}
- --renew-deadline={{ .Values.leaderElection.renewDeadline }}
{{- end }}
{{- if ne .Values.leaderElection.retryPeriod "2s" }}
- --retry-period={{ .Values.leaderElection.retryPeriod }}
{{- end }}
{{- end }}
- --cache-dir=/var/cache/trustsync
{{- if .Values.watchAllNamespaces }}
{{- range (prepend .Values.platformNamespaces .Release.Namespace | uniq) }}
- --platform-namespace={{ . }}
{{- end }}
{{- else }}
{{- range .Values.platformNamespaces }}
- --platform-namespace={{ . }}
{{- end }}
{{- end }}
{{- if ne $o.expiryWindow "30d" }}
- --expiry-window={{ $o.expiryWindow }}
{{- end }}
{{- if $o.installCrds }}
- --install-crds
{{- end }}
{{- with $o.shard }}
- --shard={{ . }}
{{- end }}
{{- if $o.metrics.auth }}
- --metrics-auth
{{- end }}
{{- if not $o.webhooks.enabled }}
- --webhook-address=none
{{- end }}
{{- if ne (int $o.webhooks.maxBytes) 1048576 }}
- --webhook-max-bytes={{ int $o.webhooks.maxBytes }}
{{- end }}
{{- if ne (int $o.webhooks.maxConnections) 64 }}
- --webhook-max-connections={{ int $o.webhooks.maxConnections }}
{{- end }}
{{- $s := $o.sources }}
{{- if $s.allowInsecureHttp }}
- --allow-insecure-http
{{- end }}
{{- if $s.allowLocalSources }}
- --allow-local-sources
{{- end }}
{{- with $s.allowCidrs }}
- --source-allow-cidr={{ join "," . }}
{{- end }}
{{- with $s.denyCidrs }}
- --source-deny-cidr={{ join "," . }}
{{- end }}
{{- if ne $s.minInterval "10s" }}
- --min-source-interval={{ $s.minInterval }}
{{- end }}
{{- if ne $s.maxTimeout "5m" }}
- --max-source-timeout={{ $s.maxTimeout }}
{{- end }}
{{- if ne (int64 $s.maxFetchBytes) 67108864 }}
- --max-fetch-bytes={{ int64 $s.maxFetchBytes }}
{{- end }}
{{- if ne (int64 $s.maxObjectBytes) 16777216 }}
- --max-object-bytes={{ int64 $s.maxObjectBytes }}
{{- end }}
{{- if ne (int64 $s.maxCheckoutBytes) 67108864 }}
- --max-checkout-bytes={{ int64 $s.maxCheckoutBytes }}
{{- end }}
{{- if ne (int $s.maxCheckoutFiles) 10000 }}
- --max-checkout-files={{ int $s.maxCheckoutFiles }}
{{- end }}
{{- if ne (int64 $s.maxFileBytes) 4194304 }}
- --max-file-bytes={{ int64 $s.maxFileBytes }}
{{- end }}
{{- if ne (int $s.fetchConcurrency) 4 }}
- --fetch-concurrency={{ int $s.fetchConcurrency }}
{{- end }}
{{- if ne (int $s.fetchConcurrencyPerNamespace) 2 }}
- --fetch-concurrency-per-namespace={{ int $s.fetchConcurrencyPerNamespace }}
{{- end }}
{{- if $o.azure.workloadIdentity }}
- --azure-workload-identity
{{- with $o.azure.resourceManagerEndpoint }}
- --azure-resource-manager-endpoint={{ . }}
{{- end }}
{{- with $o.azure.authorityHost }}
- --azure-authority-host={{ . }}
{{- end }}
{{- end }}
{{- if $o.signerAudit.enabled }}
- --enable-signer-audit
{{- end }}
{{- $m := $o.members }}
{{- with $m.allowCidrs }}
- --member-allow-cidr={{ join "," . }}
{{- end }}
{{- with $m.denyCidrs }}
- --member-deny-cidr={{ join "," . }}
{{- end }}
{{- if $m.allowTenantHubMembers }}
- --allow-tenant-hub-members
{{- end }}
{{- if $m.serviceAccountTokens }}
- --allow-service-account-token-members
{{- end }}
{{- $k := $m.insecureKubeconfig }}
{{- if $k.exec }}
- --insecure-kubeconfig-exec
{{- end }}
{{- if $k.authProvider }}
- --insecure-kubeconfig-auth-provider
{{- end }}
{{- if $k.files }}
- --insecure-kubeconfig-files
{{- end }}
{{- if $k.tls }}
- --insecure-kubeconfig-tls
{{- end }}
{{- if $k.proxy }}
- --insecure-kubeconfig-proxy
{{- end }}
{{- if $k.http }}
- --insecure-kubeconfig-http
{{- end }}
{{- range $o.extraArgs }}
- {{ . | quote }}
{{- end }}
{{- end }}
