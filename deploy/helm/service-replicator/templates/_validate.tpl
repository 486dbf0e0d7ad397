{{/*
What values.schema.json cannot say (it checks each value alone): combinations. Each failure
names the values involved and what to change; nothing is rendered.
*/}}
{{- define "service-replicator.validate" -}}
{{- include "service-replicator.validateRedis" . -}}
{{- if eq (int .Values.operatorPort) (int .Values.httpPort) -}}
{{- fail (printf "operatorPort (%v) must differ from httpPort: the health port answers only /health, the operator port everything else" .Values.operatorPort) -}}
{{- end -}}
{{- include "service-replicator.validateDiscovery" . -}}
{{- $autoscaling := .Values.writer.autoscaling | default (dict) -}}
{{- if and (dig "keda" "enabled" false $autoscaling) (dig "hpa" "enabled" false $autoscaling) -}}
{{- fail "writer.autoscaling: enable keda or hpa, not both: two autoscalers would fight over the writer's replica count" -}}
{{- end -}}
{{- range $kind := list "keda" "hpa" -}}
{{- $scaler := get $autoscaling $kind | default (dict) -}}
{{- if and $scaler.enabled (gt (int $scaler.minReplicas) (int $scaler.maxReplicas)) -}}
{{- fail (printf "writer.autoscaling.%s: minReplicas (%v) is above maxReplicas (%v)" $kind $scaler.minReplicas $scaler.maxReplicas) -}}
{{- end -}}
{{- end -}}
{{- range $app, $key := include "service-replicator.apps" . | fromJson -}}
{{- $budget := dig "podDisruptionBudget" (dict) (index $.Values $key) -}}
{{- if and (hasKey $budget "minAvailable") (hasKey $budget "maxUnavailable") -}}
{{- fail (printf "%s.podDisruptionBudget: set minAvailable or maxUnavailable, not both" $key) -}}
{{- end -}}
{{- end -}}
{{- if and (has .Values.operatorHost (list "127.0.0.1" "localhost" "::1")) (or .Values.serviceMonitor.enabled (include "service-replicator.writerAutoscaler" .)) -}}
{{- fail (printf "operatorHost %s is reachable only through kubectl port-forward: the ServiceMonitor and the writer's autoscaler need Prometheus to scrape it; leave operatorHost empty" .Values.operatorHost) -}}
{{- end -}}
{{- end }}

{{/* "keda" or "hpa" when one scales the writer, else empty. */}}
{{- define "service-replicator.writerAutoscaler" -}}
{{- $autoscaling := .Values.writer.autoscaling | default (dict) -}}
{{- if dig "keda" "enabled" false $autoscaling -}}keda{{- else if dig "hpa" "enabled" false $autoscaling -}}hpa{{- end -}}
{{- end }}

{{/*
Discovered tenants' identities live in a namespace whose every ServiceAccount the writer may act as:
it must exist apart from the apps' own (release namespace) and from any namespace a vCluster runs
pods in (a pod may run as any ServiceAccount of its namespace).
*/}}
{{- define "service-replicator.validateDiscovery" -}}
{{- $discovery := .Values.discovery | default (dict) -}}
{{- if or (eq $discovery.allNamespaces true) $discovery.namespaces -}}
{{- $identities := $discovery.identityNamespace | default "" -}}
{{- if not $identities -}}
{{- fail "discovery.identityNamespace: required with discovery: a namespace of its own (not the release namespace, not a searched one) where discovered tenants' host identities live; the writer may impersonate every ServiceAccount in it" -}}
{{- end -}}
{{- if eq $identities .Release.Namespace -}}
{{- fail (printf "discovery.identityNamespace (%s) must not be the release namespace: the writer may impersonate every ServiceAccount of it, and the apps' own are there" $identities) -}}
{{- end -}}
{{- if has $identities ($discovery.namespaces | default list) -}}
{{- fail (printf "discovery.identityNamespace (%s) must not be searched (discovery.namespaces): a vCluster's pods may run as any ServiceAccount of its namespace" $identities) -}}
{{- end -}}
{{- range .Values.tenants -}}
{{- if eq .hostNamespace $identities -}}
{{- fail (printf "discovery.identityNamespace (%s) is the hostNamespace of tenant %s, whose pods may run as any ServiceAccount of it" $identities .name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end }}
