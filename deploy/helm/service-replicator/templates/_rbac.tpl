{{/*
The RBAC plan: for each app, the namespaces it needs a Role in and that Role's rules, as JSON
{app: {namespace: [rules]}}. Everything the apps touch in the host cluster is in namespaces that
values name, so every grant is a namespaced Role, and gets are limited to the named objects:
- config-watcher: get on the ConfigMaps/Secrets holding tenants' vcluster.yaml
- tenant-watcher: get on the Secrets holding tenants' kubeconfigs
- host-watcher: list/watch Services and EndpointSlices in fromHostNamespaces (fromHost sources)
  and in each tenant's hostNamespace and allowedHostNamespaces (toHost targets, watched for drift)
- writer: the kubeconfig Secrets; read fromHost sources; write toHost targets (Services,
  EndpointSlices, and Warning Events on a Service it may not touch)
- for tenants with adoptVClusterMirrors or endpoints, in their toHost target namespaces: host-watcher
  list/watch and the writer create/update/delete core/v1 Endpoints (nothing about Endpoints otherwise)
What the apps do inside tenant clusters is granted there, to the tenant kubeconfig's identity.
*/}}
{{- define "service-replicator.rbacPlan" -}}
{{- $plan := dict "config-watcher" (dict) "host-watcher" (dict) "tenant-watcher" (dict) "writer" (dict) -}}
{{- $targets := list -}}
{{- $endpointsTargets := list -}}
{{- $configMaps := dict -}}
{{- $configSecrets := dict -}}
{{- $kubeconfigs := dict -}}
{{- range .Values.tenants -}}
{{- $targets = concat $targets (list .hostNamespace) (.allowedHostNamespaces | default list) -}}
{{- if or .adoptVClusterMirrors .endpoints -}}
{{- $endpointsTargets = concat $endpointsTargets (list .hostNamespace) (.allowedHostNamespaces | default list) -}}
{{- end -}}
{{- $config := include "service-replicator.configRef" (dict "root" $ "tenant" .) | fromJson -}}
{{- $named := ternary $configMaps $configSecrets (eq $config.kind "configMap") -}}
{{- $_ := set $named $config.ref.namespace (append (get $named $config.ref.namespace | default list) $config.ref.name) -}}
{{- $kubeconfig := include "service-replicator.keyRef" (dict "root" $ "ref" .kubeconfig.secret) | fromJson -}}
{{- $_ := set $kubeconfigs $kubeconfig.namespace (append (get $kubeconfigs $kubeconfig.namespace | default list) $kubeconfig.name) -}}
{{- end -}}
{{- $targets = uniq $targets -}}
{{- $sources := uniq (.Values.fromHostNamespaces | default list) -}}
{{- range $namespace, $names := $configMaps -}}
{{- include "service-replicator.grant" (dict "plan" $plan "app" "config-watcher" "namespace" $namespace "rule" (dict "apiGroups" (list "") "resources" (list "configmaps") "resourceNames" (uniq $names | sortAlpha) "verbs" (list "get"))) -}}
{{- end -}}
{{- range $namespace, $names := $configSecrets -}}
{{- include "service-replicator.grant" (dict "plan" $plan "app" "config-watcher" "namespace" $namespace "rule" (dict "apiGroups" (list "") "resources" (list "secrets") "resourceNames" (uniq $names | sortAlpha) "verbs" (list "get"))) -}}
{{- end -}}
{{- range $namespace, $names := $kubeconfigs -}}
{{- $rule := dict "apiGroups" (list "") "resources" (list "secrets") "resourceNames" (uniq $names | sortAlpha) "verbs" (list "get") -}}
{{- include "service-replicator.grant" (dict "plan" $plan "app" "tenant-watcher" "namespace" $namespace "rule" $rule) -}}
{{- include "service-replicator.grant" (dict "plan" $plan "app" "writer" "namespace" $namespace "rule" $rule) -}}
{{- end -}}
{{- range $namespace := uniq (concat $sources $targets) -}}
{{- include "service-replicator.grant" (dict "plan" $plan "app" "host-watcher" "namespace" $namespace "rule" (dict "apiGroups" (list "") "resources" (list "services") "verbs" (list "list" "watch"))) -}}
{{- include "service-replicator.grant" (dict "plan" $plan "app" "host-watcher" "namespace" $namespace "rule" (dict "apiGroups" (list "discovery.k8s.io") "resources" (list "endpointslices") "verbs" (list "list" "watch"))) -}}
{{- end -}}
{{- range $namespace := $sources -}}
{{- if not (has $namespace $targets) -}}
{{- include "service-replicator.grant" (dict "plan" $plan "app" "writer" "namespace" $namespace "rule" (dict "apiGroups" (list "") "resources" (list "services") "verbs" (list "get"))) -}}
{{- include "service-replicator.grant" (dict "plan" $plan "app" "writer" "namespace" $namespace "rule" (dict "apiGroups" (list "discovery.k8s.io") "resources" (list "endpointslices") "verbs" (list "list"))) -}}
{{- end -}}
{{- end -}}
{{- range $namespace := $targets -}}
{{- include "service-replicator.grant" (dict "plan" $plan "app" "writer" "namespace" $namespace "rule" (dict "apiGroups" (list "") "resources" (list "services") "verbs" (list "get" "create" "update" "delete"))) -}}
{{- include "service-replicator.grant" (dict "plan" $plan "app" "writer" "namespace" $namespace "rule" (dict "apiGroups" (list "discovery.k8s.io") "resources" (list "endpointslices") "verbs" (list "list" "create" "update" "delete"))) -}}
{{- include "service-replicator.grant" (dict "plan" $plan "app" "writer" "namespace" $namespace "rule" (dict "apiGroups" (list "") "resources" (list "events") "verbs" (list "create"))) -}}
{{- end -}}
{{- range $namespace := uniq $endpointsTargets -}}
{{- include "service-replicator.grant" (dict "plan" $plan "app" "host-watcher" "namespace" $namespace "rule" (dict "apiGroups" (list "") "resources" (list "endpoints") "verbs" (list "list" "watch"))) -}}
{{- include "service-replicator.grant" (dict "plan" $plan "app" "writer" "namespace" $namespace "rule" (dict "apiGroups" (list "") "resources" (list "endpoints") "verbs" (list "create" "update" "delete"))) -}}
{{- end -}}
{{- toJson $plan -}}
{{- end }}

{{/* Adds a rule to an app's Role in a namespace (ctx: plan, app, namespace, rule); prints nothing. */}}
{{- define "service-replicator.grant" -}}
{{- $roles := index .plan .app -}}
{{- $_ := set $roles .namespace (append (get $roles .namespace | default list) .rule) -}}
{{- end }}
