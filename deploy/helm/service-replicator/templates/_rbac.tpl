{{/*
The RBAC plan: for each app, the namespaces it needs a Role in and that Role's rules, as JSON
{app: {namespace: [rules]}}. Everything the apps touch in the host cluster is in namespaces that
values name, so every grant is a namespaced Role, and gets are limited to the named objects:
- config-watcher: list/watch on ConfigMaps/Secrets in the namespaces holding tenants' vcluster.yaml
  (one watch per namespace: an edit is an event, no GET per tenant per poll)
- tenant-watcher: get on the Secrets holding tenants' kubeconfigs
- host-watcher: list/watch Services and EndpointSlices in each tenant's hostNamespace,
  fromHostNamespaces (fromHost sources) and allowedHostNamespaces (toHost targets, watched for
  drift); list/watch pods in the hostNamespace of tenants whose toHost mirrors copy endpoints
  (toHostMode endpoints, or allowedHostNamespaces), to keep only the tenant's own pod IPs
- writer: the kubeconfig Secrets, and `impersonate` on exactly the tenants' host identities
  (tenantRbacPlan): every host read and write it makes for a tenant is made as that tenant
- for tenants with adoptVClusterMirrors or endpoints, in their toHost target namespaces: host-watcher
  list/watch core/v1 Endpoints, and the tenant's identity get/create/update/delete them (nothing
  about Endpoints otherwise)
- discovery.namespaces: config-watcher list/watch Secrets (vCluster's config and kubeconfig
  Secrets), tenant-watcher and the writer get Secrets (the kubeconfigs), and host-watcher watches
  Services and EndpointSlices there (each is a discovered tenant's hostNamespace). A discovered
  tenant's host identity (tenant-<name>) and its Roles are not made here: see the README. discovery.allNamespaces: the same as ClusterRoles
  (service-replicator.clusterRbacRules), the one case anything is granted cluster-wide.
What the apps do inside tenant clusters is granted there, to the tenant kubeconfig's identity.
*/}}
{{- define "service-replicator.rbacPlan" -}}
{{- $plan := dict "config-watcher" (dict) "host-watcher" (dict) "tenant-watcher" (dict) "writer" (dict) -}}
{{- $watched := list -}}
{{- $podNamespaces := list -}}
{{- $identities := list -}}
{{- $endpointsTargets := list -}}
{{- $configMaps := dict -}}
{{- $configSecrets := dict -}}
{{- $kubeconfigs := dict -}}
{{- range .Values.tenants -}}
{{- $watched = concat $watched (list .hostNamespace) (.fromHostNamespaces | default list) (.allowedHostNamespaces | default list) -}}
{{- if or (eq (.toHostMode | default "selector") "endpoints") .allowedHostNamespaces -}}
{{- $podNamespaces = append $podNamespaces .hostNamespace -}}
{{- end -}}
{{- if or .adoptVClusterMirrors .endpoints -}}
{{- $endpointsTargets = concat $endpointsTargets (list .hostNamespace) (.allowedHostNamespaces | default list) -}}
{{- end -}}
{{- $identities = append $identities (include "service-replicator.tenantIdentity" (dict "root" $ "tenant" .name)) -}}
{{- $config := include "service-replicator.configRef" (dict "root" $ "tenant" .) | fromJson -}}
{{- $named := ternary $configMaps $configSecrets (eq $config.kind "configMap") -}}
{{- $_ := set $named $config.ref.namespace (append (get $named $config.ref.namespace | default list) $config.ref.name) -}}
{{- $kubeconfig := include "service-replicator.keyRef" (dict "root" $ "ref" .kubeconfig.secret) | fromJson -}}
{{- $_ := set $kubeconfigs $kubeconfig.namespace (append (get $kubeconfigs $kubeconfig.namespace | default list) $kubeconfig.name) -}}
{{- end -}}
{{- $discovery := .Values.discovery | default (dict) -}}
{{- $searched := ternary list ($discovery.namespaces | default list) (eq $discovery.allNamespaces true) -}}
{{- $watched = concat $watched $searched -}}
{{- range $namespace, $names := $configMaps -}}
{{- include "service-replicator.grant" (dict "plan" $plan "app" "config-watcher" "namespace" $namespace "rule" (dict "apiGroups" (list "") "resources" (list "configmaps") "verbs" (list "list" "watch"))) -}}
{{- end -}}
{{- range $namespace, $names := $configSecrets -}}
{{- if not (has $namespace $searched) -}}
{{- include "service-replicator.grant" (dict "plan" $plan "app" "config-watcher" "namespace" $namespace "rule" (dict "apiGroups" (list "") "resources" (list "secrets") "verbs" (list "list" "watch"))) -}}
{{- end -}}
{{- end -}}
{{- range $namespace := $searched -}}
{{- include "service-replicator.grant" (dict "plan" $plan "app" "config-watcher" "namespace" $namespace "rule" (dict "apiGroups" (list "") "resources" (list "secrets") "verbs" (list "list" "watch"))) -}}
{{- include "service-replicator.grant" (dict "plan" $plan "app" "tenant-watcher" "namespace" $namespace "rule" (dict "apiGroups" (list "") "resources" (list "secrets") "verbs" (list "get"))) -}}
{{- include "service-replicator.grant" (dict "plan" $plan "app" "writer" "namespace" $namespace "rule" (dict "apiGroups" (list "") "resources" (list "secrets") "verbs" (list "get"))) -}}
{{- end -}}
{{- range $namespace, $names := $kubeconfigs -}}
{{- $rule := dict "apiGroups" (list "") "resources" (list "secrets") "resourceNames" (uniq $names | sortAlpha) "verbs" (list "get") -}}
{{- include "service-replicator.grant" (dict "plan" $plan "app" "tenant-watcher" "namespace" $namespace "rule" $rule) -}}
{{- include "service-replicator.grant" (dict "plan" $plan "app" "writer" "namespace" $namespace "rule" $rule) -}}
{{- end -}}
{{- range $namespace := uniq $watched -}}
{{- include "service-replicator.grant" (dict "plan" $plan "app" "host-watcher" "namespace" $namespace "rule" (dict "apiGroups" (list "") "resources" (list "services") "verbs" (list "list" "watch"))) -}}
{{- include "service-replicator.grant" (dict "plan" $plan "app" "host-watcher" "namespace" $namespace "rule" (dict "apiGroups" (list "discovery.k8s.io") "resources" (list "endpointslices") "verbs" (list "list" "watch"))) -}}
{{- end -}}
{{- range $namespace := uniq $endpointsTargets -}}
{{- include "service-replicator.grant" (dict "plan" $plan "app" "host-watcher" "namespace" $namespace "rule" (dict "apiGroups" (list "") "resources" (list "endpoints") "verbs" (list "list" "watch"))) -}}
{{- end -}}
{{- range $namespace := uniq $podNamespaces -}}
{{- include "service-replicator.grant" (dict "plan" $plan "app" "host-watcher" "namespace" $namespace "rule" (dict "apiGroups" (list "") "resources" (list "pods") "verbs" (list "list" "watch"))) -}}
{{- end -}}
{{- if $identities -}}
{{- include "service-replicator.grant" (dict "plan" $plan "app" "writer" "namespace" .Release.Namespace "rule" (dict "apiGroups" (list "") "resources" (list "serviceaccounts") "resourceNames" (uniq $identities | sortAlpha) "verbs" (list "impersonate"))) -}}
{{- end -}}
{{- toJson $plan -}}
{{- end }}

{{/*
Each tenant's host identity and its Roles, as JSON {tenant: {namespace: [rules]}}: read where its
fromHost sources may be (hostNamespace, fromHostNamespaces: get Services, list EndpointSlices),
write where its toHost targets may be (hostNamespace, allowedHostNamespaces: Services,
EndpointSlices, Warning Events; core/v1 Endpoints too for a tenant with adoptVClusterMirrors or
endpoints). The same as libs/replication-config's tenantHostGrants.
*/}}
{{- define "service-replicator.tenantRbacPlan" -}}
{{- $plan := dict -}}
{{- $read := list (dict "apiGroups" (list "") "resources" (list "services") "verbs" (list "get")) (dict "apiGroups" (list "discovery.k8s.io") "resources" (list "endpointslices") "verbs" (list "list")) -}}
{{- $write := list (dict "apiGroups" (list "") "resources" (list "services") "verbs" (list "get" "create" "update" "delete")) (dict "apiGroups" (list "discovery.k8s.io") "resources" (list "endpointslices") "verbs" (list "list" "create" "update" "delete")) (dict "apiGroups" (list "") "resources" (list "events") "verbs" (list "create")) -}}
{{- $endpoints := dict "apiGroups" (list "") "resources" (list "endpoints") "verbs" (list "get" "create" "update" "delete") -}}
{{- range .Values.tenants -}}
{{- $roles := dict -}}
{{- $targets := uniq (concat (list .hostNamespace) (.allowedHostNamespaces | default list)) -}}
{{- range $namespace := uniq (.fromHostNamespaces | default list) -}}
{{- if not (has $namespace $targets) }}{{ $_ := set $roles $namespace $read }}{{ end -}}
{{- end -}}
{{- $targetRules := $write -}}
{{- if or .adoptVClusterMirrors .endpoints }}{{ $targetRules = append $write $endpoints }}{{ end -}}
{{- range $namespace := $targets }}{{ $_ := set $roles $namespace $targetRules }}{{ end -}}
{{- $_ := set $plan .name $roles -}}
{{- end -}}
{{- toJson $plan -}}
{{- end }}

{{/* Adds a rule to an app's Role in a namespace (ctx: plan, app, namespace, rule); prints nothing. */}}
{{- define "service-replicator.grant" -}}
{{- $roles := index .plan .app -}}
{{- $_ := set $roles .namespace (append (get $roles .namespace | default list) .rule) -}}
{{- end }}

{{/*
With discovery.allNamespaces: what a discovered tenant needs wherever it may be, as ClusterRole
rules per app ({app: [rules]}); empty otherwise.
*/}}
{{- define "service-replicator.clusterRbacRules" -}}
{{- $rules := dict -}}
{{- if eq (dig "allNamespaces" false (.Values.discovery | default (dict))) true -}}
{{- $secretsGet := dict "apiGroups" (list "") "resources" (list "secrets") "verbs" (list "get") -}}
{{- $_ := set $rules "config-watcher" (list (dict "apiGroups" (list "") "resources" (list "secrets") "verbs" (list "list" "watch"))) -}}
{{- $_ := set $rules "tenant-watcher" (list $secretsGet) -}}
{{- $_ := set $rules "host-watcher" (list (dict "apiGroups" (list "") "resources" (list "services") "verbs" (list "list" "watch")) (dict "apiGroups" (list "discovery.k8s.io") "resources" (list "endpointslices") "verbs" (list "list" "watch"))) -}}
{{- $_ := set $rules "writer" (list $secretsGet) -}}
{{- end -}}
{{- toJson $rules -}}
{{- end }}
