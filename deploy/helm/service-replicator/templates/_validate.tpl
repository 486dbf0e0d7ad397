{{/*
What values.schema.json cannot say (it checks each value alone): combinations. Each failure
names the values involved and what to change; nothing is rendered.
*/}}
{{- define "service-replicator.validate" -}}
{{- include "service-replicator.validateRedis" . -}}
{{- if eq (int .Values.operatorPort) (int .Values.httpPort) -}}
{{- fail (printf "operatorPort (%v) must differ from httpPort: the health port answers only /health, the operator port everything else" .Values.operatorPort) -}}
{{- end -}}
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
