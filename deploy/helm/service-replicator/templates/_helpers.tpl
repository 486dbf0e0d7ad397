{{/* Names and labels. */}}
{{- define "service-replicator.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end }}

{{- define "service-replicator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The four apps, and the values key of each. */}}
{{- define "service-replicator.apps" -}}
{"config-watcher": "configWatcher", "host-watcher": "hostWatcher", "tenant-watcher": "tenantWatcher", "writer": "writer"}
{{- end }}

{{/* An app's name, which its Deployment, ServiceAccount, Roles and Bindings share. ctx: {root, app}. */}}
{{- define "service-replicator.appName" -}}
{{- printf "%s-%s" (include "service-replicator.fullname" .root) .app -}}
{{- end }}

{{/* A tenant's host identity: the ServiceAccount (and its Roles) the writer acts as for it. ctx: {root, tenant}. */}}
{{- define "service-replicator.tenantIdentity" -}}
{{- printf "%s-tenant-%s" (include "service-replicator.fullname" .root) .tenant -}}
{{- end }}

{{/* The tenant ClusterRoles' prefix: <prefix>-read, -write, -write-endpoints (discovered tenants' grants). */}}
{{- define "service-replicator.tenantClusterRolePrefix" -}}
{{- printf "%s-tenant" (include "service-replicator.fullname" .) -}}
{{- end }}

{{- define "service-replicator.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .app }}
{{- end }}

{{/*
Where a tenant's vcluster.yaml comes from, as the tenants file names it: `values` is rendered
into a ConfigMap of this release (templates/tenants.yaml); configMap and secret are read as given.
*/}}
{{- define "service-replicator.configRef" -}}
{{- $root := .root -}}
{{- $config := .tenant.config -}}
{{- if hasKey $config "values" -}}
{{- $name := printf "%s-tenant-%s" (include "service-replicator.fullname" $root) .tenant.name -}}
{{- toJson (dict "kind" "configMap" "ref" (dict "namespace" $root.Release.Namespace "name" $name "key" "vcluster.yaml")) -}}
{{- else if hasKey $config "configMap" -}}
{{- toJson (dict "kind" "configMap" "ref" (include "service-replicator.keyRef" (dict "root" $root "ref" $config.configMap) | fromJson)) -}}
{{- else -}}
{{- toJson (dict "kind" "secret" "ref" (include "service-replicator.keyRef" (dict "root" $root "ref" $config.secret) | fromJson)) -}}
{{- end -}}
{{- end }}

{{/* A {namespace, name, key} reference; the namespace defaults to the release's. */}}
{{- define "service-replicator.keyRef" -}}
{{- toJson (dict "namespace" (.ref.namespace | default .root.Release.Namespace) "name" .ref.name "key" .ref.key) -}}
{{- end }}

{{/* The tenants file config-watcher reads (TENANTS_FILE); its format is libs/replication-config's. */}}
{{- define "service-replicator.tenantsFile" -}}
{{- $tenants := list -}}
{{- range .Values.tenants -}}
{{- $config := include "service-replicator.configRef" (dict "root" $ "tenant" .) | fromJson -}}
{{- $kubeconfig := include "service-replicator.keyRef" (dict "root" $ "ref" .kubeconfig.secret) | fromJson -}}
{{- $tenant := dict "name" .name "hostNamespace" .hostNamespace "kubeconfig" (dict "secret" $kubeconfig) "config" (dict $config.kind $config.ref) -}}
{{- $_ := set $tenant "hostServiceAccount" (printf "%s/%s" $.Release.Namespace (include "service-replicator.tenantIdentity" (dict "root" $ "tenant" .name))) -}}
{{- if .allowedHostNamespaces }}{{ $_ := set $tenant "allowedHostNamespaces" .allowedHostNamespaces }}{{ end -}}
{{- if .fromHostNamespaces }}{{ $_ := set $tenant "fromHostNamespaces" .fromHostNamespaces }}{{ end -}}
{{- if .allowExternalName }}{{ $_ := set $tenant "allowExternalName" .allowExternalName }}{{ end -}}
{{- if .toHostMode }}{{ $_ := set $tenant "toHostMode" .toHostMode }}{{ end -}}
{{- if .adoptVClusterMirrors }}{{ $_ := set $tenant "adoptVClusterMirrors" true }}{{ end -}}
{{- if .endpoints }}{{ $_ := set $tenant "endpoints" true }}{{ end -}}
{{- $tenants = append $tenants $tenant -}}
{{- end -}}
{{- toYaml (dict "tenants" $tenants) -}}
{{- end }}
